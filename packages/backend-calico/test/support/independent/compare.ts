// Drives the calico backend as the CLI does, reads its YAML text with the independent evaluator and
// compares verdicts with the reference evaluate() of @netpolc/ir.
import { evaluate, resolve, type Connection, type Diagnostic, type LoadOptions, type Program, type SideVerdict } from '@netpolc/ir';
import { loadManifests, type Manifest } from '@netpolc/ir/testing';
import { calicoBackend } from '../../../src/index.js';
import { buildCluster, type CalicoCluster, type ExtraObjects, type Labels } from './cluster.js';
export { buildCluster };
import { CalicoEvaluator, readCalicoYaml, type CalicoVerdict, type SideDecision } from './evaluator.js';

export type Mode = 'default' | 'tier' | 'log-denied' | 'log-allowed' | 'log-all' | 'audit' | 'tier-audit' | 'tier-log-all' | 'kube-admin' | 'kube-baseline-log-denied' | 'order-prefix' | 'audit-log-all' | 'tier-audit-log-allowed';
export const allModes: readonly Mode[] = ['default', 'tier', 'log-denied', 'log-allowed', 'log-all', 'audit', 'tier-audit', 'tier-log-all', 'kube-admin', 'kube-baseline-log-denied', 'order-prefix', 'audit-log-all', 'tier-audit-log-allowed'];

export function rawOptions(mode: Mode): Record<string, string | boolean> {
  switch (mode) {
    case 'default':
      return {};
    case 'tier':
      return { tier: 'mytier' };
    case 'log-denied':
      return { log: 'denied' };
    case 'log-allowed':
      return { log: 'allowed' };
    case 'log-all':
      return { log: 'all' };
    case 'audit':
      return { audit: true };
    case 'tier-audit':
      return { tier: 'mytier', audit: true };
    case 'tier-log-all':
      return { tier: 'mytier', log: 'all' };
    case 'kube-admin':
      return { tier: 'kube-admin' };
    case 'kube-baseline-log-denied':
      return { tier: 'kube-baseline', log: 'denied' };
    case 'audit-log-all':
      return { audit: true, log: 'all' };
    case 'tier-audit-log-allowed':
      return { tier: 'mytier', audit: true, log: 'allowed' };
    case 'order-prefix':
      return { order: '7.5', 'name-prefix': 'np-', tier: 'sec', 'tier-order': '20' };
  }
}

export interface Compiled {
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly errors: readonly Diagnostic[];
}

/** Compiles a program with the calico backend as `netpolc compile --backend calico --out-dir -` does. */
export function compile(program: Program, raw: Record<string, string | boolean>): Compiled {
  const parsed = calicoBackend.parseOptions({ ...raw, 'out-dir': '-' });
  if (parsed.diagnostics.some((d) => d.severity === 'error')) throw new Error(`bad options: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const out = calicoBackend.emit({ program, resolved: resolve(program) } as Parameters<typeof calicoBackend.emit>[0], parsed.options);
  const text = out.files.map((f) => f.content).join('\n---\n');
  const diagnostics = [...parsed.diagnostics, ...out.diagnostics];
  return { text, diagnostics, errors: diagnostics.filter((d) => d.severity === 'error') };
}

/** Default non-Kubernetes objects put next to every scenario's pods. */
export const trapObjects: ExtraObjects = {
  networkSets: [
    // Unlabelled catch-all GlobalNetworkSet: selected by all() or a negative selector alone.
    { name: 'gns-everything', labels: {}, nets: ['0.0.0.0/0', '::/0'] },
    // A GlobalNetworkSet labelled like pods, covering every pod and outside address.
    { name: 'gns-podlike', labels: { pod: 'a', app: 'a', tier: 'b', role: 'c', ns: 'x' }, nets: ['198.18.0.0/15', '203.0.113.0/24', '8.8.8.0/24', '2001:db8::/32'] },
    // Namespaced NetworkSets, labelled like pods, holding outside addresses.
    { name: 'ns-outside', namespace: 'x', labels: { pod: 'b', app: 'b', tier: 'a' }, nets: ['203.0.113.0/24', '8.8.8.8/32', '2001:db8:ffff::/48'] },
    { name: 'ns-outside', namespace: 'y', labels: { pod: 'a', app: 'c' }, nets: ['203.0.113.5/32', '198.18.0.200/32'] },
  ],
  hostEndpointPorts: [
    { name: 'serve-80-tcp', protocol: 'TCP', port: 80 },
    { name: 'serve-81-udp', protocol: 'UDP', port: 81 },
    { name: 'http', protocol: 'TCP', port: 80 },
    { name: 'dns', protocol: 'UDP', port: 53 },
  ],
};

/** Host endpoint labels that a pod selector without the orchestrator term would match. */
export const trapNodeLabels: Labels = { pod: 'a', app: 'a', role: 'b' };

export interface Endpointish {
  readonly label: string;
  readonly conn: Connection['src'];
}

/** Every endpoint of a program to probe: each address of each actionable pod, nodes, outside IPs. */
export function probeEndpoints(program: Program, outside: readonly string[] = ['203.0.113.5', '8.8.8.8', '198.18.0.200', '2001:db8::99', '2001:db8:ffff::1']): Endpointish[] {
  const out: Endpointish[] = [];
  for (const p of program.inventory.pods) if (p.actionable) for (const a of p.addresses) out.push({ label: `${p.namespace}/${p.name}@${a.ip}`, conn: { kind: 'pod', namespace: p.namespace, name: p.name, ip: a.ip } });
  for (const n of program.inventory.nodes) for (const a of n.addresses) out.push({ label: `node ${n.name}@${a.ip}`, conn: { kind: 'ip', ip: a.ip } });
  for (const ip of outside) out.push({ label: ip, conn: { kind: 'ip', ip } });
  return out;
}

function ipOf(program: Program, ep: Connection['src']): string {
  if (ep.kind === 'ip') return ep.ip;
  if (ep.ip) return ep.ip;
  const pod = program.inventory.pods.find((p) => p.namespace === ep.namespace && p.name === ep.name)!;
  return pod.addresses[0]!.ip;
}

export interface Outcome {
  readonly conn: Connection;
  readonly reference: { allowed: boolean; egress: SideVerdict; ingress: SideVerdict };
  readonly calico: CalicoVerdict;
}

export type RefVerdict = { allowed: boolean; egress: SideVerdict; ingress: SideVerdict };

/** Reference verdicts of connections (undefined when the reference cannot bind one: family mismatch). */
export function referenceOf(program: Program, conns: readonly Connection[]): (RefVerdict | undefined)[] {
  return conns.map((c) => {
    const r = evaluate(program, c);
    return 'error' in r ? undefined : r;
  });
}

/** The independent Calico verdict of a connection. */
export function calicoOf(program: Program, ev: CalicoEvaluator, conn: Connection): CalicoVerdict {
  const srcIp = ipOf(program, conn.src);
  const dstIp = ipOf(program, conn.dst);
  const src = { ip: srcIp, workload: ev.workloadOf(srcIp) };
  const dst = { ip: dstIp, workload: ev.workloadOf(dstIp) };
  // An ICMP connection is an echo request: ICMP type 8, ICMPv6 type 128, code 0.
  if (conn.protocol === 'ICMP') {
    const v6 = srcIp.includes(':');
    return ev.evaluate({ src, dst, protocol: v6 ? 'ICMPv6' : 'ICMP', port: 0, icmp: { type: v6 ? 128 : 8, code: 0 } });
  }
  return ev.evaluate({ src, dst, protocol: conn.protocol, port: conn.port });
}

export function describe(o: Outcome): string {
  const ep = (e: Connection['src']): string => (e.kind === 'pod' ? `${e.namespace}/${e.name}${e.ip ? '@' + e.ip : ''}` : e.ip);
  const side = (d: SideDecision): string => `${d.allowed ? 'allow' : 'deny'}(${d.reason}${d.by ? ' ' + d.by : ''}${d.logs.length ? ' logs=' + d.logs.map((l) => l.policy).join(',') : ''})`;
  return `${ep(o.conn.src)} -> ${ep(o.conn.dst)} ${o.conn.protocol}/${o.conn.port}: reference ${o.reference.allowed ? 'allow' : 'deny'} (egress ${o.reference.egress.reason}, ingress ${o.reference.ingress.reason}); calico ${o.calico.allowed ? 'allow' : 'deny'} (egress ${side(o.calico.egress)}, ingress ${side(o.calico.ingress)})`;
}

/** What the mode promises for one side, given the reference side verdict; returns a problem or undefined. */
export function checkSide(mode: Mode, ref: SideVerdict, got: SideDecision, profileIcmp = false): string | undefined {
  const denied = !ref.allowed;
  // ICMP under icmp-essentials is admitted before any policy rule: never logged (`profileIcmp`).
  const ruleAllowed = ref.reason === 'allowed-by-rule' && !profileIcmp;
  const audit = mode === 'audit' || mode === 'tier-audit' || mode === 'audit-log-all' || mode === 'tier-audit-log-allowed';
  const wantAllowed = audit ? true : ref.allowed;
  if (got.allowed !== wantAllowed) return `${ref.direction}: verdict ${got.allowed} want ${wantAllowed}`;
  let wantLogs: number;
  switch (mode) {
    case 'default':
    case 'tier':
    case 'kube-admin':
    case 'order-prefix':
      wantLogs = 0;
      break;
    case 'log-denied':
    case 'kube-baseline-log-denied':
    case 'audit':
    case 'tier-audit':
      wantLogs = denied ? 1 : 0;
      break;
    case 'log-allowed':
      wantLogs = ruleAllowed ? 1 : 0;
      break;
    case 'log-all':
    case 'tier-log-all':
    case 'audit-log-all':
    case 'tier-audit-log-allowed':
      wantLogs = denied || ruleAllowed ? 1 : 0;
      break;
  }
  if (got.logs.length !== wantLogs) return `${ref.direction}: ${got.logs.length} log hits (${got.logs.map((l) => l.policy).join(',')}), want ${wantLogs}`;
  return undefined;
}

export interface Scenario {
  readonly name: string;
  readonly manifests: readonly Manifest[];
}

export interface RunResult {
  readonly compared: number;
  readonly problems: string[];
  readonly compiled: Compiled;
}

/** Compiles a program in a mode and checks every connection among the probes. */
export function runProgram(
  program: Program,
  mode: Mode,
  conns: readonly Connection[],
  refs: readonly (RefVerdict | undefined)[] = referenceOf(program, conns),
  cluster: CalicoCluster = buildCluster(program, trapObjects),
  /** The program compiled (default: `program`); differs for label-change tests. */
  compiledFrom: Program = program,
): RunResult {
  const compiled = compile(compiledFrom, rawOptions(mode));
  const ev = new CalicoEvaluator(readCalicoYaml(compiled.text), cluster);
  const problems: string[] = [];
  let compared = 0;
  for (let i = 0; i < conns.length; i++) {
    const conn = conns[i]!;
    const reference = refs[i];
    if (!reference) continue;
    const o: Outcome = { conn, reference, calico: calicoOf(program, ev, conn) };
    compared++;
    if (compiled.errors.length > 0) {
      // Fail closed: never more than the reference.
      if (o.calico.allowed && !o.reference.allowed && !mode.includes('audit')) problems.push(`[${mode}] wider despite errors ${compiled.errors.map((d) => d.code).join(',')}: ${describe(o)}`);
      continue;
    }
    if (mode === 'default' || mode === 'tier' || mode === 'kube-admin' || mode === 'order-prefix') {
      if (o.calico.allowed !== o.reference.allowed) problems.push(`[${mode}] ${describe(o)}`);
      continue;
    }
    for (const [ref, got] of [
      [o.reference.egress, o.calico.egress],
      [o.reference.ingress, o.calico.ingress],
    ] as const) {
      const p = checkSide(mode, ref, got, conn.protocol === 'ICMP' && program.semantics.allowIcmpEssentials);
      if (p) problems.push(`[${mode}] ${p}: ${describe(o)}`);
    }
  }
  return { compared, problems, compiled };
}

/** Every probe pair × protocols × ports. */
export function allConnections(program: Program, ports: readonly number[] = [80, 81, 82], probes = probeEndpoints(program)): Connection[] {
  const out: Connection[] = [];
  for (const s of probes) for (const d of probes) for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) for (const port of ports) out.push({ src: s.conn, dst: d.conn, protocol, port });
  return out;
}

export function load(manifests: readonly Manifest[], options: LoadOptions = {}): Program | undefined {
  const r = loadManifests(manifests, options);
  if (r.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return r.program;
}
