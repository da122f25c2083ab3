import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { diffConnectivity, InventoryIndex, resolve, type ConnectionChange, type ConnectivityDiff, type DiffEndpoint, type InputSource, type LoadResult } from '@netpolc/ir';
import { clusterOptions, clusterSources, readCluster, replacingProgram, selectObjects, wantsCluster } from '../cluster/index.js';
import { backendNames } from '../backends.js';
import type { Command, Values } from '../command.js';
import { diffArtifacts, selectBackends } from '../diff/artifacts.js';
import { existsAtRef, readGitSources } from '../diff/git-source.js';
import { groupChanges } from '../diff/group.js';
import { githubCommentLimit, renderMarkdown } from '../diff/markdown.js';
import { renderJson, renderText, type DiffReport } from '../diff/render.js';
import { readInputs } from '../inputs.js';
import { ExitCode, UsageError, type Io } from '../io.js';
import { loadSources, printDiagnostics, useColor } from '../load.js';
import { parsePort, parseProtocol } from './parse-connection.js';

const list = (values: Values, key: string): string[] => (values[key] as string[] | undefined) ?? [];

type Side = { readonly kind: 'cluster' } | { readonly kind: 'paths'; readonly paths: readonly string[] };

function sideOf(io: Io, values: Values, text: string): Side {
  // `cluster` is the live policies (with --from-cluster, or when no such path exists).
  if (text === 'cluster' && (wantsCluster(values) || !existsSync(resolvePath(io.cwd, text)))) return { kind: 'cluster' };
  return { kind: 'paths', paths: [text] };
}

type SideSources = { readonly sources: InputSource[]; readonly underlay: ReadonlySet<string> };

async function sides(io: Io, values: Values, positionals: readonly string[]): Promise<{ base: SideSources; head: SideSources; label: string }> {
  // Standard input is read once: a second reader would get nothing, and every policy would
  // read as deleted.
  const flaggedPaths = [values['base'], values['head']].filter((v): v is string => typeof v === 'string');
  const readers = [list(values, 'inventory'), list(values, 'base-inventory'), list(values, 'head-inventory'), ...[...positionals, ...flaggedPaths].map((p) => [p])];
  if (values['base-ref'] === undefined && readers.filter((paths) => paths.includes('-')).length > 1) {
    throw new UsageError('standard input (-) can be read only once: give it to one side, and the other side as a file');
  }
  const inventory = await readInputs(io, list(values, 'inventory'));
  const baseInventory = await readInputs(io, list(values, 'base-inventory'));
  const headInventory = await readInputs(io, list(values, 'head-inventory'));
  const ref = values['base-ref'] as string | undefined;
  const flagged = [values['base'], values['head']].filter((v) => v !== undefined) as string[];
  if (flagged.length === 1) throw new UsageError('give both --base and --head');
  if (flagged.length === 2 && positionals.length > 0) throw new UsageError('give BASE and HEAD either as --base/--head or as two paths, not both');
  let base: Side;
  let head: Side;
  if (ref !== undefined) {
    if (flagged.length > 0) throw new UsageError('--base-ref reads BASE from git; do not also give --base/--head');
    if (positionals.length === 0) throw new UsageError('give the policy paths to compare with --base-ref (e.g. `netpolc diff --base-ref origin/main policies/`)');
    base = { kind: 'paths', paths: positionals };
    head = { kind: 'paths', paths: positionals };
  } else {
    const pair = flagged.length === 2 ? flagged : positionals;
    if (pair.length !== 2) throw new UsageError('expected BASE and HEAD: two paths, --base/--head (`cluster` = the live policies), or --base-ref REF PATH...');
    base = sideOf(io, values, pair[0]!);
    head = sideOf(io, values, pair[1]!);
  }
  // Everything is read, --namespace only filtering the report: a change of NS's policies changes
  // its pods' connections with pods elsewhere, whose own policies decide the other side (an audit
  // found a removed DNS egress reported as no change when only NS was read).
  const live = base.kind === 'cluster' || head.kind === 'cluster' || wantsCluster(values) ? await readCluster({ ...clusterOptions(values, true), namespaceLimit: 'none' }, io) : undefined;
  // The cluster's inventory under a side's local inventory files: their objects replace the
  // cluster's of the same kind, namespace and name, as for the other commands.
  const clusterInventory = (local: readonly InputSource[]): InputSource[] => (live ? clusterSources(live.context, selectObjects(live, 'inventory', replacingProgram(values, local))) : []);
  const read = async (side: Side, other: Side, atRef: boolean): Promise<InputSource[]> => {
    if (side.kind === 'cluster') return clusterSources(live!.context, selectObjects(live!, 'policies'));
    // An inventory file under the compared paths is the working tree's for both sides: read once.
    const inventories = new Set([...inventory, ...baseInventory, ...headInventory].map((s) => resolvePath(io.cwd, s.path)));
    const local = atRef ? readGitSources(io.cwd, ref!, side.paths, inventories) : await readInputs(io, ref === undefined ? side.paths : presentPaths(io, ref, side.paths));
    if (other.kind !== 'cluster') return local;
    // Against the live policies, a directory means "what applying it would do": live policies it
    // does not replace stay.
    return [...local, ...clusterSources(live!.context, selectObjects(live!, 'policies', replacingProgram(values, local)))];
  };
  const name = (side: Side): string => (side.kind === 'cluster' ? `cluster ${live!.context}` : side.paths.join(' '));
  // A side's inventory (cluster and files) lies under its policies: a NetworkPolicy an inventory
  // snapshot also holds gives way to the compared one (docs/ci.md's snapshot recipe).
  const side = async (policies: InputSource[], files: InputSource[]): Promise<{ sources: InputSource[]; underlay: ReadonlySet<string> }> => {
    const own = new Set(policies.map((s) => s.path));
    const under = [...clusterInventory(files), ...files].filter((s) => !own.has(s.path));
    return { sources: [...policies, ...under], underlay: new Set(under.map((s) => s.path)) };
  };
  return {
    base: await side(await read(base, head, ref !== undefined), [...inventory, ...baseInventory]),
    head: await side(await read(head, base, false), [...inventory, ...headInventory]),
    label: ref !== undefined ? `${ref} -> working tree` : `${name(base)} -> ${name(head)}`,
  };
}

/**
 * The working tree's side of `--base-ref`: a path deleted since the ref (a pull request that
 * removes policies) holds nothing in HEAD, which is the change to show; a path in neither is
 * left for the reading to report as missing.
 */
function presentPaths(io: Io, ref: string, paths: readonly string[]): string[] {
  return paths.filter((p) => {
    if (p === '-' || existsSync(resolvePath(io.cwd, p)) || !existsAtRef(io.cwd, ref, p)) return true;
    io.stderr.write(`note: ${p} is not in the working tree (deleted since ${ref}): HEAD has nothing there\n`);
    return false;
  });
}

/** The changes with a pod of `namespaces` at either end (all for none), and their pods only on one side. */
function ofNamespaces(diff: ConnectivityDiff, namespaces: readonly string[]): ConnectivityDiff {
  if (namespaces.length === 0) return diff;
  const inside = (e: DiffEndpoint): boolean => e.kind === 'pod' && namespaces.includes(e.namespace);
  const keep = (c: ConnectionChange): boolean => inside(c.from) || inside(c.to);
  const podOf = (id: string): boolean => namespaces.includes(id.slice(0, id.indexOf('/')));
  return { added: diff.added.filter(keep), removed: diff.removed.filter(keep), podsOnlyInBase: diff.podsOnlyInBase.filter(podOf), podsOnlyInHead: diff.podsOnlyInHead.filter(podOf) };
}

/** `netpolc diff`: what a change does to connectivity and to every compiled artifact. */
export const diffCommand: Command = {
  name: 'diff',
  // The cluster is also read for a side given as `cluster`.
  namespaceApplies: (values) => values['base'] === 'cluster' || values['head'] === 'cluster' || wantsCluster(values),
  summary:
    'Show the connections HEAD adds and removes compared with BASE (pods and external addresses, all ports, with the rules responsible), and optionally the diff of compiled artifacts. Exit 1 when changes are found (see --fail-on).',
  usage: 'netpolc diff [--inventory PATH]... [--base-inventory PATH]... [--head-inventory PATH]... BASE HEAD | --base PATH|cluster --head PATH|cluster | --base-ref GIT_REF PATH...   [--from-cluster]',
  options: {
    'base-inventory': { type: 'string', multiple: true, value: 'PATH', description: 'inventory for BASE only (e.g. labels before a relabel); repeatable' },
    'head-inventory': { type: 'string', multiple: true, value: 'PATH', description: 'inventory for HEAD only; repeatable' },
    'base-ref': { type: 'string', value: 'GIT_REF', description: 'read BASE from git: the same paths at this ref; HEAD is the working tree' },
    base: { type: 'string', value: 'PATH|cluster', description: 'BASE policies (instead of the first path); cluster = the live policies' },
    head: { type: 'string', value: 'PATH|cluster', description: 'HEAD policies (instead of the second path); cluster = the live policies' },
    backend: { type: 'string', multiple: true, short: 'b', value: 'NAME', description: `also diff compiled output: ${backendNames.join(', ')} or all; repeatable` },
    format: { type: 'string', short: 'f', value: 'FMT', description: 'text (default; colored on a TTY), json or markdown' },
    'markdown-limit': { type: 'string', value: 'N', description: 'longest --format markdown output, in characters: rows and file diffs beyond it are counted in a closing note (at least 1000; default 65536, what a GitHub comment takes; 0: no limit)' },
    'fail-on': { type: 'string', value: 'WHAT', description: 'exit 1 when connections are added, removed, any (default) or none' },
    port: { type: 'string', short: 'p', value: 'N', description: 'compare this destination port only (with --protocol)' },
    protocol: { type: 'string', value: 'P', description: 'protocol of --port: TCP (default), UDP or SCTP' },
  },
  async run(io, values, positionals) {
    const format = (values['format'] as string | undefined) ?? 'text';
    if (!['text', 'json', 'markdown'].includes(format)) throw new UsageError('--format must be text, json or markdown');
    // As --protocol needs --port: a limit the output would not follow is a mistake to name.
    if (values['markdown-limit'] !== undefined && format !== 'markdown') throw new UsageError('--markdown-limit needs --format markdown');
    const limitText = (values['markdown-limit'] as string | undefined) ?? String(githubCommentLimit);
    if (!/^\d+$/.test(limitText) || (Number(limitText) > 0 && Number(limitText) < 1000)) throw new UsageError('--markdown-limit must be 0 (no limit) or a number of characters of at least 1000');
    const markdownLimit = Number(limitText);
    const failOn = (values['fail-on'] as string | undefined) ?? 'any';
    if (!['added', 'removed', 'any', 'none'].includes(failOn)) throw new UsageError('--fail-on must be added, removed, any or none');
    const port = parsePort(values['port']);
    if (port === undefined && values['protocol'] !== undefined) throw new UsageError('--protocol needs --port');
    const protocol = parseProtocol(values['protocol']);
    const backends = selectBackends(list(values, 'backend'));
    const { base, head, label } = await sides(io, values, positionals);
    const b = loadSources(io, values, base.sources, undefined, base.underlay);
    const h = loadSources(io, values, head.sources, undefined, head.underlay);
    if (!b.ok || !h.ok) return ExitCode.input;
    // One inventory index for both sides: HEAD's resolution uses it when its inventory is BASE's
    // (the usual case: only policies differ), and makes its own otherwise.
    const index = new InventoryIndex(b.result.program.inventory);
    const rb = resolve(b.result.program, { index });
    const rh = resolve(h.result.program, { index });
    printDiagnostics(io, values, b.result, rb.diagnostics);
    printDiagnostics(io, values, h.result, rh.diagnostics);
    // With no pod on either side no connection can change, whatever the policies: an inventory
    // left out would otherwise pass in CI as "no change".
    if (rb.pods.length === 0 && rh.pods.length === 0) {
      io.stderr.write('warning: the inputs hold no pods that take part in policy, so no connection can change; give the cluster with --inventory\n');
    }
    const namespaces = [...new Set((values['namespace'] as string[] | undefined) ?? [])].sort();
    const connectivity = ofNamespaces(diffConnectivity(rb, rh, port === undefined ? {} : { only: { protocol, port } }), namespaces);
    const report: DiffReport = {
      connectivity,
      groups: format === 'json' ? [] : groupChanges([...connectivity.added, ...connectivity.removed], b.result as LoadResult, h.result as LoadResult),
      artifacts: diffArtifacts(backends, { program: b.result.program, resolved: rb }, { program: h.result.program, resolved: rh }),
      base: b.result.program,
      head: h.result.program,
      scope: `${label}${port === undefined ? ', all ports' : `, ${protocol}/${port}`}${namespaces.length > 0 ? `, pods of ${namespaces.join(', ')}` : ''}`,
    };
    io.stdout.write(format === 'json' ? renderJson(report) : format === 'markdown' ? renderMarkdown(report, markdownLimit) : renderText(report, useColor(values, io.stdout, io)));
    const found = (failOn === 'added' || failOn === 'any') && connectivity.added.length > 0 ? true : (failOn === 'removed' || failOn === 'any') && connectivity.removed.length > 0;
    return found ? ExitCode.findings : ExitCode.ok;
  },
};
