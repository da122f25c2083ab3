import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { cidrBounds, evaluate, formatIp, parseCidr, parseIp, type Connection, type Endpoint, type Program, type Protocol } from '@netpolc/ir';
import { namespace, pod, portPool, type GeneratedCluster, type Manifest } from '@netpolc/ir/testing';

// Builders of the CI audit (ci-audit.test.ts): git repositories, inventory changes between BASE
// and HEAD, and the brute-force connectivity difference that `netpolc diff --format json` must equal.

/** Runs git in `dir` with a fixed identity; throws on failure. */
export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=audit@example.com', '-c', 'user.name=audit', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Writes `files` (path relative to `dir` -> text) under `dir`, making the directories. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A JSON `kind: List` file of manifests. */
export const listFile = (items: readonly Manifest[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1);

/** One item of `netpolc diff --format json`. */
export interface DiffItem {
  readonly from: string;
  readonly to: string;
  readonly family?: 'IPv4' | 'IPv6';
  readonly protocol: string;
  readonly ports: readonly string[];
}

/** The parsed JSON report. */
export interface DiffJson {
  readonly summary: { readonly added: number; readonly removed: number };
  readonly added: readonly DiffItem[];
  readonly removed: readonly DiffItem[];
  readonly podsOnlyInBase: readonly string[];
  readonly podsOnlyInHead: readonly string[];
}

/** How HEAD's inventory differs from BASE's. */
export type InventoryChange =
  | { readonly kind: 'none' }
  | { readonly kind: 'relabel'; readonly which: number; readonly labels: Record<string, string> }
  | { readonly kind: 'ns-labels'; readonly ns: 'x' | 'y' | 'z'; readonly labels: Record<string, string> }
  | { readonly kind: 'new-pod'; readonly ns: 'x' | 'y' | 'z'; readonly labels: Record<string, string> }
  | { readonly kind: 'new-ip'; readonly which: number };

const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'role'), fc.constantFrom('a', 'b', 'c'), { maxKeys: 2 });
const ns = fc.constantFrom('x' as const, 'y' as const, 'z' as const);

export const inventoryChangeArb: fc.Arbitrary<InventoryChange> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.record({ kind: fc.constant('relabel' as const), which: fc.nat(), labels }),
  fc.record({ kind: fc.constant('ns-labels' as const), ns, labels }),
  fc.record({ kind: fc.constant('new-pod' as const), ns, labels }),
  fc.record({ kind: fc.constant('new-ip' as const), which: fc.nat() }),
);

/** HEAD's inventory: the cluster's manifests with `change` applied. */
export function changedInventory(cluster: GeneratedCluster, change: InventoryChange): Manifest[] {
  const m = [...cluster.manifests];
  const podAt = (which: number): number => {
    const at = m.map((x, i) => (x['kind'] === 'Pod' ? i : -1)).filter((i) => i >= 0);
    return at[which % at.length]!;
  };
  switch (change.kind) {
    case 'none':
      return m;
    case 'relabel': {
      const i = podAt(change.which);
      m[i] = { ...m[i]!, metadata: { ...(m[i]!['metadata'] as object), labels: change.labels } };
      return m;
    }
    case 'ns-labels':
      return m.map((x) => (x['kind'] === 'Namespace' && (x['metadata'] as { name: string }).name === change.ns ? namespace(change.ns, change.labels) : x));
    case 'new-pod':
      return [...m, pod(change.ns, 'newcomer', change.labels, ['198.18.0.99', '2001:db8::99'], { node: 'node-2', ports: [['http', 80, 'TCP']] })];
    case 'new-ip': {
      // The pod recreated with another address (a StatefulSet pod keeps its name).
      const i = podAt(change.which);
      const status = m[i]!['status'] as { podIP?: string; podIPs?: { ip: string }[] };
      if (!status.podIP) return m;
      m[i] = { ...m[i]!, status: { ...status, podIP: '198.18.1.250', podIPs: [{ ip: '198.18.1.250' }, ...(status.podIPs ?? []).slice(1)] } };
      return m;
    }
  }
}

/** Ports probed: every value and range end the arbitraries' policies use, each side of it. */
export const probePorts = [1, 53, 54, 55, 80, 81, 82, 84, 110, 111, 443, 444, 474, 5353, 8080, 8081];

/** External addresses probed: both ends of every ipBlock the arbitraries use, and just outside them. */
export function externalProbes(): string[] {
  const cidrs = [
    '198.18.0.0/15', '198.18.0.0/24', '198.18.1.0/24', '198.18.0.10/31', '198.19.0.0/24', '0.0.0.0/0', '203.0.113.0/24', '198.18.1.0/25', '198.18.0.12/30',
    '198.18.0.10/32', '198.18.1.0/28', '198.19.0.0/16', '2001:db8::/32', '2001:db8::/120', '::/0', '2001:db8::8/125', '2001:db8::/124', '2001:db8::c/126',
  ];
  const out = new Set<string>(['8.8.8.8', '2001:db8:1::1', '198.19.0.1', '198.19.0.2', '2001:db8:ffff::1']);
  for (const text of cidrs) {
    const c = parseCidr(text)!;
    const [lo, hi] = cidrBounds(c);
    const max = c.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    // lo - 1 is the end of a range below, which another block's hi + 1 or 0/0 covers as well.
    for (const v of [lo, hi, hi + 1n]) if (v >= 0n && v <= max) out.add(formatIp(c.family, v));
  }
  return [...out];
}

const protocols: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function inPorts(ports: readonly string[], port: number): boolean {
  return ports.some((p) => {
    if (p === 'all') return true;
    const [a, b] = p.split('-').map(Number);
    return port >= a! && port <= (b ?? a)!;
  });
}

/** A CIDR of a report (pods are `ns/name`, and names here hold no dots or colons). */
function isCidrText(text: string): boolean {
  return !text.includes('/') || text.includes('.') || text.includes(':');
}

const cidrs = new Map<string, { family: 4 | 6; lo: bigint; hi: bigint }>();

function endpointMatches(text: string, ep: { pod?: string; ip: string }): boolean {
  if (isCidrText(text)) {
    if (ep.pod !== undefined) return false;
    let c = cidrs.get(text);
    if (!c) {
      const parsed = parseCidr(text)!;
      const [lo, hi] = cidrBounds(parsed);
      cidrs.set(text, (c = { family: parsed.family, lo, hi }));
    }
    const ip = parseIp(ep.ip)!;
    return ip.family === c.family && ip.value >= c.lo && ip.value <= c.hi;
  }
  return ep.pod === text;
}

/** The key of the items that can cover a probe: its protocol and each end's pod, or `*` for an address. */
function indexKey(protocol: string, from: { pod?: string } | string, to: { pod?: string } | string): string {
  const end = (e: { pod?: string } | string): string => (typeof e === 'string' ? (isCidrText(e) ? '*' : e) : (e.pod ?? '*'));
  return `${protocol} ${end(from)} ${end(to)}`;
}

function indexItems(items: readonly DiffItem[]): Map<string, DiffItem[]> {
  const out = new Map<string, DiffItem[]>();
  for (const i of items) {
    const key = indexKey(i.protocol, i.from, i.to);
    const list = out.get(key);
    if (list) list.push(i);
    else out.set(key, [i]);
  }
  return out;
}

/** A probed connection: `pod` is `ns/name` for a pod end. */
interface Probe {
  readonly src: { pod?: string; ip: string };
  readonly dst: { pod?: string; ip: string };
  readonly family: 4 | 6;
  readonly protocol: Protocol;
  readonly port: number;
}

function verdict(p: Program, probe: Probe, ipOf: (id: string, family: 4 | 6) => string | undefined): boolean | undefined {
  const ep = (e: Probe['src']): Endpoint => {
    if (e.pod === undefined) return { kind: 'ip', ip: e.ip };
    const [namespace, name] = e.pod.split('/') as [string, string];
    const ip = ipOf(e.pod, probe.family);
    return ip === undefined ? { kind: 'pod', namespace, name } : { kind: 'pod', namespace, name, ip };
  };
  const v = evaluate(p, { src: ep(probe.src), dst: ep(probe.dst), protocol: probe.protocol, port: probe.port } satisfies Connection);
  return 'error' in v ? undefined : v.allowed;
}

/**
 * Every mismatch between the JSON report and the brute-force difference of `evaluate` on both
 * programs: over pods (actionable on both sides) pairwise per family, and pods with the
 * external addresses of {@link externalProbes} that are no pod's on either side, on
 * {@link probePorts} of every protocol. Empty when the report is exact.
 */
export function bruteForceMismatches(base: Program, head: Program, report: DiffJson, limit = 5): string[] {
  type Ips = { readonly v4: string | undefined; readonly v6: string | undefined };
  const actionable = (p: Program): Map<string, Ips> =>
    new Map(
      p.inventory.pods
        .filter((q) => q.actionable)
        .map((q) => [`${q.namespace}/${q.name}`, { v4: q.addresses.find((a) => a.family === 4)?.ip, v6: q.addresses.find((a) => a.family === 6)?.ip }]),
    );
  const pb = actionable(base);
  const ph = actionable(head);
  const common = [...pb.keys()].filter((id) => ph.has(id)).sort();
  const podIps = new Set([...pb.values(), ...ph.values()].flatMap((a) => [a.v4, a.v6]).filter((x): x is string => x !== undefined));
  const externals = externalProbes().filter((ip) => !podIps.has(ip));
  const ipIn = (m: Map<string, Ips>) => (id: string, f: 4 | 6) => (f === 4 ? m.get(id)?.v4 : m.get(id)?.v6);
  const fam = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);
  const probes: Probe[] = [];
  for (const f of [4, 6] as const) {
    const withF = common.filter((id) => ipIn(pb)(id, f) && ipIn(ph)(id, f));
    for (const s of withF) {
      for (const d of withF) for (const protocol of protocols) for (const port of probePorts) probes.push({ src: { pod: s, ip: ipIn(pb)(s, f)! }, dst: { pod: d, ip: ipIn(pb)(d, f)! }, family: f, protocol, port });
      for (const x of externals.filter((ip) => fam(ip) === f)) {
        for (const protocol of protocols) {
          for (const port of probePorts) {
            probes.push({ src: { pod: s, ip: ipIn(pb)(s, f)! }, dst: { ip: x }, family: f, protocol, port });
            probes.push({ src: { ip: x }, dst: { pod: s, ip: ipIn(pb)(s, f)! }, family: f, protocol, port });
          }
        }
      }
    }
  }
  // Items by protocol and ends (a pod, or any CIDR): a scan of every item per probe took 29 s
  // for one report of 1 892 items.
  const candidates = { added: indexItems(report.added), removed: indexItems(report.removed) };
  const out: string[] = [];
  for (const probe of probes) {
    const vb = verdict(base, probe, ipIn(pb));
    const vh = verdict(head, probe, ipIn(ph));
    if (vb === undefined || vh === undefined) continue;
    const covering = (['added', 'removed'] as const).flatMap((change) =>
      (candidates[change].get(indexKey(probe.protocol, probe.src, probe.dst)) ?? [])
        .filter((i) => endpointMatches(i.from, probe.src) && endpointMatches(i.to, probe.dst) && inPorts(i.ports, probe.port) && (i.family === undefined || i.family === `IPv${probe.family}`))
        .map(() => change),
    );
    const expected = vb === vh ? [] : [vh ? 'added' : 'removed'];
    if (covering.join() !== expected.join()) {
      const name = (e: Probe['src']): string => e.pod ?? e.ip;
      out.push(`${name(probe.src)} -> ${name(probe.dst)} ${probe.protocol}/${probe.port} IPv${probe.family}: base ${vb}, head ${vh}; report ${covering.join('+') || 'nothing'}`);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** The repository root of netpolc (for the example's files). */
export const repoRoot = new URL('../../../../', import.meta.url).pathname;

/**
 * A policy repository as a platform team keeps one: `cluster.yaml` and the example's policies
 * under `policiesDir`, committed on `main` and tagged `v1`. Returns the commit's SHA.
 */
export function policyRepo(dir: string, policiesDir = 'policies'): string {
  git(dir, 'init', '-q');
  cpSync(join(repoRoot, 'examples/cluster.yaml'), join(dir, 'cluster.yaml'));
  cpSync(join(repoRoot, 'examples/policies'), join(dir, policiesDir), { recursive: true });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'tag', 'v1');
  return git(dir, 'rev-parse', 'HEAD').trim();
}

/** The `summary` of a JSON diff report (or the exit code and stderr when there is none). */
export function summaryOf(r: { code: number; stdout: string; stderr: string }): unknown {
  try {
    return { code: r.code, ...(JSON.parse(r.stdout) as DiffJson).summary };
  } catch {
    return { code: r.code, stderr: r.stderr };
  }
}

/**
 * A cluster of `namespaces` x `pods` pods (`app: a<i>`) and two policy sets that differ in every
 * policy: each pod admits the next one (BASE) or the one after it on another port (HEAD). Every
 * change is its own group, as in a refactoring of many per-app policies.
 */
export function manyChanges(namespaces: number, pods: number): { inventory: Manifest[]; base: Manifest[]; head: Manifest[] } {
  const inventory: Manifest[] = [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.255.0.1' }] } }];
  const base: Manifest[] = [];
  const head: Manifest[] = [];
  for (let n = 0; n < namespaces; n++) {
    inventory.push(namespace(`ns${n}`));
    for (let p = 0; p < pods; p++) {
      inventory.push(pod(`ns${n}`, `pod${p}`, { app: `a${p}` }, `10.${n}.0.${p + 1}`, { node: 'n1' }));
      for (const [side, out] of [[0, base], [1, head]] as const) {
        out.push({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: `np${p}`, namespace: `ns${n}` },
          spec: { podSelector: { matchLabels: { app: `a${p}` } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: `a${(p + 1 + side) % pods}` } } }], ports: [{ port: 8000 + p + side * n }] }] },
        });
      }
    }
  }
  return { inventory, base, head };
}

/** One `allowedBy` entry of `netpolc explain --format json`. */
export interface ExplainMatch {
  readonly policy: string;
  readonly rule: number;
  readonly peer: number | null;
  readonly port: number | null;
  readonly at: string;
}

type Spec = { podSelector: unknown; policyTypes?: string[]; ingress?: Record<string, unknown>[]; egress?: Record<string, unknown>[] };

/** The policy types the API server defaults (`[]` or omitted: Ingress, plus Egress with egress rules). */
function policyTypesOf(spec: Spec): string[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
  return ['Ingress', ...((spec.egress ?? []).length > 0 ? ['Egress'] : [])];
}

/**
 * The policies with one direction's rules edited by `keep` (rule -> kept rule or undefined), the
 * policy types made explicit so that removing rules never changes which pods are isolated.
 */
export function editRules(policies: readonly Manifest[], dir: 'ingress' | 'egress', keep: (policy: string, index: number, rule: Record<string, unknown>) => Record<string, unknown> | undefined): Manifest[] {
  return policies.map((m) => {
    const meta = m['metadata'] as { name: string; namespace: string };
    const spec = m['spec'] as Spec;
    const rules = (spec[dir] ?? []).flatMap((r, i) => {
      const k = keep(`${meta.namespace}/${meta.name}`, i, r);
      return k ? [k] : [];
    });
    return { ...m, spec: { ...spec, policyTypes: policyTypesOf(spec), [dir]: rules } };
  });
}

/** The JSON value that starts at 1-based `line`:`column` of `text` (an object or array), parsed. */
export function jsonValueAt(text: string, line: number, column: number): unknown {
  const lines = text.split('\n');
  let at = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  const open = text[at];
  if (open !== '{' && open !== '[') return undefined;
  let depth = 0;
  let inString = false;
  for (const start = at; at < text.length; at++) {
    const c = text[at]!;
    if (inString) {
      if (c === '\\') at++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth === 0) return JSON.parse(text.slice(start, at + 1));
    }
  }
  return undefined;
}

/** The pod-to-pod connections (IPv4, every protocol and pool port) that a rule allows on some side. */
export function allowedByRule(program: Program, cluster: GeneratedCluster): Connection[] {
  const ends = cluster.pods.flatMap((p) => {
    const ip = p.actionable ? p.ips.find((i) => !i.includes(':')) : undefined;
    const [namespace, name] = p.id.split('/') as [string, string];
    return ip ? [{ kind: 'pod' as const, namespace, name, ip }] : [];
  });
  const out: Connection[] = [];
  for (const src of ends) {
    for (const dst of ends) {
      for (const protocol of protocols) {
        for (const port of portPool) {
          const conn: Connection = { src, dst, protocol, port };
          const v = evaluate(program, conn);
          if (!('error' in v) && (v.egress.reason === 'allowed-by-rule' || v.ingress.reason === 'allowed-by-rule')) out.push(conn);
        }
      }
    }
  }
  return out;
}
