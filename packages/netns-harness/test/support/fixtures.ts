import type { Probe, ProbeProtocol, ProbeResult, TopologySpec, TransportProtocol } from '../../src/index.js';

/** Two nodes, `podCount` pods spread over them; IPv4, plus IPv6 when `dualStack`. */
export function twoNodeSpec(prefix: string, podCount: number, dualStack = false): TopologySpec {
  const nodes = ['node-a', 'node-b'].map((name, i) => ({
    name,
    addresses: dualStack ? [`198.18.0.${i + 1}`, `2001:db8::${i + 1}`] : [`198.18.0.${i + 1}`],
  }));
  const pods = Array.from({ length: podCount }, (_, i) => ({
    id: `ns${i % 2}/pod-${i}`,
    node: i < podCount / 2 ? 'node-a' : 'node-b',
    addresses: dualStack ? [`198.18.1.${i + 1}`, `2001:db8:1::${i + 1}`] : [`198.18.1.${i + 1}`],
  }));
  return { prefix, nodes, pods };
}

export const allProtocols: readonly TransportProtocol[] = ['TCP', 'UDP', 'SCTP'];

/**
 * Every pod to every pod address, for every protocol and port (only to addresses of a family the
 * source pod has).
 */
export function meshProbes(spec: TopologySpec, ports: readonly number[], protocols: readonly ProbeProtocol[] = allProtocols): Probe[] {
  const probes: Probe[] = [];
  const isV6 = (address: string): boolean => address.includes(':');
  for (const from of spec.pods) {
    for (const to of spec.pods) {
      for (const address of to.addresses) {
        if (!from.addresses.some((own) => isV6(own) === isV6(address))) continue;
        for (const protocol of protocols) {
          for (const port of ports) probes.push({ from: { pod: from.id }, to: address, protocol, port });
        }
      }
    }
  }
  return probes;
}

/** The probes that did not connect, as sorted one-line descriptions. */
export function failures(results: readonly ProbeResult[]): string[] {
  return results.filter((r) => !r.connected).map((r) => describe(r.probe)).sort();
}

/** `pod-0 -> 198.18.1.3 TCP/80` (or `node:node-a -> …`). */
export function describe(probe: Probe): string {
  const from = 'pod' in probe.from ? probe.from.pod.split('/')[1] : `node:${probe.from.node}`;
  return `${from} -> ${probe.to} ${probe.protocol}/${probe.port}`;
}
