import { resolve, type SemanticsOptions } from '@netpolc/ir';
import { icmpEssentialsScenario, icmpScenario, loadValid, type Manifest } from '@netpolc/ir/testing';
import { kernelGate, TopologyPool, type Probe } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { filesByNode, loadNode, variants } from './support/kernel.js';

// ICMP echo through the real kernel (README "Semantics": a rule without ports admits every
// protocol, one with ports none of ICMP): icmpScenario's hand-written verdicts, derived again
// from the evaluator in packages/ir/test/semantics.test.ts; and the icmp-essentials profile,
// under which every echo request passes. Both iptables variants, with and without ipsets, drop
// and reject. Skipped loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const pool = new TopologyPool('npicmpi');
afterAll(() => pool.destroy());

interface KernelProbe {
  readonly from: string;
  readonly to: string;
  readonly protocol: Probe['protocol'];
  readonly port: number;
  readonly expected: boolean;
}

/** Problems found probing `probes` in every variant and mode (empty when the kernel agrees). */
function probeEveryMode(objects: readonly Manifest[], probes: readonly KernelProbe[], semantics: Partial<SemanticsOptions> = {}): string[] {
  const program = loadValid(objects, { semantics }).program;
  const resolved = resolve(program);
  const t = pool.for(program);
  // `ns/pod@address` names one of the pod's addresses (IPv6 in icmpEssentialsScenario); a node
  // is named by its address.
  const address = (id: string): string => (id.includes('@') ? id.slice(id.indexOf('@') + 1) : (t.spec.pods.find((p) => p.id === id)?.addresses[0] ?? id));
  const all: Probe[] = probes.map((p) => ({ from: { pod: p.from }, to: address(p.to), protocol: p.protocol, port: p.port }));
  const problems: string[] = [];
  for (const variant of variants) {
    for (const flags of [{}, { 'no-ipset': true, 'deny-action': 'reject' }]) {
      const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
      expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      t.resetFirewalls();
      for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, 'noflush');
      t.probe(all, { timeoutMs: 600 }).forEach((r, i) => {
        const p = probes[i]!;
        if (r.connected !== p.expected) problems.push(`${variant} ${JSON.stringify(flags)}: ${p.from} -> ${p.to} ${p.protocol} expected ${p.expected ? 'allowed' : 'denied'}, got ${r.detail}`);
      });
    }
  }
  return problems;
}

kit(gate.label('ICMP echo passes the rules without ports and nothing else, in every variant and mode'), () => {
  gate.assertSupported();
  const { objects, probes } = icmpScenario();
  expect(probeEveryMode(objects, probes.map((p) => ({ ...p, protocol: 'ICMP', port: 0 })))).toEqual([]);
});

kit(gate.label('--semantics icmp-essentials=true: every echo request passes, TCP keeps its verdicts'), () => {
  gate.assertSupported();
  const { objects, probes } = icmpEssentialsScenario();
  expect(probeEveryMode(objects, probes, { allowIcmpEssentials: true })).toEqual([]);
});
