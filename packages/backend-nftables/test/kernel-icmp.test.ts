import { icmpEssentialsScenario, icmpScenario } from '@netpolc/ir/testing';
import { kernelGate, TopologyPool, type Probe } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { compile, loadProgram } from './support/compile.js';
import { loadRulesets } from './support/kernel.js';

// ICMP echo through the real kernel (README "Semantics": a rule without ports admits every
// protocol, one with ports none of ICMP): icmpScenario's hand-written verdicts, derived again
// from the evaluator in packages/ir/test/semantics.test.ts; drop and reject. Skipped loudly
// without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const pool = new TopologyPool('npicmpn');
afterAll(() => pool.destroy());

kit(gate.label('ICMP echo passes the rules without ports and nothing else, dropped or rejected'), () => {
  gate.assertSupported();
  const { objects, probes } = icmpScenario();
  const program = loadProgram(objects);
  const t = pool.for(program);
  // `ns/pod@address` names one of the pod's addresses (IPv6 in icmpEssentialsScenario); a node
  // is named by its address.
  const address = (id: string): string => (id.includes('@') ? id.slice(id.indexOf('@') + 1) : (t.spec.pods.find((p) => p.id === id)?.addresses[0] ?? id));
  const echo: Probe[] = probes.map((p) => ({ from: { pod: p.from }, to: address(p.to), protocol: 'ICMP', port: 0 }));
  const problems: string[] = [];
  for (const flags of [{}, { 'deny-action': 'reject' }]) {
    t.resetFirewalls();
    loadRulesets(t, compile(program, flags).texts);
    t.probe(echo, { timeoutMs: 600 }).forEach((r, i) => {
      if (r.connected !== probes[i]!.expected) problems.push(`${JSON.stringify(flags)}: ${probes[i]!.from} -> ${probes[i]!.to} expected ${probes[i]!.expected ? 'allowed' : 'denied'}, got ${r.detail}`);
    });
  }
  expect(problems).toEqual([]);
});

kit(gate.label('--semantics icmp-essentials=true: every echo request passes, TCP keeps its verdicts'), () => {
  gate.assertSupported();
  const { objects, probes } = icmpEssentialsScenario();
  const program = loadProgram(objects, { semantics: { allowIcmpEssentials: true } });
  const t = pool.for(program);
  // `ns/pod@address` names one of the pod's addresses (IPv6 in icmpEssentialsScenario); a node
  // is named by its address.
  const address = (id: string): string => (id.includes('@') ? id.slice(id.indexOf('@') + 1) : (t.spec.pods.find((p) => p.id === id)?.addresses[0] ?? id));
  const all: Probe[] = probes.map((p) => ({ from: { pod: p.from }, to: address(p.to), protocol: p.protocol, port: p.port }));
  const problems: string[] = [];
  for (const flags of [{}, { 'deny-action': 'reject' }]) {
    t.resetFirewalls();
    loadRulesets(t, compile(program, flags).texts);
    t.probe(all, { timeoutMs: 600 }).forEach((r, i) => {
      const p = probes[i]!;
      if (r.connected !== p.expected) problems.push(`${JSON.stringify(flags)}: ${p.from} -> ${p.to} ${p.protocol} expected ${p.expected ? 'allowed' : 'denied'}, got ${r.detail}`);
    });
  }
  expect(problems).toEqual([]);
});
