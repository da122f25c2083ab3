import { expect, it } from 'vitest';
import { planTopology, podBridge, podGatewayV4, podGatewayV6, type TopologyPlan } from '../src/plan.js';
import { checkSpec, type TopologySpec } from '../src/spec.js';
import { twoNodeSpec } from './support/fixtures.js';

// The bridged layout as data: what each namespace gets, checked without a kernel. Pods 0-2 on
// node-a, 3-5 on node-b (twoNodeSpec), dual stack.
const routed = twoNodeSpec('unit', 6, true);
const bridged: TopologySpec = { ...routed, layout: 'bridged' };
const plan = planTopology(checkSpec(bridged));
const batch = (p: TopologyPlan, ns: string): readonly string[] => p.namespaceBatches.get(ns) ?? [];
const podNs = (i: number): string => plan.podNamespaces.get(routed.pods[i]!.id)!;
const nodeNs = (name: string): string => plan.nodeNamespaces.get(name)!;

it('plans the routed layout when none is given, exactly as before the option existed', () => {
  const plain = planTopology(checkSpec(routed));
  expect(planTopology(checkSpec({ ...routed, layout: 'routed' }))).toEqual(plain);
  const everything = [...plain.rootBatch, ...[...plain.namespaceBatches.values()].flat(), JSON.stringify(plain.sysctls)];
  expect(everything.filter((line) => line.includes(podBridge))).toEqual([]);
});

it('refuses an unknown layout', () => {
  expect(() => checkSpec({ ...routed, layout: 'switched' as 'routed' })).toThrow(/unknown layout 'switched'/);
});

it('gives each node a bridge cni0 with the gateway addresses, the pod veths as its ports', () => {
  for (const node of ['node-a', 'node-b']) {
    const bridges = plan.rootBatch.filter((l) => / type bridge$/.test(l) && l.includes(` netns ${nodeNs(node)} `));
    expect(bridges).toHaveLength(1);
    expect(bridges[0]).toMatch(new RegExp(`^link add name ${podBridge} netns ${nodeNs(node)} address \\S+ type bridge$`));
    const lines = batch(plan, nodeNs(node));
    expect(lines).toContain(`addr add ${podGatewayV4}/32 dev ${podBridge} scope link`);
    expect(lines).toContain(`addr add ${podGatewayV6}/64 dev ${podBridge} nodad`);
    // No gateway address on a port: the bridge answers for all of them.
    expect(lines.filter((l) => l.startsWith('addr add') && / dev vp\d+/.test(l))).toEqual([]);
  }
  const ports = (node: string): string[] => batch(plan, nodeNs(node)).flatMap((l) => /^link set dev (vp\d+) master cni0 up$/.exec(l)?.[1] ?? []);
  expect(ports('node-a')).toEqual(['vp0', 'vp1', 'vp2']);
  expect(ports('node-b')).toEqual(['vp3', 'vp4', 'vp5']);
});

it('routes each pod of a node over its bridge, and turns br_netfilter on in node namespaces only', () => {
  const lines = batch(plan, nodeNs('node-a'));
  for (const i of [0, 1, 2]) {
    const [v4, v6] = routed.pods[i]!.addresses as [string, string];
    expect(lines).toContain(`route add ${v4}/32 dev ${podBridge} scope link src 198.18.0.1`);
    expect(lines).toContain(`route add ${v6}/128 dev ${podBridge} src 2001:db8::1`);
  }
  for (const { ns, set } of plan.sysctls) {
    const bridgeCalls = set.filter(([key]) => key.startsWith('net/bridge/bridge-nf-call-ip'));
    if ([...plan.nodeNamespaces.values()].includes(ns)) {
      // Not optional (no trailing `?`): without br_netfilter the topology must not build.
      expect(bridgeCalls).toEqual([
        ['net/bridge/bridge-nf-call-iptables', '1'],
        ['net/bridge/bridge-nf-call-ip6tables', '1'],
      ]);
    } else if (ns === plan.fabricNamespace) {
      expect(bridgeCalls.every(([, value]) => value === '0')).toBe(true);
    } else {
      expect(bridgeCalls).toEqual([]);
    }
  }
});

it('gives each pod on-link routes to the other pods of its node only, no static neighbour for them, and the default route via the bridge', () => {
  const bridgeMac = (node: string): string => / address (\S+) type bridge$/.exec(plan.rootBatch.find((l) => l.includes(` netns ${nodeNs(node)} `) && l.endsWith('type bridge'))!)![1]!;
  for (const [i, node] of routed.pods.map((p, j) => [j, p.node] as const)) {
    const lines = batch(plan, podNs(i));
    const peers = routed.pods.filter((p, j) => j !== i && p.node === node);
    const onLink = lines.filter((l) => /^route add 2001:db8:\S+\/128 dev eth0$|^route add 198\.\S+\/32 dev eth0 scope link$/.test(l));
    expect(onLink.sort()).toEqual(peers.flatMap((p) => [`route add ${p.addresses[0]}/32 dev eth0 scope link`, `route add ${p.addresses[1]}/128 dev eth0`]).sort());
    expect(lines).toContain(`route add default via ${podGatewayV4} dev eth0`);
    expect(lines).toContain(`route add ::/0 via ${podGatewayV6} dev eth0`);
    // Only the gateway is static; peers are resolved by ARP and neighbour discovery.
    expect(lines.filter((l) => l.startsWith('neigh add'))).toEqual([
      `neigh add ${podGatewayV4} lladdr ${bridgeMac(node)} dev eth0 nud permanent`,
      `neigh add ${podGatewayV6} lladdr ${bridgeMac(node)} dev eth0 nud permanent`,
    ]);
  }
});

it('keeps every MAC unique with the bridges added', () => {
  const macs = plan.rootBatch.flatMap((line) => [...line.matchAll(/\baddress (\S+)/g)].map((m) => m[1]));
  expect(macs).toHaveLength(2 + 2 * 2 + 6 * 2);
  expect(new Set(macs).size).toBe(macs.length);
});
