import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { Connection, Endpoint } from '../evaluate/connection.js';
import type { Protocol } from '../model/policy.js';
import type { Program } from '../model/program.js';
import { numRuns } from './arbitraries.js';
import { corpusCases } from './corpus.js';
import type { Manifest } from './builders.js';

// The corpus's clusters and policies, mutated: ports, protocols, CIDRs, excepts, operators,
// selectors, label keys and values, container ports; keys and list entries deleted, entries
// repeated, rules emptied. The arbitraries of arbitraries.ts draw from tiny pools; these keep
// the shapes people write (named ports, wide CIDRs, several policies on one pod) and move them
// about. Many mutants are invalid: callers skip those, as the API server would refuse them.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** The objects of every valid corpus case, one list per case (Lists flattened). */
function corpusGroups(): Obj[][] {
  return corpusCases()
    .filter((c) => !c.expectError)
    .map((c) =>
      c.sources().flatMap((s) =>
        parseAllDocuments(String(s.content))
          .map((d) => d.toJS() as unknown)
          .filter((o): o is Obj => typeof o === 'object' && o !== null && !Array.isArray(o))
          .flatMap((o) => (o['kind'] === 'List' ? ((o['items'] ?? []) as Obj[]) : [o])),
      ),
    )
    .filter((g) => g.some((o) => o['kind'] === 'Pod'));
}

/** A small deterministic generator, seeded by fast-check (so NETPOLC_SEED replays a run). */
class Draw {
  constructor(private seed: number) {}
  next(): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) & 0x7fffffff;
    return this.seed / 0x80000000;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
}

interface Place {
  readonly parent: Obj | Json[];
  readonly key: string | number;
  readonly path: readonly (string | number)[];
}

function places(v: Json, path: (string | number)[], out: Place[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push({ parent: v, key: i, path: [...path, i] });
      places(x, [...path, i], out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push({ parent: v, key: k, path: [...path, k] });
      places(v[k]!, [...path, k], out);
    }
  }
}

/** Label keys and values, and addresses, that the group uses: mutants draw from them, so selectors still meet pods. */
function pools(objs: readonly Obj[]): { keys: string[]; values: string[]; ips: string[] } {
  const keys = new Set(['app', 'role', 'tier', 'kubernetes.io/metadata.name']);
  const values = new Set<string>();
  const ips = new Set<string>();
  const visit = (v: Json, key?: string): void => {
    if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (v !== null && typeof v === 'object') {
      if (key === 'labels' || key === 'matchLabels') {
        for (const [k, x] of Object.entries(v)) {
          keys.add(k);
          if (typeof x === 'string') values.add(x);
        }
      }
      for (const [k, x] of Object.entries(v)) visit(x, k);
    } else if (typeof v === 'string' && (key === 'ip' || key === 'podIP') && /^[0-9a-f:.]+$/.test(v)) ips.add(v);
  };
  objs.forEach((o) => visit(o));
  return { keys: [...keys], values: [...values], ips: [...ips] };
}

/** Where a mutation may land: anywhere in a policy but its identity; in the inventory, labels and container ports only (a pod keeps its node and address). */
function mutable(obj: Obj): Place[] {
  const all: Place[] = [];
  places(obj, [], all);
  const inventory = obj['kind'] !== 'NetworkPolicy';
  return all.filter((p) => {
    const head = String(p.path[0]);
    if (head === 'apiVersion' || head === 'kind' || (head === 'metadata' && (p.key === 'name' || p.key === 'namespace'))) return false;
    if (inventory) return p.path.includes('labels') || (p.path.includes('ports') && (p.key === 'containerPort' || p.key === 'name' || p.key === 'protocol'));
    return true;
  });
}

/** Replacement values by field name (or by the list a value is in). */
function choices(key: string, parentKey: string, pool: ReturnType<typeof pools>): readonly Json[] | undefined {
  const v4 = pool.ips.filter((ip) => !ip.includes(':')).map((ip) => `${ip}/32`);
  switch (key) {
    case 'port':
      return [53, 80, 81, 443, 5432, 8080, 9090, 'http', 'metrics', 'dns', 'serve-80-tcp'];
    case 'endPort':
      return [80, 81, 443, 1024, 9000, 65535];
    case 'protocol':
      return ['TCP', 'UDP', 'SCTP'];
    case 'containerPort':
      return [53, 80, 81, 443, 5432, 8080, 9090];
    case 'cidr':
      return ['0.0.0.0/0', '198.18.0.0/15', '198.18.0.0/16', '198.18.1.0/24', '198.19.0.0/24', '10.0.0.0/8', '::/0', '2001:db8::/32', ...v4];
    case 'operator':
      return ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    case 'key':
      return pool.keys;
    case 'ingress':
    case 'egress':
    case 'from':
    case 'to':
    case 'ports':
      return [[], [{}]];
  }
  if (parentKey === 'except') return ['198.18.1.0/24', '198.18.0.0/16', '198.18.1.0/28', ...v4];
  if (parentKey === 'policyTypes') return ['Ingress', 'Egress'];
  if (parentKey === 'values' || parentKey === 'labels' || parentKey === 'matchLabels') return pool.values.length > 0 ? pool.values : ['a'];
  return undefined;
}

/** One to three mutations of a copy of `objs`. */
function mutate(objs: readonly Obj[], draw: Draw): Obj[] {
  const copy = JSON.parse(JSON.stringify(objs)) as Obj[];
  const pool = pools(copy);
  const count = 1 + Math.floor(draw.next() * 3);
  for (let k = 0; k < count; k++) {
    const kinds = draw.next() < 0.75 ? ['NetworkPolicy'] : ['Pod', 'Namespace'];
    const targets = copy.filter((o) => kinds.includes(String(o['kind'])));
    if (targets.length === 0) continue;
    const spots = mutable(draw.pick(targets));
    if (spots.length === 0) continue;
    const at = draw.pick(spots);
    const key = String(at.key);
    const parentKey = String(at.path[at.path.length - 2] ?? '');
    const parent = at.parent as Record<string | number, Json>;
    const r = draw.next();
    if (r < 0.2) {
      if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
      else delete parent[key];
    } else if (r < 0.3 && Array.isArray(at.parent)) {
      at.parent.push(JSON.parse(JSON.stringify(at.parent[at.key as number])) as Json);
    } else if (r < 0.4 && key.endsWith('Selector')) {
      parent[key] = {};
    } else {
      const values = choices(key, parentKey, pool);
      if (!values) continue;
      parent[at.key] = draw.pick(values);
      // A label's key moves instead of its value, now and then.
      if ((parentKey === 'labels' || parentKey === 'matchLabels') && draw.next() < 0.3) {
        const value = parent[key]!;
        delete parent[key];
        parent[draw.pick(pool.keys)] = value;
      }
    }
  }
  return copy;
}

/** Protocols and ports to probe mutants on: the corpus's own ports, and those the mutations write. */
export const mutantProbes: readonly (readonly [Protocol, number])[] = [
  ['TCP', 53],
  ['UDP', 53],
  ['TCP', 80],
  ['TCP', 81],
  ['UDP', 80],
  ['SCTP', 80],
  ['TCP', 443],
  ['TCP', 5432],
  ['TCP', 8080],
  ['TCP', 9090],
];

/** Outside addresses to probe: none of them belongs to the corpus's pods or nodes. */
const outside = ['203.0.113.5', '8.8.8.8', '198.18.0.200', '10.0.0.5', '2001:db8::99'];

/**
 * Every connection between a program's endpoints (each actionable pod address, each node address,
 * a few outside addresses; at least one end a pod, both ends of one family) on {@link mutantProbes}.
 */
export function mutantConnections(program: Program): Connection[] {
  const endpoints: Endpoint[] = [
    ...program.inventory.pods.filter((p) => p.actionable).flatMap((p) => p.addresses.map((a) => ({ kind: 'pod' as const, namespace: p.namespace, name: p.name, ip: a.ip }))),
    ...[...program.inventory.nodes.flatMap((n) => n.addresses.map((a) => a.ip)), ...outside].map((ip) => ({ kind: 'ip' as const, ip })),
  ];
  const out: Connection[] = [];
  for (const src of endpoints) {
    for (const dst of endpoints) {
      if ((src.kind === 'ip' && dst.kind === 'ip') || src.ip!.includes(':') !== dst.ip!.includes(':')) continue;
      for (const [protocol, port] of mutantProbes) out.push({ src, dst, protocol, port });
    }
  }
  return out;
}

/** Runs of a backend's mutant property: a third of the usual (100 in CI), each program probed on every endpoint pair. */
export function mutantRuns(): number {
  return Math.max(20, Math.round(numRuns(60) / 3));
}

let groups: Obj[][] | undefined;

/**
 * Mutants of the corpus's cases (manifests, often invalid: load them and skip those with
 * errors). Reproducible from fast-check's seed.
 */
export function mutatedCorpusArb(): fc.Arbitrary<Manifest[]> {
  groups ??= corpusGroups();
  const all = groups;
  return fc.tuple(fc.nat({ max: all.length - 1 }), fc.nat()).map(([g, seed]) => mutate(all[g]!, new Draw(seed + 1)) as Manifest[]);
}
