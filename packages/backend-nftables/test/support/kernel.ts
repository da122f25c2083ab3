// Glue between a program and the shared netns harness: the topology of its inventory, the
// probes between every pod and node address, and the reference verdict of each probe.
import { evaluate, type Connection, type Endpoint, type Program } from '@netpolc/ir';
import type { Probe, ProbeProtocol, ProbeResult, Topology, TopologySpec } from '@netpolc/netns-harness';

/** The routed topology of a program (shared with backend-iptables through the harness). */
export { topologyOf } from '@netpolc/netns-harness';

/** A probe with the connection the reference evaluator judges. */
export interface JudgedProbe {
  readonly probe: Probe;
  readonly expected: boolean;
}

/**
 * Every pod to every pod and node address, and every node to every pod address, of the same
 * family, on each port.
 */
export function judgedProbes(program: Program, spec: TopologySpec, ports: readonly { protocol: ProbeProtocol; port: number }[]): JudgedProbe[] {
  const family = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);
  const podAddresses = spec.pods.flatMap((p) => p.addresses.map((ip) => ({ ip, pod: p.id })));
  const nodeAddresses = spec.nodes.flatMap((n) => n.addresses.map((ip) => ({ ip, node: n.name })));
  const out: JudgedProbe[] = [];
  const judge = (probe: Probe, src: Endpoint, dst: Endpoint): void => {
    const conn: Connection = { src, dst, protocol: probe.protocol, port: probe.port };
    const v = evaluate(program, conn);
    if ('error' in v) throw new Error(`cannot judge ${JSON.stringify(conn)}: ${v.error}`);
    out.push({ probe, expected: v.allowed });
  };
  const podEndpoint = (id: string, ip: string): Endpoint => {
    const [namespace, name] = id.split('/') as [string, string];
    return { kind: 'pod', namespace, name, ip };
  };
  for (const { protocol, port } of ports) {
    for (const p of spec.pods) {
      for (const srcIp of p.addresses) {
        for (const d of podAddresses) if (family(d.ip) === family(srcIp)) judge({ from: { pod: p.id }, to: d.ip, protocol, port }, podEndpoint(p.id, srcIp), podEndpoint(d.pod, d.ip));
        for (const n of nodeAddresses) if (family(n.ip) === family(srcIp)) judge({ from: { pod: p.id }, to: n.ip, protocol, port }, podEndpoint(p.id, srcIp), { kind: 'ip', ip: n.ip });
      }
    }
    for (const n of nodeAddresses) {
      for (const d of podAddresses) if (family(d.ip) === family(n.ip)) judge({ from: { node: n.node }, to: d.ip, protocol, port }, { kind: 'ip', ip: n.ip }, podEndpoint(d.pod, d.ip));
    }
  }
  return out;
}

/** Probes that did not do what the reference evaluator says, as readable lines. */
export function disagreements(judged: readonly JudgedProbe[], results: readonly ProbeResult[]): string[] {
  return results.flatMap((r, i) => {
    const expected = judged[i]!.expected;
    if (r.connected === expected) return [];
    const from = 'pod' in r.probe.from ? r.probe.from.pod : `node ${r.probe.from.node}`;
    return [`${from} -> ${r.probe.to} ${r.probe.protocol}/${r.probe.port}: expected ${expected ? 'allowed' : 'denied'}, got ${r.detail ?? (r.connected ? 'connected' : 'blocked')}`];
  });
}

/** Loads each node's file with `nft -f` into its node namespace. */
export function loadRulesets(topology: Topology, texts: ReadonlyMap<string, string>): void {
  for (const [node, text] of texts) topology.exec(topology.nodeNamespace(node), ['nft', '-f', '-'], text);
}
