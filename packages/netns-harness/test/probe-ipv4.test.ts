import { afterAll, expect, it } from 'vitest';
import { createTopology, kernelGate, listNamespaces, withTopology, type Topology } from '../src/index.js';
import { allProtocols, describe, failures, meshProbes, twoNodeSpec } from './support/fixtures.js';

// Kernel tests: a real routed topology in network namespaces (see README). Without root and the
// tools they are skipped with the reason in their name, or fail when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const topologySpec = twoNodeSpec('hv4', 6);
const ports = [80, 5353];

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

/** Pods 0-2 run on node-a, 3-5 on node-b. */
const pod = (i: number): string => `ns${i % 2}/pod-${i}`;
const ip = (i: number): string => `198.18.1.${i + 1}`;

kernel('connects every pod pair on TCP, UDP and SCTP when there is no firewall', (topology) => {
  const results = topology.probe(meshProbes(topologySpec, ports));
  expect(results).toHaveLength(6 * 6 * 3 * 2);
  expect(failures(results)).toEqual([]);
});

kernel('echoes ICMP between every pod pair, and a DROP of echo requests fails exactly that probe', (topology) => {
  const probes = meshProbes(topologySpec, [0], ['ICMP']);
  expect(failures(topology.probe(probes))).toEqual([]);
  topology.exec(topology.nodeNamespace('node-a'), ['iptables-restore', '--noflush'], `*filter\n-A FORWARD -s ${ip(0)} -d ${ip(4)} -p icmp --icmp-type echo-request -j DROP\nCOMMIT\n`);
  expect(failures(topology.probe(probes))).toEqual([`pod-0 -> ${ip(4)} ICMP/0`]);
});

kernel('an iptables DROP in a node FORWARD chain fails exactly the matching probe (same node)', (topology) => {
  topology.exec(
    topology.nodeNamespace('node-a'),
    ['iptables-restore', '--noflush'],
    `*filter\n-A FORWARD -s ${ip(0)} -d ${ip(1)} -p tcp --dport 80 -j DROP\nCOMMIT\n`,
  );
  const results = topology.probe(meshProbes(topologySpec, ports));
  expect(failures(results)).toEqual([`pod-0 -> ${ip(1)} TCP/80`]);
  expect(results.find((r) => !r.connected)?.detail).toBe('timeout');
});

kernel('traffic between nodes crosses the FORWARD hook of both nodes', (topology) => {
  // pod-0 (node-a) -> pod-4 (node-b): dropped on the source node for UDP, on the destination
  // node for SCTP; pod-5 (node-b) -> pod-1 (node-a) dropped on the destination node for TCP.
  topology.exec(
    topology.nodeNamespace('node-a'),
    ['iptables-restore', '--noflush'],
    `*filter\n-A FORWARD -s ${ip(0)} -d ${ip(4)} -p udp --dport 5353 -j DROP\n` +
      `-A FORWARD -s ${ip(5)} -d ${ip(1)} -p tcp --dport 80 -j DROP\nCOMMIT\n`,
  );
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['iptables-legacy-restore', '--noflush'],
    `*filter\n-A FORWARD -s ${ip(0)} -d ${ip(4)} -p sctp --dport 80 -j DROP\nCOMMIT\n`,
  );
  const results = topology.probe(meshProbes(topologySpec, ports));
  expect(failures(results)).toEqual(
    [`pod-0 -> ${ip(4)} UDP/5353`, `pod-0 -> ${ip(4)} SCTP/80`, `pod-5 -> ${ip(1)} TCP/80`].sort(),
  );
});

kernel('an nft REJECT fails the matching probes at once, as refused', (topology) => {
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['nft', '-f', '-'],
    [
      'table inet probe_test {',
      '  chain forward_filter {',
      '    type filter hook forward priority filter; policy accept;',
      `    ip saddr ${ip(2)} ip daddr ${ip(3)} tcp dport 80 reject with tcp reset`,
      `    ip saddr ${ip(2)} ip daddr ${ip(3)} udp dport 80 reject`,
      `    ip saddr ${ip(2)} ip daddr ${ip(3)} sctp dport 80 reject`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const rejected = allProtocols.map((protocol) => ({ from: { pod: pod(2) }, to: ip(3), protocol, port: 80 }));
  const started = performance.now();
  const quick = topology.probe(rejected, { timeoutMs: 5000 });
  // Bounded by the ICMP/RST round trip, not the 5 s timeout.
  expect(performance.now() - started).toBeLessThan(2500);
  expect(quick.map((r) => [describe(r.probe), r.connected, r.detail])).toEqual(
    rejected.map((p) => [describe(p), false, 'refused']),
  );
  const results = topology.probe(meshProbes(topologySpec, ports));
  expect(failures(results)).toEqual(rejected.map(describe).sort());
});

kernel('node to pod probes work from the node address, locally and across nodes', (topology) => {
  const probes = allProtocols.flatMap((protocol) =>
    ['node-a', 'node-b'].flatMap((node) => [0, 5].map((i) => ({ from: { node }, to: ip(i), protocol, port: 10250 }))),
  );
  expect(failures(topology.probe(probes))).toEqual([]);
  // The source really is the node address: a rule on it fails exactly node-a's probes to pod-0.
  topology.exec(
    topology.nodeNamespace('node-a'),
    ['iptables-restore', '--noflush'],
    `*filter\n-A OUTPUT -s 198.18.0.1 -d ${ip(0)} -j DROP\nCOMMIT\n`,
  );
  expect(failures(topology.probe(probes))).toEqual(
    allProtocols.map((protocol) => `node:node-a -> ${ip(0)} ${protocol}/10250`).sort(),
  );
});

kernel('a probe never reuses a conntrack entry of an earlier round', (topology) => {
  const probe = (protocol: 'TCP' | 'UDP' | 'SCTP') => ({ from: { pod: pod(0) }, to: ip(4), protocol, port: 80 });
  const probes = allProtocols.map(probe);
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['iptables-restore', '--noflush'],
    '*filter\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n',
  );
  expect(failures(topology.probe(probes))).toEqual([]);
  // New connections are now dropped; entries from the first round must not let probes through.
  topology.exec(
    topology.nodeNamespace('node-b'),
    ['iptables-restore', '--noflush'],
    `*filter\n-A FORWARD -m conntrack --ctstate NEW -d ${ip(4)} -j DROP\nCOMMIT\n`,
  );
  expect(failures(topology.probe(probes))).toEqual(probes.map(describe).sort());
});

kernel('SCTP INITs carry a valid CRC32c: conntrack does not mark them INVALID', (topology) => {
  topology.exec(
    topology.nodeNamespace('node-a'),
    ['nft', '-f', '-'],
    'table inet probe_test {\n  chain forward_filter {\n    type filter hook forward priority filter;\n    ct state invalid drop\n  }\n}\n',
  );
  const probes = [1, 3].map((i) => ({ from: { pod: pod(0) }, to: ip(i), protocol: 'SCTP' as const, port: 9 }));
  expect(failures(topology.probe(probes))).toEqual([]);
  // Control: with a corrupted checksum the same INITs are INVALID and dropped.
  expect(failures(topology.probe(probes, { sctpBadChecksum: true }))).toEqual(probes.map(describe).sort());
});

kernel('ipset sets load in a node namespace and iptables matches them', (topology) => {
  const node = topology.nodeNamespace('node-a');
  topology.exec(node, ['ipset', 'restore'], `create probe-dst hash:ip family inet\nadd probe-dst ${ip(2)}\n`);
  topology.exec(
    node,
    ['iptables-restore', '--noflush'],
    `*filter\n-A FORWARD -s ${ip(1)} -m set --match-set probe-dst dst -p udp --dport 53 -j REJECT\nCOMMIT\n`,
  );
  const results = topology.probe(meshProbes(topologySpec, [53], ['UDP']));
  expect(failures(results)).toEqual([`pod-1 -> ${ip(2)} UDP/53`]);
});

kernel('resetFirewalls empties nft, iptables-nft, iptables-legacy and ipset state', (topology) => {
  const node = topology.nodeNamespace('node-a');
  topology.exec(node, ['iptables-nft-restore', '--noflush'], '*filter\n:FORWARD DROP [0:0]\nCOMMIT\n');
  topology.exec(node, ['ipset', 'restore'], `create reset-probe hash:ip family inet\nadd reset-probe ${ip(1)}\n`);
  topology.exec(
    node,
    ['iptables-legacy-restore', '--noflush'],
    '*filter\n:FORWARD DROP [0:0]\n-N NETPOLC-X\n-A FORWARD -m set --match-set reset-probe dst -j NETPOLC-X\nCOMMIT\n',
  );
  topology.exec(node, ['ip6tables-legacy-restore', '--noflush'], '*filter\n:FORWARD DROP [0:0]\nCOMMIT\n');
  topology.exec(node, ['nft', '-f', '-'], 'table ip extra {\n  chain fw {\n    type filter hook forward priority 5; policy drop;\n  }\n}\n');
  // Every pair that crosses node-a (pods 0-2) is dropped: 30 ordered pairs minus node-b's 6.
  expect(failures(topology.probe(meshProbes(topologySpec, [80], ['TCP'])))).toHaveLength(24);
  topology.resetFirewalls();
  expect(failures(topology.probe(meshProbes(topologySpec, [80], ['TCP'])))).toEqual([]);
  expect(topology.exec(node, ['nft', 'list', 'ruleset'])).toBe('');
  expect(topology.exec(node, ['ipset', 'list', '-n'])).toBe('');
});

const destroySpec = { ...topologySpec, prefix: 'hv4d' };

kit(gate.label('destroy removes every namespace of the topology, and only those'), () => {
  gate.assertSupported();
  // Other test files and packages create and delete namespaces meanwhile: compare only this
  // file's two topologies.
  shared ??= createTopology(topologySpec);
  const mine = (name: string): boolean => name.startsWith('hv4d-');
  const names = withTopology(destroySpec, (topology) => {
    expect(listNamespaces().filter(mine).sort()).toEqual([...topology.namespaces()].sort());
    return topology.namespaces();
  });
  expect(names).toHaveLength(1 + 2 + 6);
  const after = listNamespaces();
  expect(after.filter(mine)).toEqual([]);
  for (const name of shared.namespaces()) expect(after).toContain(name);
});
