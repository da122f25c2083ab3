import fc from 'fast-check';
import { evaluate, type Program, type RawOptions, type SemanticsOptions } from '@netpolc/ir';
import type { Manifest } from '@netpolc/ir/testing';
import { createTopology, kernelGate, withTopology, type Probe, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { auditInventory, auditScenarioArb, auditScenarioProbes, bigNodeObjects, bigNodeProbes, ipBlockPolicies, ipBlockProbes, labelPolicies, labelProbes, manyPortsPolicy, manyPortsProbes, namedPortPolicies, namedPortProbes, type PortProbe } from '@netpolc/ir/testing';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// Audit kernel tests: corner cases the corpus and the random scenarios never or rarely produce
// (support/audit.ts, shared with backend-iptables), each node's file loaded with `nft -f` into
// the harness's routed two-node topology (prefix npcaudn), drop and reject, and probed with real
// packets against the reference evaluator. A few verdicts of the evaluator are pinned first
// against semantics.md, so that kernel and evaluator cannot agree on a wrong answer. Skipped
// loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
// As kernel.test.ts: twice the harness default, so a loaded machine does not fake a denial.
const probeOptions = { timeoutMs: 600 };

// Every scenario shares the inventory's addresses (labels change, addresses do not): one topology.
let topology: Topology | undefined;
afterAll(() => topology?.destroy());
function topologyFor(program: Program): Topology {
  topology ??= createTopology(topologyOf(program, 'npcaudn'));
  expect(topologyOf(program, 'npcaudn')).toEqual(topology.spec);
  return topology;
}

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadProgram(objects, { semantics });
}

const modes: readonly RawOptions[] = [{}, { 'deny-action': 'reject' }];

/** Loads the program's files (`nft -f`, replacing the previous table) and probes; the disagreements. */
function probeRound(t: Topology, program: Program, flags: RawOptions, ports: readonly PortProbe[]): string[] {
  loadRulesets(t, compile(program, flags).texts);
  const judged = judgedProbes(program, t.spec, ports);
  expect(judged.some((j) => j.expected)).toBe(true);
  expect(judged.some((j) => !j.expected)).toBe(true);
  return disagreements(judged, t.probe(judged.map((j) => j.probe), probeOptions)).map((d) => `${JSON.stringify(flags)}: ${d}`);
}

function kernelDisagreements(program: Program, ports: readonly PortProbe[]): string[] {
  const t = topologyFor(program);
  return modes.flatMap((flags) => probeRound(t, program, flags, ports));
}

/** evaluate() on one connection of the audit inventory. */
function verdict(program: Program, from: Probe['from'], to: string, protocol: Probe['protocol'], port: number): boolean {
  const [namespace, name] = 'pod' in from ? (from.pod.split('/') as [string, string]) : ['', ''];
  const nodeIp = (): string => program.inventory.nodes.find((n) => n.name === (from as { node: string }).node)!.addresses.map((a) => a.ip).find((ip) => ip.includes(':') === to.includes(':'))!;
  const v = evaluate(program, { src: 'pod' in from ? { kind: 'pod', namespace, name } : { kind: 'ip', ip: nodeIp() }, dst: { kind: 'ip', ip: to }, protocol, port });
  if ('error' in v) throw new Error(v.error);
  return v.allowed;
}
const client = { pod: 'y/client' } as const;
const client2 = { pod: 'y/client2' } as const;

kit(gate.label('more than 15 ports, ranges ending at 65535, TCP, UDP and SCTP in one rule'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), manyPortsPolicy]);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 65535)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 64999)).toBe(false);
  expect(verdict(program, client, '2001:db8::1:10', 'SCTP', 65535)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'UDP', 65534)).toBe(false);
  expect(kernelDisagreements(program, manyPortsProbes)).toEqual([]);
});

kit(gate.label('named ports: per destination pod, one name on TCP and UDP, with an ipBlock, with empty to'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...namedPortPolicies]);
  expect(verdict(program, client, '198.18.0.10', 'TCP', 8080)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 8080)).toBe(false);
  expect(verdict(program, client, '198.18.0.10', 'TCP', 7071)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'UDP', 7070)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 7070)).toBe(false);
  expect(verdict(program, client, '198.18.1.30', 'TCP', 8080)).toBe(false);
  // `web` towards ipBlocks: srv2's IPv4 address is inside 198.18.0.0/15, its IPv6 one outside 2001:db8::/112.
  expect(verdict(program, client, '198.18.1.10', 'TCP', 9090)).toBe(true);
  expect(verdict(program, client, '2001:db8::1:10', 'TCP', 9090)).toBe(false);
  expect(verdict(program, client, '2001:db8::20', 'TCP', 8181)).toBe(true);
  expect(verdict(program, client2, '2001:db8::20', 'TCP', 8181)).toBe(false);
  expect(verdict(program, client, '198.18.1.30', 'UDP', 7072)).toBe(true);
  expect(kernelDisagreements(program, namedPortProbes)).toEqual([]);
});

kit(gate.label('ipBlocks: /0 both families, except is not a deny, /32 and /128, IPv4 blocks on IPv6, node addresses'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...ipBlockPolicies]);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 80)).toBe(true);
  expect(verdict(program, client, '198.18.0.10', 'TCP', 80)).toBe(false);
  expect(verdict(program, client, '2001:db8::1:20', 'TCP', 81)).toBe(true);
  expect(verdict(program, client, '2001:db8::1:10', 'TCP', 81)).toBe(false);
  expect(verdict(program, client, '2001:db8::10', 'TCP', 443)).toBe(false);
  expect(verdict(program, client, '2001:db8::10', 'SCTP', 80)).toBe(false);
  expect(verdict(program, { node: 'node-2' }, '2001:db8::20', 'TCP', 443)).toBe(true);
  expect(verdict(program, { node: 'node-1' }, '2001:db8::20', 'TCP', 80)).toBe(true);
  expect(verdict(program, { pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 443)).toBe(true);
  expect(verdict(program, { pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 80)).toBe(false);
  expect(kernelDisagreements(program, ipBlockProbes)).toEqual([]);
});

kit(gate.label('the same ipBlocks with ipBlockMatchesPods=false and with node-local ingress checked'), () => {
  gate.assertSupported();
  const noPods = load([...auditInventory(), ...ipBlockPolicies], { ipBlockMatchesPods: false });
  expect(verdict(noPods, client, '198.18.1.10', 'TCP', 80)).toBe(false);
  expect(verdict(noPods, { node: 'node-2' }, '2001:db8::20', 'TCP', 443)).toBe(true);
  const noLocal = load([...auditInventory(), ...ipBlockPolicies], { allowNodeLocalIngress: false });
  // node-1 reaches its own v6a only where an ipBlock names it (none does); node-1 -> x/v4 by 198.19.0.0/16.
  expect(verdict(noLocal, { node: 'node-1' }, '2001:db8::20', 'TCP', 80)).toBe(false);
  expect(verdict(noLocal, { node: 'node-2' }, '198.18.1.30', 'TCP', 80)).toBe(true);
  expect(verdict(noLocal, { node: 'node-2' }, '198.18.1.30', 'TCP', 443)).toBe(false);
  expect([...kernelDisagreements(noPods, ipBlockProbes), ...kernelDisagreements(noLocal, ipBlockProbes)]).toEqual([]);
});

kit(gate.label('a hostNetwork pod whose labels a selector matches is node traffic'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...labelPolicies]);
  expect(verdict(program, { node: 'node-2' }, '198.18.0.10', 'TCP', 80)).toBe(false);
  expect(verdict(program, { node: 'node-2' }, '198.18.1.10', 'TCP', 81)).toBe(true);
  expect(verdict(program, client, '198.18.0.10', 'TCP', 80)).toBe(true);
  expect(kernelDisagreements(program, labelProbes)).toEqual([]);
});

kit(gate.label('a label change, recompiled and reloaded with nft -f: new connections follow it'), () => {
  gate.assertSupported();
  const before = load([...auditInventory('other'), ...labelPolicies]);
  const after = load([...auditInventory('client'), ...labelPolicies]);
  expect(verdict(before, client2, '198.18.0.10', 'TCP', 80)).toBe(false);
  expect(verdict(after, client2, '198.18.0.10', 'TCP', 80)).toBe(true);
  expect(verdict(before, { node: 'node-1' }, '198.18.1.40', 'TCP', 80)).toBe(true);
  expect(verdict(after, { node: 'node-1' }, '198.18.1.40', 'TCP', 80)).toBe(false);
  expect(verdict(after, { pod: 'x/srv1' }, '198.18.1.40', 'TCP', 81)).toBe(true);
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
  expect(verdict(program, { pod: 'x/p1' }, '198.18.12.127', 'UDP', 81)).toBe(true);
  expect(verdict(program, { pod: 'x/p1' }, '198.18.0.1', 'TCP', 80)).toBe(false);
  const problems: string[] = [];
  withTopology(topologyOf(program, 'npcaunb'), (t) => {
    for (const flags of modes) problems.push(...probeRound(t, program, flags, bigNodeProbes));
  });
  expect(problems).toEqual([]);
}, 240_000);

// Random scenarios from the audit pools (support/audit.ts); a new seed every run, in the name.
const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : Date.now() % 2 ** 31;

kit(gate.label(`random audit scenarios (seed ${seed}): IPv6-only pods, many ports, named ports, edge ipBlocks`), () => {
  gate.assertSupported();
  const problems: string[] = [];
  fc.sample(auditScenarioArb, { numRuns: 4, seed }).forEach((objects, i) => {
    const program = load(objects);
    withTopology(topologyOf(program, 'npcaunr'), (t) => {
      for (const flags of modes) {
        loadRulesets(t, compile(program, flags).texts);
        const judged = judgedProbes(program, t.spec, auditScenarioProbes);
        problems.push(...disagreements(judged, t.probe(judged.map((j) => j.probe), probeOptions)).map((d) => `seed ${seed} scenario ${i} ${JSON.stringify(flags)}: ${d}`));
      }
    });
  });
  expect(problems).toEqual([]);
}, 240_000);
