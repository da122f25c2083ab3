import fc from 'fast-check';
import type { Program, RawOptions, SemanticsOptions } from '@netpolc/ir';
import { kernelGate, kernelTestTimeout, TopologyPool, withTopology, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { auditCases, auditInventory, auditScenarioArb, auditScenarioProbes, bigNodeObjects, bigNodeProbes, ipBlockPolicies, ipBlockProbes, labelPolicies, labelProbes, type Manifest, type PortProbe } from '@netpolc/ir/testing';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// Audit kernel tests: corner cases the corpus and the random scenarios never or rarely produce
// (@netpolc/ir/testing audit-scenarios.ts, shared with backend-iptables), each node's file loaded
// with `nft -f` into the harness's routed two-node topology (prefix npcaudn), drop and reject,
// and probed with real packets against the reference evaluator, whose verdicts on them
// packages/ir/test/audit-scenarios.test.ts pins against semantics.md. Skipped loudly without
// root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
// As kernel.test.ts: twice the harness default, so a loaded machine does not fake a denial.
const probeOptions = { timeoutMs: 600 };

// Every scenario shares the inventory's addresses (labels change, addresses do not): one topology.
const pool = new TopologyPool('npcaudn');
afterAll(() => pool.destroy());
const topologyFor = (program: Program): Topology => pool.for(program);

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadProgram(objects, { semantics });
}

const modes: readonly RawOptions[] = [{}, { 'deny-action': 'reject' }];

/**
 * Loads the program's files (`nft -f`, replacing the previous table) and probes; the
 * disagreements. A fixed scenario must expect some probes allowed and some denied (else it tests
 * little); a random one may allow everything.
 */
function probeRound(t: Topology, program: Program, flags: RawOptions, ports: readonly PortProbe[], fixed = true): string[] {
  loadRulesets(t, compile(program, flags).texts);
  const judged = judgedProbes(program, t.spec, ports);
  if (fixed) {
    expect(judged.some((j) => j.expected)).toBe(true);
    expect(judged.some((j) => !j.expected)).toBe(true);
  }
  return disagreements(judged, t.probe(judged.map((j) => j.probe), probeOptions)).map((d) => `${JSON.stringify(flags)}: ${d}`);
}

function kernelDisagreements(program: Program, ports: readonly PortProbe[]): string[] {
  const t = topologyFor(program);
  return modes.flatMap((flags) => probeRound(t, program, flags, ports));
}


for (const c of auditCases()) {
  kit(gate.label(c.name), () => {
    gate.assertSupported();
    expect(kernelDisagreements(load(c.objects, c.semantics), c.probes)).toEqual([]);
  });
}

kit(gate.label('the ipBlocks with node-local ingress checked (allowNodeLocalIngress=false)'), () => {
  gate.assertSupported();
  expect(kernelDisagreements(load([...auditInventory(), ...ipBlockPolicies], { allowNodeLocalIngress: false }), ipBlockProbes)).toEqual([]);
});

kit(gate.label('a label change, recompiled and reloaded with nft -f: new connections follow it'), () => {
  gate.assertSupported();
  const before = load([...auditInventory('other'), ...labelPolicies]);
  const after = load([...auditInventory('client'), ...labelPolicies]);
  const t = topologyFor(before);
  const problems: string[] = [];
  for (const flags of modes) {
    // Each step replaces table inet netpolc on every node (README, "Atomic reload").
    [before, after, before].forEach((program, step) => problems.push(...probeRound(t, program, flags, labelProbes).map((d) => `step ${step} ${d}`)));
  }
  expect(problems).toEqual([]);
});

kit(gate.label('40 pods on one node, remote pods between their addresses, edge addresses in both families'), () => {
  gate.assertSupported();
  const program = load(bigNodeObjects());
  const problems: string[] = [];
  withTopology(topologyOf(program, 'npcaunb'), (t) => {
    for (const flags of modes) problems.push(...probeRound(t, program, flags, bigNodeProbes));
  });
  expect(problems).toEqual([]);
}, kernelTestTimeout);

// Random scenarios from the audit pools (audit-scenarios.ts); a new seed every run, in the name.
const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : Date.now() % 2 ** 31;

kit(gate.label(`random audit scenarios (seed ${seed}): IPv6-only pods, many ports, named ports, edge ipBlocks`), () => {
  gate.assertSupported();
  const problems: string[] = [];
  fc.sample(auditScenarioArb, { numRuns: 4, seed }).forEach((objects, i) => {
    const program = load(objects);
    withTopology(topologyOf(program, 'npcaunr'), (t) => {
      for (const flags of modes) problems.push(...probeRound(t, program, flags, auditScenarioProbes, false).map((d) => `seed ${seed} scenario ${i} ${d}`));
    });
  });
  expect(problems).toEqual([]);
}, kernelTestTimeout);
