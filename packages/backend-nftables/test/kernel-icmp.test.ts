import type { SemanticsOptions } from '@netpolc/ir';
import type { Manifest } from '@netpolc/ir/testing';
import { icmpKernelChecks, kernelGate, TopologyPool, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { compile, loadProgram } from './support/compile.js';
import { loadRulesets } from './support/kernel.js';

// ICMP echo through the real kernel (README "Semantics": a rule without ports admits every
// protocol, one with ports none of ICMP): icmpScenario's hand-written verdicts, derived again
// from the evaluator in packages/ir/test/semantics.test.ts; the icmp-essentials profile, under
// which every echo request passes; and raw ICMP messages of other types, which the profile
// leaves to the policies or conntrack drops as INVALID first. Dropped and rejected. Skipped
// loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const pool = new TopologyPool('npicmpn');
afterAll(() => pool.destroy());

/** Problems `check` finds (each prefixed with the mode) with the program loaded, dropped and rejected. */
function everyMode(objects: readonly Manifest[], semantics: Partial<SemanticsOptions>, check: (t: Topology) => string[]): string[] {
  const program = loadProgram(objects, { semantics });
  const t = pool.for(program);
  const problems: string[] = [];
  for (const flags of [{}, { 'deny-action': 'reject' }]) {
    t.resetFirewalls();
    loadRulesets(t, compile(program, flags).texts);
    for (const problem of check(t)) problems.push(`${JSON.stringify(flags)}: ${problem}`);
  }
  return problems;
}

for (const check of icmpKernelChecks(everyMode, 'dropped or rejected')) {
  kit(gate.label(check.name), () => {
    gate.assertSupported();
    expect(check.run()).toEqual([]);
  });
}
