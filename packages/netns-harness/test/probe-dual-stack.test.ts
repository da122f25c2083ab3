import { afterAll, expect, it } from 'vitest';
import { createTopology, kernelGate, socketRound, type SocketIcmp, type Topology, type TopologySpec } from '../src/index.js';
import { allProtocols, describe, failures, meshProbes } from './support/fixtures.js';

const gate = kernelGate();
const kit = it.skipIf(gate.skip);

/** Pods 0-2 on node-a, 3-5 on node-b; pod-4 is IPv4-only and pod-5 IPv6-only. */
const topologySpec: TopologySpec = {
  prefix: 'hds',
  nodes: [
    // A second address per family, as a node with an InternalIP and an ExternalIP has.
    { name: 'node-a', addresses: ['198.18.0.1', '2001:db8::a', '198.18.0.11', '2001:db8::aa'] },
    { name: 'node-b', addresses: ['198.18.0.2', '2001:db8::b'] },
  ],
  pods: [0, 1, 2, 3, 4, 5].map((i) => ({
    id: `ns/pod-${i}`,
    node: i < 3 ? 'node-a' : 'node-b',
    addresses: i === 4 ? [v4(i)] : i === 5 ? [v6(i)] : [v4(i), v6(i)],
  })),
};
function v4(i: number): string {
  return `198.19.7.${i + 1}`;
}
function v6(i: number): string {
  return `2001:db8:7::${i + 1}`;
}

// One topology per file, firewalls emptied before each test: creating one costs more than
// resetting it, and resetFirewalls is itself under test here.
let shared: Topology | undefined;
afterAll(() => shared?.destroy());

function kernel(name: string, body: (topology: Topology) => void): void {
  kit(gate.label(name), () => {
    gate.assertSupported();
    shared ??= createTopology(topologySpec);
    shared.resetFirewalls();
    body(shared);
  });
}

kernel('connects every pod pair on TCP, UDP and SCTP over IPv4 and IPv6', (topology) => {
  const probes = meshProbes(topologySpec, [8080]);
  // 5 IPv4 pods x 5 IPv4 targets + 5 IPv6 pods x 5 IPv6 targets, 3 protocols each.
  expect(probes).toHaveLength((25 + 25) * 3);
  expect(failures(topology.probe(probes))).toEqual([]);
});

kernel('echoes ICMPv6 as ICMP, and an ip6tables DROP of echo requests fails exactly that IPv6 probe', (topology) => {
  const probes = meshProbes(topologySpec, [0], ['ICMP']);
  expect(probes).toHaveLength(25 + 25);
  expect(failures(topology.probe(probes))).toEqual([]);
  topology.exec(topology.nodeNamespace('node-b'), ['ip6tables-restore', '--noflush'], `*filter\n-A FORWARD -s ${v6(0)} -d ${v6(3)} -p ipv6-icmp --icmpv6-type echo-request -j DROP\nCOMMIT\n`);
  expect(failures(topology.probe(probes))).toEqual([`pod-0 -> ${v6(3)} ICMP/0`]);
});

kernel('an ip6tables DROP fails exactly the matching IPv6 probe and not its IPv4 twin', (topology) => {
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['ip6tables-restore', '--noflush'],
    `*filter\n-A FORWARD -s ${v6(0)} -d ${v6(3)} -p udp --dport 8080 -j DROP\nCOMMIT\n`,
  );
  expect(failures(topology.probe(meshProbes(topologySpec, [8080])))).toEqual([`pod-0 -> ${v6(3)} UDP/8080`]);
});

kernel('an nft inet REJECT refuses IPv6 probes at once', (topology) => {
  topology.exec(
    topology.nodeNamespace('node-a'),
    ['nft', '-f', '-'],
    [
      'table inet probe_test {',
      '  chain forward_filter {',
      '    type filter hook forward priority filter; policy accept;',
      `    ip6 daddr ${v6(1)} meta l4proto { tcp, udp, sctp } th dport 8080 reject with icmpx port-unreachable`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const rejected = allProtocols.map((protocol) => ({ from: { pod: 'ns/pod-5' }, to: v6(1), protocol, port: 8080 }));
  const started = performance.now();
  const results = topology.probe(rejected, { timeoutMs: 5000 });
  expect(performance.now() - started).toBeLessThan(2500);
  expect(results.map((r) => r.detail)).toEqual(['refused', 'refused', 'refused']);
  const mesh = failures(topology.probe(meshProbes(topologySpec, [8080])));
  expect(mesh).toEqual(
    ['pod-0', 'pod-2', 'pod-3', 'pod-5'].flatMap((p) => allProtocols.map((proto) => `${p} -> ${v6(1)} ${proto}/8080`)).sort(),
  );
});

kernel('node to pod probes over IPv6 come from the node IPv6 address', (topology) => {
  const probes = allProtocols.flatMap((protocol) =>
    ['node-a', 'node-b'].map((node) => ({ from: { node }, to: v6(5), protocol, port: 10250 })),
  );
  expect(failures(topology.probe(probes))).toEqual([]);
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['ip6tables-restore', '--noflush'],
    '*filter\n-A FORWARD -s 2001:db8::a -j DROP\nCOMMIT\n',
  );
  expect(failures(topology.probe(probes))).toEqual(
    allProtocols.map((protocol) => describe({ from: { node: 'node-a' }, to: v6(5), protocol, port: 10250 })).sort(),
  );
});

kernel('refuses probes from a pod without an address of the destination family', (topology) => {
  expect(() => topology.probe([{ from: { pod: 'ns/pod-5' }, to: v4(0), protocol: 'TCP', port: 80 }])).toThrow(
    /pod 'ns\/pod-5' has no IPv4 address/,
  );
  expect(() => topology.probe([{ from: { pod: 'ns/pod-4' }, to: v6(0), protocol: 'TCP', port: 80 }])).toThrow(
    /pod 'ns\/pod-4' has no IPv6 address/,
  );
});

kernel('a node with several addresses per family is reachable on all and can probe from each', (topology) => {
  const toNode = ['198.18.0.1', '198.18.0.11', '2001:db8::a', '2001:db8::aa'].flatMap((to) =>
    ['ns/pod-0', 'ns/pod-3', 'ns/pod-4', 'ns/pod-5']
      .filter((pod) => (pod === 'ns/pod-4' ? !to.includes(':') : pod === 'ns/pod-5' ? to.includes(':') : true))
      .map((pod) => ({ from: { pod }, to, protocol: 'TCP' as const, port: 22 })),
  );
  expect(toNode).toHaveLength(12);
  expect(failures(topology.probe(toNode))).toEqual([]);
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['iptables-restore', '--noflush'],
    '*filter\n-A FORWARD -s 198.18.0.11 -j DROP\nCOMMIT\n',
  );
  const fromNode = ['198.18.0.1', '198.18.0.11'].map((address) => ({
    from: { node: 'node-a', address },
    to: v4(3),
    protocol: 'UDP' as const,
    port: 53,
  }));
  const results = topology.probe(fromNode);
  expect(results.map((r) => r.connected)).toEqual([true, false]);
  expect(() => topology.probe([{ from: { node: 'node-a', address: '198.18.0.2' }, to: v4(3), protocol: 'TCP', port: 1 }])).toThrow(
    /not an address of node 'node-a'/,
  );
});

// Raw ICMP messages other than echo requests (probe/sockets.py), pod-0 (node-a) to pod-3
// (node-b). What conntrack makes of them, read off this kernel before the firewall backends'
// tests relied on it: an error about a connection that never existed is INVALID (IPv4 3 and 11,
// IPv6 1 and 3), so is an ICMPv6 echo reply without its request (129); a timestamp request (13)
// and an IPv6 node information query (139) are NEW, like echo requests.
const icmpMessages: readonly { readonly dst: string; readonly type: number; readonly code: number; readonly invalid: boolean }[] = [
  { dst: v4(3), type: 3, code: 3, invalid: true },
  { dst: v4(3), type: 11, code: 0, invalid: true },
  { dst: v4(3), type: 13, code: 0, invalid: false },
  { dst: v6(3), type: 1, code: 0, invalid: true },
  { dst: v6(3), type: 3, code: 0, invalid: true },
  { dst: v6(3), type: 129, code: 0, invalid: true },
  { dst: v6(3), type: 139, code: 0, invalid: false },
];

function sendIcmp(topology: Topology): string[] {
  const specs: SocketIcmp[] = icmpMessages.map((m) => ({ from: topology.podNamespace('ns/pod-0'), to: topology.podNamespace('ns/pod-3'), dst: m.dst, type: m.type, code: m.code }));
  return socketRound({ icmp: specs, timeoutMs: 600 }).icmp;
}

kernel('raw ICMP messages arrive; conntrack makes unrelated errors INVALID and other queries NEW', (topology) => {
  expect(sendIcmp(topology)).toEqual(icmpMessages.map(() => 'received'));
  const node = topology.nodeNamespace('node-b');
  for (const tool of ['iptables-restore', 'ip6tables-restore']) {
    topology.exec(node, [tool, '--noflush'], '*filter\n-A FORWARD -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n');
  }
  expect(sendIcmp(topology)).toEqual(icmpMessages.map((m) => (m.invalid ? 'timeout' : 'received')));
  topology.resetFirewalls();
  topology.exec(node, ['iptables-restore', '--noflush'], '*filter\n-A FORWARD -p icmp -m icmp --icmp-type 11 -j DROP\nCOMMIT\n');
  expect(sendIcmp(topology)).toEqual(icmpMessages.map((m) => (m.dst === v4(3) && m.type === 11 ? 'timeout' : 'received')));
});
