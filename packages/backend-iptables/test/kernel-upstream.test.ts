import { resolve, type Program } from '@netpolc/ir';
import { loadValid, upstreamModel, upstreamMoreScenarios, upstreamScenarios, type UpstreamScenario } from '@netpolc/ir/testing';
import { kernelGate, TopologyPool, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { kernelTimeout, probesOf, rotatedRound, type PortProbe } from './support/kernel.js';

// Kernel tests of the upstream Kubernetes NetworkPolicy e2e states (@netpolc/ir/testing
// upstreamMoreScenarios and upstreamScenarios on the x/y/z x a/b/c upstreamModel;
// packages/ir/test/upstream-cases-more and upstream-cases pin their reference verdicts to
// upstream's tables): each state compiled for every node, loaded
// with iptables-nft and iptables-legacy, and probed with real TCP, UDP and SCTP first packets on
// ports 80 and 81 between every ordered pair of pods, from the node to every pod and from every
// pod to the node; every probe must get the reference evaluator's verdict. The named-port states
// are probed on the same ports, serve-80-tcp being TCP/80 (TCP/82 of the endPort states is not
// probed: the ir test pins it).
// Skipped loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require (CI).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);

// Relabelled states change labels only; the topology is built from names and addresses, so one
// topology serves every state (checked), firewalls reset between rounds.
const pool = new TopologyPool('npcupi');
afterAll(() => pool.destroy());
const topologyFor = (program: Program): Topology => pool.for(program);

const ports: readonly PortProbe[] = (['TCP', 'UDP', 'SCTP'] as const).flatMap((protocol) => [80, 81].map((port) => ({ protocol, port })));

// Both tables of states, one after the other (the rotation below runs on over both).
const states: readonly (readonly [string, UpstreamScenario])[] = [
  ...Object.entries(upstreamMoreScenarios).map(([name, s]) => [`upstream-more: ${name}`, s] as const),
  ...Object.entries(upstreamScenarios).map(([name, s]) => [`upstream: ${name}`, s] as const),
];

states.forEach(([name, s], i) => {
  kit(gate.label(`${name} behaves in the kernel as the reference evaluator says (nft and legacy)`), () => {
    gate.assertSupported();
    const program = loadValid([...upstreamModel(s.labels ?? {}), ...s.policies]).program;
    const resolved = resolve(program);
    const t = topologyFor(program);
    const probes = probesOf(t.spec, ports);
    expect(probes.length).toBeGreaterThan(0);
    // Rotated over states as kernel-corpus rotates over cases.
    expect(rotatedRound(t, program, resolved, probes, i)).toEqual([]);
  }, kernelTimeout);
});
