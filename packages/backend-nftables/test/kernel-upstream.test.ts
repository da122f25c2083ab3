import { afterAll, expect, it } from 'vitest';
import type { Program, Protocol, RawOptions } from '@netpolc/ir';
import { kernelGate, TopologyPool, type Topology } from '@netpolc/netns-harness';
import { upstreamModel, upstreamMoreScenarios, upstreamScenarios, type UpstreamScenario } from '@netpolc/ir/testing';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets } from './support/kernel.js';

// Kernel tests of the upstream Kubernetes NetworkPolicy e2e states (@netpolc/ir/testing
// upstreamMoreScenarios and upstreamScenarios on the x/y/z x a/b/c upstreamModel;
// packages/ir/test/upstream-cases-more and upstream-cases pin their reference verdicts to
// upstream's tables): each state compiled for every node, loaded with `nft -f`, and probed with
// real TCP, UDP and SCTP first packets on ports 80 and 81 from every pod to every pod and node
// address and from the node to every pod; every probe must get the reference evaluator's verdict.
// The named-port states are probed on the same ports, serve-80-tcp being TCP/80 (TCP/82 of the
// endPort states is not probed: the ir test pins it). Skipped loudly without root and the tools;
// failing when NETPOLC_KERNEL_TESTS=require (CI).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
// As kernel.test.ts: twice the harness default, so a loaded CI machine does not turn a slow
// handshake into a false "denied".
const probeOptions = { timeoutMs: 600 };

// Relabelled states change labels only; the topology is built from names and addresses, so one
// topology serves every state (checked). Each load replaces table inet netpolc, as a reload must.
const pool = new TopologyPool('npcupn');
afterAll(() => pool.destroy());
const topologyFor = (program: Program): Topology => pool.for(program);

const ports: readonly { protocol: Protocol; port: number }[] = (['TCP', 'UDP', 'SCTP'] as const).flatMap((protocol) => [80, 81].map((port) => ({ protocol, port })));

// Both tables of states, one after the other (the rotation below runs on over both).
const states: readonly (readonly [string, UpstreamScenario])[] = [
  ...Object.entries(upstreamMoreScenarios).map(([name, s]) => [`upstream-more: ${name}`, s] as const),
  ...Object.entries(upstreamScenarios).map(([name, s]) => [`upstream: ${name}`, s] as const),
];

states.forEach(([name, s], i) => {
  kit(gate.label(`${name}: real packets agree with the reference evaluator`), () => {
    gate.assertSupported();
    const program = loadProgram([...upstreamModel(s.labels ?? {}), ...s.policies]);
    const t = topologyFor(program);
    // Rotated over states: drop or reject, and logging.
    const flags: RawOptions = { 'deny-action': i % 2 === 1 ? 'reject' : 'drop', ...(i % 3 === 0 ? { log: 'all' } : {}) };
    const { texts, diagnostics } = compile(program, flags);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    loadRulesets(t, texts);
    const judged = judgedProbes(program, t.spec, ports);
    expect(judged.length).toBeGreaterThan(0);
    const results = t.probe(judged.map((j) => j.probe), probeOptions);
    expect(disagreements(judged, results)).toEqual([]);
    // A rejecting ruleset answers at once (TCP reset, ICMP port unreachable); a dropping one is silent.
    const expectedDetail = flags['deny-action'] === 'reject' ? 'refused' : 'timeout';
    expect(results.filter((r) => !r.connected).map((r) => r.detail ?? '').filter((d) => d !== expectedDetail)).toEqual([]);
  });
});
