import { resolve, type SemanticsOptions } from '@netpolc/ir';
import { loadValid, type Manifest } from '@netpolc/ir/testing';
import { icmpKernelChecks, kernelGate, TopologyPool, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { filesByNode, loadNode, variants } from './support/kernel.js';

// ICMP echo through the real kernel (README "Semantics": a rule without ports admits every
// protocol, one with ports none of ICMP): icmpScenario's hand-written verdicts, derived again
// from the evaluator in packages/ir/test/semantics.test.ts; the icmp-essentials profile, under
// which every echo request passes; and raw ICMP messages of other types, which the profile
// leaves to the policies or conntrack drops as INVALID first. Both iptables variants, with and without ipsets, drop
// and reject. Skipped loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const pool = new TopologyPool('npicmpi');
afterAll(() => pool.destroy());

/**
 * Problems `check` finds (each prefixed with the variant and mode) with the program of `objects`
 * loaded in every variant and mode, dropped and rejected.
 */
function everyMode(objects: readonly Manifest[], semantics: Partial<SemanticsOptions>, check: (t: Topology) => string[]): string[] {
  const program = loadValid(objects, { semantics }).program;
  const resolved = resolve(program);
  const t = pool.for(program);
  const problems: string[] = [];
  for (const variant of variants) {
    for (const flags of [{}, { 'no-ipset': true, 'deny-action': 'reject' }]) {
      const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
      expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      t.resetFirewalls();
      for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, 'noflush');
      for (const problem of check(t)) problems.push(`${variant} ${JSON.stringify(flags)}: ${problem}`);
    }
  }
  return problems;
}

for (const check of icmpKernelChecks(everyMode, 'in every variant and mode')) {
  kit(gate.label(check.name), () => {
    gate.assertSupported();
    expect(check.run()).toEqual([]);
  });
}
