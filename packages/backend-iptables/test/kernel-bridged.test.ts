import { resolve, type Program, type RawOptions } from '@netpolc/ir';
import { bridgedModel, bridgedSpoofingArrivals, bridgedSpoofingDatagrams, bridgedSpoofingNodeDatagrams, bridgedSpoofingObjects, bridgedSpoofingPort, bridgedStates, loadValid } from '@netpolc/ir/testing';
import { acrossBridge, bridgedKernelGate, bridgedPairs, createTopology, forgedArrivals, forgedNodeArrivals, sameNodePair, setRpFilter, type Probe, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { disagreements, expectedVerdict, filesByNode, kernelTimeout, loadNode, probesOf, rotatedRound, topologyOf, variants, type PortProbe } from './support/kernel.js';

// Kernel tests on a bridged pod network (the harness's `layout: 'bridged'`: each node's pods on
// a bridge cni0, br_netfilter on), where pods of one node talk at layer 2 and their traffic
// reaches FORWARD only through br_netfilter, with cni0 as input and output interface. The README
// claims the rules work there unchanged, that neighbour discovery between bridged pods passes,
// and what --pod-interface cni0 does and does not stop. Both iptables variants. Needs root and
// br_netfilter: skipped loudly without, failing when NETPOLC_KERNEL_TESTS=require.
const gate = bridgedKernelGate();
const kit = it.skipIf(gate.skip);
const ports: readonly PortProbe[] = (['TCP', 'UDP', 'SCTP'] as const).flatMap((protocol) => [80, 81].map((port) => ({ protocol, port })));

// Every state has the model's names and addresses: one topology for them all.
let shared: Topology | undefined;
const topologies: Topology[] = [];
afterAll(() => topologies.forEach((t) => t.destroy()));
function bridged(program: Program, prefix: string): Topology {
  const t = createTopology({ ...topologyOf(program, prefix), layout: 'bridged' });
  topologies.push(t);
  return t;
}
const program = (objects: readonly Record<string, unknown>[]): Program => loadValid(objects).program;

/** Loads the program compiled with `flags` in `variant`; the probes that disagree with evaluate(). */
function round(t: Topology, p: Program, flags: RawOptions, variant: (typeof variants)[number], probes: readonly Probe[]): string[] {
  const out = iptablesBackend.emit({ program: p, resolved: resolve(p) }, iptablesBackend.parseOptions(flags).options);
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  t.resetFirewalls();
  for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, 'noflush');
  return disagreements(p, t.spec, t.probe(probes, { timeoutMs: 600 })).map((d) => `${variant} ${JSON.stringify(flags)}: ${d}`);
}

bridgedStates().forEach(([name, s], i) => {
  kit(gate.label(`bridged: ${name}: every pod pair, same node included, agrees with the reference evaluator (nft and legacy)`), () => {
    gate.assertSupported();
    const p = program([...bridgedModel(s.labels ?? {}), ...s.policies]);
    shared ??= bridged(p, 'npcbri');
    const probes = probesOf(shared.spec, ports);
    const local = probes.filter((q) => sameNodePair(shared!.spec, q));
    // 2 families x (5 x 4 + 4 x 3) ordered pairs x 6 ports, some allowed and some denied.
    expect(local).toHaveLength(384);
    const verdicts = local.map((q) => expectedVerdict(p, shared!.spec, q));
    expect([verdicts.includes(true), verdicts.includes(false)]).toEqual([true, true]);
    expect(rotatedRound(shared, p, resolve(p), probes, i)).toEqual([]);
    // The pairs of one node really were bridged (learnt the peer's MAC, on-link route).
    expect(bridgedPairs(shared)).toEqual({ bridged: 64, problems: [] });
  }, kernelTimeout);
});

// An isolated pod's IPv6 to a bridge neighbour needs neighbour discovery, which crosses FORWARD
// untracked (README, "Neighbour discovery between pods"): x/a is isolated both ways, allows y
// (y/a and y/b share its node) and refuses x/b and z/a (there too).
kit(gate.label('bridged: IPv6 between an isolated pod and its bridge neighbours, neighbour caches empty, as the policies say (nft and legacy)'), () => {
  gate.assertSupported();
  const [, state] = bridgedStates()[0]!;
  const p = program([...bridgedModel(), ...state.policies]);
  const t = bridged(p, 'npcbrin');
  const node1 = t.spec.pods.filter((q) => q.node === 'node-1');
  const v6 = (id: string): string => node1.find((q) => q.id === id)!.addresses.find((a) => a.includes(':'))!;
  const probes: Probe[] = node1
    .filter((q) => q.id !== 'x/a')
    .flatMap((q) => ports.flatMap((port) => [{ from: { pod: 'x/a' }, to: v6(q.id), ...port }, { from: { pod: q.id }, to: v6('x/a'), ...port }]));
  const verdicts = probes.map((q) => expectedVerdict(p, t.spec, q));
  expect([verdicts.filter(Boolean).length, verdicts.filter((v) => !v).length]).toEqual([16, 32]);
  const problems: string[] = [];
  for (const variant of variants) {
    for (const q of node1) t.exec(t.podNamespace(q.id), ['ip', 'neigh', 'flush', 'dev', 'eth0']);
    problems.push(...round(t, p, {}, variant, probes));
    // Resolved both ways, refused peers too: what refuses them is the policy, not a lost solicitation.
    const pairs = bridgedPairs(t, (from, to, address) => address.includes(':') && (from === 'x/a' || to === 'x/a'));
    problems.push(...pairs.problems.map((d) => `${variant}: ${d}`));
    if (pairs.bridged !== 8) problems.push(`${variant}: ${pairs.bridged} IPv6 neighbour pairs with x/a resolved, expected 8`);
  }
  expect(problems).toEqual([]);
}, kernelTimeout);

// --pod-interface cni0 (README, "Forged source addresses", Limits: on a bridge name the bridge).
// The rules drop what comes in on cni0 from a source not routed back through cni0: another
// node's pod, the node's own address. Every pod of the node is routed through cni0, so claiming
// one of them still passes: the README's stated limit, asserted as such below.
kit(gate.label('bridged, --pod-interface cni0: legitimate traffic as the policies say; forged sources of other nodes and of the node dropped, a neighbour pod still claimable (the documented limit); vp* or rp_filter=1 instead leave bridged forgeries open (nft and legacy)'), () => {
  gate.assertSupported();
  const p = program(bridgedSpoofingObjects());
  const t = bridged(p, 'npcbrs');
  const datagrams = acrossBridge(t, bridgedSpoofingDatagrams());
  const probes = probesOf(t.spec, [{ protocol: 'UDP', port: bridgedSpoofingPort }, { protocol: 'TCP', port: 80 }]);
  const arrivals: Record<string, string[]> = {};
  const toNode: Record<string, string[]> = {};
  const problems: string[] = [];
  for (const variant of variants) {
    for (const flags of [{}, { 'pod-interface': ['cni0'] }, { 'pod-interface': ['vp*'] }] as RawOptions[]) {
      const label = `${variant} ${JSON.stringify(flags)}`;
      problems.push(...round(t, p, flags, variant, probes));
      arrivals[label] = forgedArrivals(t, datagrams);
      toNode[label] = forgedNodeArrivals(t, 'node-1', bridgedSpoofingNodeDatagrams());
    }
    // The README's advice without the option, rp_filter=1 ("the IPv4 half is then the kernel's"),
    // holds for routed IPv4 only: frames across the bridge never meet the reverse path check.
    round(t, p, {}, variant, []);
    setRpFilter(t, 1);
    arrivals[`${variant} {} rp_filter=1`] = forgedArrivals(t, datagrams);
    toNode[`${variant} {} rp_filter=1`] = forgedNodeArrivals(t, 'node-1', bridgedSpoofingNodeDatagrams());
    setRpFilter(t, 0);
  }
  const expected = Object.entries(bridgedSpoofingArrivals());
  expect(arrivals).toEqual(Object.fromEntries(variants.flatMap((v) => expected.map(([run, e]) => [`${v} ${run}`, e.pods]))));
  expect(toNode).toEqual(Object.fromEntries(variants.flatMap((v) => expected.map(([run, e]) => [`${v} ${run}`, e.node]))));
  expect(problems).toEqual([]);
}, kernelTimeout);
