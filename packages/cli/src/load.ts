import { compareValues, hasErrors, loadProgram, type Diagnostic, type Location, type InputSource, type LoadOptions, type LoadResult, type SemanticsOptions } from '@netpolc/ir';
import type { Values } from './command.js';
import { diagnosticJson, formatDiagnostic } from './format-diagnostic.js';
import { readInputs } from './inputs.js';
import { wantsCluster, withCluster } from './cluster/index.js';
import { UsageError, type Io } from './io.js';

const semanticKeys: Record<string, keyof SemanticsOptions> = {
  'ipblock-matches-pods': 'ipBlockMatchesPods',
  'ipblock-matches-nodes': 'ipBlockMatchesNodes',
  'node-local-ingress': 'allowNodeLocalIngress',
  'allow-self': 'allowSelf',
  'icmp-essentials': 'allowIcmpEssentials',
};

function parseSemantics(list: readonly string[]): Partial<SemanticsOptions> {
  const out: Record<string, boolean> = {};
  for (const item of list) {
    // The whole rest is the value: `allow-self=false=oops` is no boolean.
    const at = item.indexOf('=');
    const key = at < 0 ? item : item.slice(0, at);
    const value = at < 0 ? undefined : item.slice(at + 1);
    const field = Object.hasOwn(semanticKeys, key) ? semanticKeys[key] : undefined;
    if (!field || (value !== 'true' && value !== 'false')) {
      throw new UsageError(`--semantics ${item}: expected one of ${Object.keys(semanticKeys).join(', ')} =true|false`);
    }
    // As for any flag given twice: the last value winning quietly would mislead.
    if (Object.hasOwn(out, field)) throw new UsageError(`--semantics ${key} is given more than once`);
    out[field] = value === 'true';
  }
  return out as Partial<SemanticsOptions>;
}

/**
 * Whether to color output written to a stream. A flag on the command line wins over NO_COLOR, as
 * no-color.org asks (NO_COLOR sets a default, a user's `--color` overrides it); `--no-color`
 * first, should both be given. Without a flag, a non-empty NO_COLOR or TERM=dumb, else a
 * terminal, decides.
 */
export function useColor(values: Values, stream: { readonly isTTY?: boolean }, io: Io): boolean {
  if (values['no-color']) return false;
  if (values['color']) return true;
  if (io.env['NO_COLOR']) return false;
  // A terminal that says it has no capabilities (TERM=dumb: Emacs shells, some CI logs).
  if (io.env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

/** Prints diagnostics to stderr in the chosen format. */
export function printDiagnostics(io: Io, values: Values, result: Pick<LoadResult, 'locateAll'>, diagnostics: readonly Diagnostic[]): void {
  // In file, line and column order (those without a place first), whatever the order of the
  // input paths and of the checks that found them.
  const listed = diagnostics.filter((d) => d.severity !== 'info' || values['verbose']);
  const places = result.locateAll(listed.map((d) => d.target));
  const shown = listed.map((d, i) => ({ d, at: places[i] })).sort(byPlace);
  if (values['diagnostics-format'] === 'json') {
    const entries = shown.map(({ d, at }) => diagnosticJson(d, at));
    if (io.diagnosticsJson) io.diagnosticsJson.push(...entries);
    else if (entries.length > 0) io.stderr.write(JSON.stringify(entries, null, 2) + '\n');
    return;
  }
  const color = useColor(values, io.stderr, io);
  // Each once per command: diff loads a shared inventory for both sides, with its diagnostics.
  let printed = printedBy.get(io);
  if (!printed) printedBy.set(io, (printed = new Set()));
  for (const { d, at } of shown) {
    const text = formatDiagnostic(d, at, color);
    if (printed.has(text)) continue;
    printed.add(text);
    io.stderr.write(text);
  }
}

function byPlace(a: { d: Diagnostic; at: Location | undefined }, b: { d: Diagnostic; at: Location | undefined }): number {
  if (a.at === undefined || b.at === undefined) return (a.at === undefined ? 0 : 1) - (b.at === undefined ? 0 : 1);
  return (
    compareValues(a.at.file, b.at.file) ||
    a.at.line - b.at.line ||
    a.at.column - b.at.column ||
    severityRank[a.d.severity] - severityRank[b.d.severity] ||
    compareValues(a.d.code, b.d.code) ||
    compareValues(a.d.message, b.d.message)
  );
}

const severityRank: Record<Diagnostic['severity'], number> = { error: 0, warning: 1, info: 2 };

/** The diagnostics printed so far, per command run (its Io). */
const printedBy = new WeakMap<Io, Set<string>>();

/**
 * Reads every input path of a command (positionals and `--inventory`), loads and validates the
 * program, and prints diagnostics. `ok` is false when there are errors (exit code 2). `outDir`:
 * compile's output directory, never read as input (see readInputs).
 */
export async function loadInputs(io: Io, values: Values, positionals: readonly string[], outDir?: string): Promise<{ result: LoadResult; ok: boolean; files: ReadonlySet<string> }> {
  const format = values['diagnostics-format'];
  if (format !== undefined && format !== 'text' && format !== 'json') throw new UsageError(`--diagnostics-format must be text or json`);
  const inventory = (values['inventory'] as string[] | undefined) ?? [];
  const paths = [...positionals, ...inventory];
  if (paths.length === 0 && !wantsCluster(values)) throw new UsageError('no input paths given (or --from-cluster)');
  // The --inventory files lie under the PATHs: an object of theirs gives way to the PATHs' object
  // of the same kind, namespace and name (an inventory snapshot holds the cluster's
  // NetworkPolicies too). Each file is read once, stdin too.
  const seen = new Set<string>();
  const primary = await readInputs(io, positionals, outDir, seen);
  const under = await readInputs(io, inventory, outDir, seen);
  const { sources } = await withCluster(io, values, [...primary, ...under]);
  // `seen`: the real paths of the files read (and `-`), for compile to refuse overwriting one.
  return { ...loadSources(io, values, sources, undefined, primary.length > 0 && under.length > 0 ? new Set(under.map((s) => s.path)) : undefined), files: seen };
}

/**
 * Loads already-read sources with the command's options and prints the diagnostics. `onObject`
 * is the loader's ({@link LoadOptions.onObject}).
 */
export function loadSources(io: Io, values: Values, sources: readonly InputSource[], onObject?: LoadOptions['onObject'], underlay?: ReadonlySet<string>): { result: LoadResult; ok: boolean } {
  const semantics = parseSemantics((values['semantics'] as string[] | undefined) ?? []);
  const defaultNamespace = values['default-namespace'] as string | undefined;
  const result = loadProgram(sources, { semantics, ...(defaultNamespace ? { defaultNamespace } : {}), ...(onObject ? { onObject } : {}), ...(underlay ? { underlay } : {}) });
  printDiagnostics(io, values, result, result.diagnostics);
  return { result, ok: !hasErrors(result.diagnostics) };
}
