import type { SemanticsOptions } from '@netpolc/ir';
import { icmpEssentialsScenario, icmpMessagesScenario, icmpScenario, type IcmpMessageProbe, type Manifest } from '@netpolc/ir/testing';
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

/** The messages that did or did not arrive against expectation, described (see {@link socketRound}). */
export function icmpMessageProblems(topology: Topology, messages: readonly IcmpMessageProbe[], timeoutMs = 600): string[] {
  const icmp = messages.map((m) => ({ from: topology.podNamespace(m.from), to: topology.podNamespace(m.to), dst: m.address, type: m.type, code: m.code }));
  return socketRound({ icmp, timeoutMs }).icmp.flatMap((r, i) => {
    const m = messages[i]!;
    return (r === 'received') === m.expected ? [] : [`${m.from} -> ${m.address} ICMP type ${m.type} code ${m.code} expected ${m.expected ? 'delivered' : 'dropped'}, got ${r}`];
  });
}

/**
 * Loads a backend's output for `objects` under `semantics` into a topology, in each of the
 * backend's variants and modes, and collects what `check` finds there (prefixed with the mode).
 */
export type EveryMode = (objects: readonly Manifest[], semantics: Partial<SemanticsOptions>, check: (topology: Topology) => string[]) => string[];

/** A named kernel check: `run` returns its problems (empty when the kernel agrees). */
export interface KernelCheck {
  readonly name: string;
  readonly run: () => string[];
}

/**
 * The ICMP checks both firewall backends' kernel tests run: echo requests decided by the rules
 * without ports (icmpScenario); under icmp-essentials every echo request passing and TCP keeping
 * its verdicts (icmpEssentialsScenario); and other ICMP messages, under either profile, left to
 * the policies or dropped as INVALID (icmpMessagesScenario). `modes` ends the first check's name
 * (how the backend loads its output: "in every variant and mode", say).
 */
export function icmpKernelChecks(everyMode: EveryMode, modes: string): readonly KernelCheck[] {
  return [
    {
      name: `ICMP echo passes the rules without ports and nothing else, ${modes}`,
      run: () => {
        const { objects, probes } = icmpScenario();
        return everyMode(objects, {}, (t) => probeProblems(t, probes.map((p) => ({ ...p, protocol: 'ICMP', port: 0 }))));
      },
    },
    {
      name: '--semantics icmp-essentials=true: every echo request passes, TCP keeps its verdicts',
      run: () => {
        const { objects, probes } = icmpEssentialsScenario();
        return everyMode(objects, { allowIcmpEssentials: true }, (t) => probeProblems(t, probes));
      },
    },
    {
      name: 'other ICMP messages: queries decided by the policies under either profile, unrelated errors dropped as INVALID',
      run: () => {
        const { objects, probes } = icmpMessagesScenario();
        return [{}, { allowIcmpEssentials: true }].flatMap((semantics) => everyMode(objects, semantics, (t) => icmpMessageProblems(t, probes).map((p) => `${JSON.stringify(semantics)} ${p}`)));
      },
    },
  ];
}
