import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import type { Program, RawOptions } from '@netpolc/ir';
import { createTopology, kernelGate, TopologyPool, type ProbeProtocol, type Topology, type TopologySpec } from '@netpolc/netns-harness';
import { casePorts, clusterArb, corpusCases, policiesArb } from '@netpolc/ir/testing';
import { goldenCases } from './support/cases.js';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// Kernel tests: the generated files loaded with `nft -f` into the node namespaces of routed
// two-node topologies (shared harness, namespace prefix npcnft), probed with real TCP, UDP and
// SCTP first packets between every pod and node address, and compared with the reference
// evaluator. Without root and tools they are skipped with the reason in their name, or fail
// when NETPOLC_KERNEL_TESTS=require.

const gate = kernelGate();
// Dropped probes wait this long; allowed ones answer in about a millisecond. Twice the
// harness default, so a loaded CI machine (turbo runs packages in parallel) does not turn a
// slow handshake into a false "denied".
const probeOptions = { timeoutMs: 600 };
const kit = it.skipIf(gate.skip);

// One topology per distinct inventory shape, reused by every scenario on it: reloading a node's
// file replaces its table, which is itself what the atomic reload must do.
const pool = new TopologyPool('npcnft', Infinity);
afterAll(() => pool.destroy());
const topologyFor = (program: Program): Topology => pool.for(program);

/** Loads the program's rulesets and probes; returns the disagreements and the probe details. */
function probeScenario(program: Program, flags: RawOptions, ports: readonly { protocol: ProbeProtocol; port: number }[]): { wrong: string[]; details: string[]; count: number } {
  const topology = topologyFor(program);
  const { texts } = compile(program, flags);
  loadRulesets(topology, texts);
  const judged = judgedProbes(program, topology.spec as TopologySpec, ports);
  const results = topology.probe(judged.map((j) => j.probe), probeOptions);
  return { wrong: disagreements(judged, results), details: results.filter((r) => !r.connected).map((r) => r.detail ?? ''), count: results.length };
}

// A port no corpus policy names, so every isolated pod must refuse it.
const extraPorts = [{ protocol: 'TCP', port: 9999 }] as const;

const kernelCases = goldenCases().filter((c) => corpusCases().some((k) => k.name === c.name) || c.name.startsWith('examples'));

for (const c of kernelCases) {
  kit(gate.label(`${c.name}: real packets through both nodes agree with the reference evaluator`), () => {
    gate.assertSupported();
    const r = c.load();
    const { wrong, details, count } = probeScenario(r.program, c.flags, [...c.ports, ...extraPorts]);
    expect(count).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    // A rejecting ruleset answers at once (TCP reset, ICMP port unreachable); a dropping one is silent.
    const expectedDetail = c.flags['deny-action'] === 'reject' ? 'refused' : 'timeout';
    expect(details.filter((d) => d !== expectedDetail)).toEqual([]);
  });
}

kit(gate.label('ports-protocols with reject and logging: denied probes are refused at once'), () => {
  gate.assertSupported();
  const corpus = corpusCases().find((k) => k.name === 'ports-protocols')!;
  const { wrong, details } = probeScenario(corpus.load().program, { 'deny-action': 'reject', log: 'all', counters: true }, casePorts(corpus.config));
  expect(wrong).toEqual([]);
  expect(details.length).toBeGreaterThan(0);
  expect(details.filter((d) => d !== 'refused')).toEqual([]);
});

// A new seed every run, in the test's name (NETPOLC_SEED replays one), as backend-iptables'
// kernel-random test does: each run probes other clusters and policies.
const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : Date.now() % 2 ** 31;

kit(gate.label(`random clusters and policies (seed ${seed}): real packets agree with the reference evaluator`), () => {
  gate.assertSupported();
  const samples = fc.sample(
    clusterArb({ nonActionable: false }).chain((cluster) =>
      fc.record({ cluster: fc.constant(cluster), policies: policiesArb(), semantics: fc.record({ ipBlockMatchesPods: fc.boolean(), ipBlockMatchesNodes: fc.boolean(), allowNodeLocalIngress: fc.boolean(), allowIcmpEssentials: fc.boolean() }) }),
    ),
    { numRuns: 4, seed },
  );
  const ports = [
    { protocol: 'TCP', port: 80 },
    { protocol: 'UDP', port: 53 },
    { protocol: 'SCTP', port: 81 },
    { protocol: 'TCP', port: 8080 },
    { protocol: 'ICMP', port: 0 },
  ] as const;
  for (const { cluster, policies, semantics } of samples) {
    const program = loadProgram([...cluster.manifests, ...policies], { semantics });
    const { wrong } = probeScenario(program, {}, ports);
    expect({ seed, wrong }).toEqual({ seed, wrong: [] });
  }
});

const foreignNft = `table inet foreign {
	set blocked {
		type ipv4_addr
		flags interval
		elements = { 198.18.250.0/24 }
	}

	chain extra {
		type filter hook forward priority 10; policy accept;
		ip saddr @blocked drop
		tcp dport 9 reject with tcp reset
	}
}
table ip foreign_nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 198.18.251.0/24 ip daddr 198.18.252.0/24 masquerade
	}
}
`;

/** `nft list ruleset` without table inet netpolc, plus the legacy iptables rules. */
function foreignState(t: Topology, ns: string): string {
  const ruleset = t.exec(ns, ['nft', 'list', 'ruleset']);
  const withoutOurs = ruleset.replace(/^table inet netpolc \{\n[\s\S]*?^\}\n/m, '');
  // Without the timestamp comments and the chain packet counters, which traffic moves.
  const legacy = t.exec(ns, ['iptables-legacy-save']).split('\n').filter((l) => !l.startsWith('#')).join('\n').replace(/\[\d+:\d+\]/g, '[-]');
  return `${withoutOurs}\n--- iptables-legacy ---\n${legacy}`;
}

function chainNames(listing: string): string[] {
  return [...listing.matchAll(/^\tchain (\S+) \{$/gm)].map((m) => m[1]!).sort();
}

kit(gate.label('reloading replaces table inet netpolc atomically and leaves every other table and rule untouched'), () => {
  gate.assertSupported();
  const corpus = (name: string): Program => corpusCases().find((k) => k.name === name)!.load().program;
  const v1 = compile(corpus('default-deny-all'));
  const v2 = compile(corpus('allow-same-namespace'));
  const topology = createTopology({ ...topologyOf(v1.program, 'x'), prefix: 'npcnftr' });
  try {
    const ns = topology.nodeNamespace('node-1');
    topology.exec(ns, ['nft', '-f', '-'], foreignNft);
    topology.exec(ns, ['iptables-legacy', '-A', 'FORWARD', '-s', '198.18.253.0/24', '-j', 'DROP']);
    const before = foreignState(topology, ns);
    expect(before).toContain('table inet foreign');

    loadRulesets(topology, v1.texts);
    expect(foreignState(topology, ns)).toBe(before);
    const first = topology.exec(ns, ['nft', 'list', 'table', 'inet', 'netpolc']);
    expect(chainNames(first)).toEqual(v1.models.get('node-1')!.table.chains.map((c) => c.name).sort());

    // v2 drops every egress chain of v1: a replacement, not a merge.
    loadRulesets(topology, v2.texts);
    expect(foreignState(topology, ns)).toBe(before);
    const second = topology.exec(ns, ['nft', 'list', 'table', 'inet', 'netpolc']);
    expect(chainNames(second)).toEqual(v2.models.get('node-1')!.table.chains.map((c) => c.name).sort());
    expect(chainNames(second)).not.toEqual(chainNames(first));
    const judged = judgedProbes(v2.program, topology.spec, [{ protocol: 'TCP', port: 80 }]);
    expect(disagreements(judged, topology.probe(judged.map((j) => j.probe), probeOptions))).toEqual([]);

    // A file that fails half-way (unknown set) changes nothing: the transaction is all or nothing.
    const broken = v1.texts.get('node-1')!.replace('\t\tct state established,related accept\n', '\t\tct state established,related accept\n\t\tip saddr @missing drop\n');
    expect(broken).not.toBe(v1.texts.get('node-1'));
    const failed = topology.run(ns, ['nft', '-f', '-'], broken);
    expect(failed.status).not.toBe(0);
    expect(topology.exec(ns, ['nft', 'list', 'table', 'inet', 'netpolc'])).toBe(second);
    expect(foreignState(topology, ns)).toBe(before);
  } finally {
    topology.destroy();
  }
});
