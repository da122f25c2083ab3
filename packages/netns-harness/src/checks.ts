import type { Probe, ProbeProtocol } from './probe.js';
import { socketRound } from './sockets.js';
import type { Topology } from './topology.js';

/**
 * A probe from a pod (by id) with its expected verdict. `to` is a pod id (its first address),
 * `ns/pod@address` (one of the pod's addresses), or a node's address.
 */
export interface ExpectedProbe {
  readonly from: string;
  readonly to: string;
  readonly protocol: ProbeProtocol;
  readonly port: number;
  readonly expected: boolean;
}

/** The probes whose verdict in `topology` is not the expected one, described (empty when all agree). */
export function probeProblems(topology: Topology, probes: readonly ExpectedProbe[], timeoutMs = 600): string[] {
  const address = (to: string): string => (to.includes('@') ? to.slice(to.indexOf('@') + 1) : (topology.spec.pods.find((p) => p.id === to)?.addresses[0] ?? to));
  const all: Probe[] = probes.map((p) => ({ from: { pod: p.from }, to: address(p.to), protocol: p.protocol, port: p.port }));
  return topology.probe(all, { timeoutMs }).flatMap((r, i) => {
    const p = probes[i]!;
    return r.connected === p.expected ? [] : [`${p.from} -> ${p.to} ${p.protocol} expected ${p.expected ? 'allowed' : 'denied'}, got ${r.detail}`];
  });
}

/** A raw ICMP(v6) message from a pod to one of another pod's addresses, and whether it should arrive. */
export interface ExpectedIcmpMessage {
  readonly from: string;
  readonly to: string;
  readonly address: string;
  readonly type: number;
  readonly code: number;
  readonly expected: boolean;
}

/** The messages that did or did not arrive against expectation, described (see {@link socketRound}). */
export function icmpMessageProblems(topology: Topology, messages: readonly ExpectedIcmpMessage[], timeoutMs = 600): string[] {
  const icmp = messages.map((m) => ({ from: topology.podNamespace(m.from), to: topology.podNamespace(m.to), dst: m.address, type: m.type, code: m.code }));
  return socketRound({ icmp, timeoutMs }).icmp.flatMap((r, i) => {
    const m = messages[i]!;
    return (r === 'received') === m.expected ? [] : [`${m.from} -> ${m.address} ICMP type ${m.type} code ${m.code} expected ${m.expected ? 'delivered' : 'dropped'}, got ${r}`];
  });
}
