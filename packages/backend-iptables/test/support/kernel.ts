// Helpers for the kernel tests: the iptables variants, and reading a table back from the kernel.
import { evaluate, type Connection, type EmitFile, type Program, type RawOptions, type ResolvedProgram } from '@netpolc/ir';
import type { Probe, ProbeProtocol, ProbeResult, Topology, TopologySpec } from '@netpolc/netns-harness';
import { iptablesBackend } from '../../src/index.js';
import type { Family } from '../../src/model.js';

/** The limit of each kernel test (see the harness). */
export { kernelTestTimeout as kernelTimeout } from '@netpolc/netns-harness';

/** Both iptables backends, by their explicit binaries (never the `iptables` alternative). */
export const variants = ['nft', 'legacy'] as const;

/** One of {@link variants}. */
export type Variant = (typeof variants)[number];

/** `iptables-nft-restore`, `ip6tables-legacy-save`, … */
export function tool(family: Family, variant: Variant, what: 'restore' | 'save' | ''): string {
  return `${family === 4 ? 'iptables' : 'ip6tables'}-${variant}${what === '' ? '' : `-${what}`}`;
}

/**
 * Rules per chain of an iptables-save text (`-A CHAIN spec` lines; `-I CHAIN N spec` counts as
 * the head of CHAIN), for the chains `keep` accepts.
 */
export function rulesByChain(text: string, keep: (chain: string) => boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const inserted = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const decl = /^:(\S+) /.exec(line);
    if (decl && keep(decl[1]!)) {
      if (!out.has(decl[1]!)) out.set(decl[1]!, []);
      continue;
    }
    const append = /^-A (\S+) (.*)$/.exec(line);
    if (append && keep(append[1]!)) {
      const list = out.get(append[1]!) ?? [];
      list.push(append[2]!);
      out.set(append[1]!, list);
      continue;
    }
    const insert = /^-I (\S+) \d+ (.*)$/.exec(line);
    if (insert && keep(insert[1]!)) inserted.set(insert[1]!, [...(inserted.get(insert[1]!) ?? []), insert[2]!]);
  }
  for (const [chain, rules] of inserted) out.set(chain, [...rules, ...(out.get(chain) ?? [])]);
  return out;
}

/** The filter table of a namespace as iptables-save prints it. */
export function saveFilter(topology: Topology, ns: string, family: Family, variant: Variant): string {
  return topology.exec(ns, [tool(family, variant, 'save'), '-t', 'filter']);
}

/** Names of the ipsets in a namespace. */
export function listSets(topology: Topology, ns: string): string[] {
  return topology
    .exec(ns, ['ipset', 'list', '-n'])
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

/** Clears netpolc's traces from a namespace: both filter tables of both variants, then every set. */
export function clearNamespace(topology: Topology, ns: string): void {
  for (const variant of variants) {
    for (const family of [4, 6] as const) topology.exec(ns, [tool(family, variant, 'restore')], '*filter\nCOMMIT\n');
  }
  topology.exec(ns, ['ipset', 'destroy']);
}

/** A node's files of one compilation, by extension. */
export interface NodeFiles {
  readonly ipset?: string;
  readonly iptables: string;
  readonly ip6tables?: string;
}

/** Splits emitted files per node. */
export function filesByNode(files: readonly EmitFile[]): Map<string, NodeFiles> {
  const out = new Map<string, { ipset?: string; iptables?: string; ip6tables?: string }>();
  for (const f of files) {
    const m = /^(.*)\.(ipset|iptables|ip6tables)$/.exec(f.path);
    if (!m) throw new Error(`unexpected file ${f.path}`);
    const entry = out.get(m[1]!) ?? {};
    entry[m[2] as 'ipset' | 'iptables' | 'ip6tables'] = f.content;
    out.set(m[1]!, entry);
  }
  return new Map([...out].map(([node, f]) => {
    if (f.iptables === undefined) throw new Error(`node ${node} has no .iptables file`);
    return [node, { ...f, iptables: f.iptables }];
  }));
}

/**
 * Loads a node's files the way the README says: sets first, then each family with one restore,
 * plain (`flush`, a fresh namespace) or `--noflush` (a host with other rules).
 */
export function loadNode(topology: Topology, node: string, files: NodeFiles, variant: Variant, mode: 'flush' | 'noflush'): void {
  const ns = topology.nodeNamespace(node);
  const flag = mode === 'noflush' ? ['--noflush'] : [];
  if (files.ipset !== undefined) topology.exec(ns, ['ipset', 'restore'], files.ipset);
  topology.exec(ns, [tool(4, variant, 'restore'), ...flag], files.iptables);
  if (files.ip6tables !== undefined) topology.exec(ns, [tool(6, variant, 'restore'), ...flag], files.ip6tables);
}

/** The harness topology of a program (shared with backend-nftables through the harness). */
export { topologyOf } from '@netpolc/netns-harness';

/** One port to probe. */
export interface PortProbe {
  /** A transport, or an ICMP echo request (port 0). */
  readonly protocol: ProbeProtocol;
  readonly port: number;
}

/**
 * Probes of every ordered pair of distinct pods (each address the source has a family for), from
 * every node's primary address to every pod, and from every pod to every address of every node
 * (its own node's INPUT and, for other nodes, its node's FORWARD plus their INPUT), on every port.
 * A pod reaching itself goes over `lo` and crosses no hook, so it is not probed.
 */
export function probesOf(spec: TopologySpec, ports: readonly PortProbe[]): Probe[] {
  const family = (ip: string): number => (ip.includes(':') ? 6 : 4);
  const out: Probe[] = [];
  for (const to of spec.pods) {
    for (const address of to.addresses) {
      for (const from of spec.pods) {
        if (from.id === to.id || !from.addresses.some((a) => family(a) === family(address))) continue;
        for (const p of ports) out.push({ from: { pod: from.id }, to: address, protocol: p.protocol, port: p.port });
      }
      for (const n of spec.nodes) {
        if (!n.addresses.some((a) => family(a) === family(address))) continue;
        for (const p of ports) out.push({ from: { node: n.name }, to: address, protocol: p.protocol, port: p.port });
      }
    }
  }
  for (const n of spec.nodes) {
    for (const address of n.addresses) {
      for (const from of spec.pods) {
        if (!from.addresses.some((a) => family(a) === family(address))) continue;
        for (const p of ports) out.push({ from: { pod: from.id }, to: address, protocol: p.protocol, port: p.port });
      }
    }
  }
  return out;
}

/** What the reference evaluator says about a probe. */
export function expectedVerdict(program: Program, spec: TopologySpec, probe: Probe): boolean {
  const family = (ip: string): boolean => ip.includes(':');
  const v6 = family(probe.to);
  let src: Connection['src'];
  if ('pod' in probe.from) {
    const pod = spec.pods.find((p) => p.id === (probe.from as { pod: string }).pod)!;
    const [namespace, name] = pod.id.split('/') as [string, string];
    src = { kind: 'pod', namespace, name, ip: pod.addresses.find((a) => family(a) === v6)! };
  } else {
    const node = spec.nodes.find((n) => n.name === (probe.from as { node: string }).node)!;
    src = { kind: 'ip', ip: node.addresses.find((a) => family(a) === v6)! };
  }
  const v = evaluate(program, { src, dst: { kind: 'ip', ip: probe.to }, protocol: probe.protocol, port: probe.port });
  if ('error' in v) throw new Error(v.error);
  return v.allowed;
}

/** `x/a -> 198.18.1.10 TCP/80 (expected allowed, got refused)` for each probe that disagrees. */
export function disagreements(program: Program, spec: TopologySpec, results: readonly ProbeResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const want = expectedVerdict(program, spec, r.probe);
    if (want === r.connected) continue;
    const from = 'pod' in r.probe.from ? r.probe.from.pod : `node ${r.probe.from.node}`;
    out.push(`${from} -> ${r.probe.to} ${r.probe.protocol}/${r.probe.port} (expected ${want ? 'allowed' : 'denied'}, got ${r.detail ?? String(r.connected)})`);
  }
  return out.sort();
}

/**
 * Case `i` of a rotation over cases, in both variants: compiled with the flags of its turn (ipset
 * or not, drop or reject, logging every third case), loaded (nft into emptied tables, legacy with
 * --noflush) and probed. Returns the error diagnostics and the probes that disagree with
 * evaluate(), each labelled with variant and flags.
 */
export function rotatedRound(t: Topology, program: Program, resolved: ResolvedProgram, probes: readonly Probe[], i: number): string[] {
  const problems: string[] = [];
  for (const variant of variants) {
    const odd = (i + (variant === 'nft' ? 0 : 1)) % 2 === 1;
    const flags: RawOptions = { ...(odd ? { 'no-ipset': true } : {}), 'deny-action': odd ? 'reject' : 'drop', ...(i % 3 === 0 ? { log: 'all' } : {}) };
    const label = `${variant} ${JSON.stringify(flags)}`;
    const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
    problems.push(...out.diagnostics.filter((d) => d.severity === 'error').map((d) => `${label}: error ${d.code}`));
    t.resetFirewalls();
    for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, variant === 'nft' ? 'flush' : 'noflush');
    problems.push(...disagreements(program, t.spec, t.probe(probes)).map((d) => `${label}: ${d}`));
  }
  return problems;
}
