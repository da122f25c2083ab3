// Shared test helpers: run the backend on manifests and evaluate its model.
import { appendAll, evaluate, hasErrors, resolve, type Connection, type Diagnostic, type Endpoint, type LoadResult, type SemanticsOptions } from '@netpolc/ir';
import { loadManifests, type Manifest } from '@netpolc/ir/testing';
import { lowerProgram, type LoweredPolicy } from '../../src/lower.js';
import type { CiliumPolicy } from '../../src/model.js';
import { parseCiliumOptions, type CiliumOptions } from '../../src/options.js';
import { CiliumEvaluator, defaultEvalOptions, type CiliumEvalOptions } from './cilium-eval.js';

/** Options from raw flags, failing on invalid ones. */
export function options(raw: Record<string, string | boolean | string[]> = {}): CiliumOptions {
  const parsed = parseCiliumOptions(raw);
  if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '));
  return parsed.options;
}

/** Result of compiling manifests through the Cilium lowering. */
export interface Compiled {
  readonly loaded: LoadResult;
  readonly objects: readonly CiliumPolicy[];
  /** The lowered policies, with their report notes. */
  readonly policies: readonly LoweredPolicy[];
  readonly diagnostics: readonly Diagnostic[];
  readonly evaluator: CiliumEvaluator;
}

/** Loads manifests (which must be valid) and lowers them. */
export function compile(manifests: readonly Manifest[], opts: CiliumOptions = options(), evalOptions: CiliumEvalOptions = defaultEvalOptions, semantics?: Partial<SemanticsOptions>): Compiled {
  const loaded = loadManifests(manifests, semantics ? { semantics } : {});
  if (hasErrors(loaded.diagnostics)) throw new Error(`invalid test input: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  const program = loaded.program;
  const lowered = lowerProgram({ program, resolved: resolve(program) }, opts);
  const objects = lowered.policies.map((p) => p.object);
  return { loaded, objects, policies: lowered.policies, diagnostics: lowered.diagnostics, evaluator: new CiliumEvaluator(program, objects, evalOptions) };
}

/** Codes of diagnostics, sorted. */
export function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => d.code).sort();
}

const matrixPorts = [
  ['TCP', 80],
  ['TCP', 81],
  ['UDP', 80],
  ['SCTP', 80],
  ['TCP', 53],
  ['UDP', 53],
  ['TCP', 8080],
] as const;

/**
 * Every disagreement between the Cilium evaluator on the lowered model and the reference
 * evaluator, over all pod pairs, node addresses and a few external addresses, on a port pool.
 */
export function disagreements(c: Compiled, externals: readonly string[] = ['203.0.113.5', '8.8.8.8', '198.18.0.200']): string[] {
  const program = c.loaded.program;
  const pods = program.inventory.pods.filter((p) => p.actionable);
  const endpoints: Endpoint[] = [
    ...pods.flatMap((p) => p.addresses.map((a) => ({ kind: 'pod' as const, namespace: p.namespace, name: p.name, ip: a.ip }))),
    ...program.inventory.nodes.flatMap((n) => n.addresses.map((a) => ({ kind: 'ip' as const, ip: a.ip }))),
    ...externals.map((ip) => ({ kind: 'ip' as const, ip })),
  ];
  const out: string[] = [];
  for (const src of endpoints) {
    for (const dst of endpoints) {
      if (src.kind === 'ip' && dst.kind === 'ip') continue;
      if (src.ip!.includes(':') !== dst.ip!.includes(':')) continue;
      for (const [protocol, port] of matrixPorts) {
        const conn: Connection = { src, dst, protocol, port };
        const ref = evaluate(program, conn);
        if ('error' in ref) continue;
        const got = c.evaluator.allowed(conn);
        if (got !== ref.allowed) out.push(`${show(src)} -> ${show(dst)} ${protocol}/${port}: kubernetes ${ref.allowed}, cilium ${String(got)}`);
      }
    }
  }
  return out;
}

function show(e: Endpoint): string {
  return e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip;
}

/**
 * Problems of a compile measured against the Kubernetes truth table: none when the output is
 * exact, or when every difference is node traffic that the default output denies for an ipBlock
 * covering every listed node (node-entities-withheld), which --node-entities then makes exact.
 */
export function truthTableProblems(manifests: readonly Manifest[]): string[] {
  const c = compile(manifests);
  const loud = c.diagnostics.filter((d) => d.severity !== 'info' && d.code !== 'backend-cilium/node-entities-withheld');
  if (loud.length > 0) return loud.map((d) => `${d.code}: ${d.message}`);
  const nodeIps = new Set(c.loaded.program.inventory.nodes.flatMap((n) => n.addresses.map((a) => a.ip)));
  const withheld = codes(c.diagnostics).includes('backend-cilium/node-entities-withheld');
  const problems = disagreements(c).filter((d) => !(withheld && d.endsWith('kubernetes true, cilium false') && d.split(' ').some((w) => nodeIps.has(w))));
  if (withheld) appendAll(problems, disagreements(compile(manifests, options({ 'node-entities': true }))).map((d) => `--node-entities: ${d}`));
  return problems;
}
