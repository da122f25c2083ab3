import { expect, it } from 'vitest';
import { bridgedKernelGate, bridgedPairs, cleanupStale, listNamespaces, withTopology, type Topology } from '../src/index.js';
import { failures, meshProbes, twoNodeSpec } from './support/fixtures.js';

// The bridged layout in the kernel: pods of one node reach each other at layer 2 through cni0,
// and br_netfilter hands that traffic (and IPv6 neighbour discovery between them) to the node's
// FORWARD hook: what the firewall backends' bridged kernel tests rely on. Needs root and
// br_netfilter; skipped loudly without them, failing when NETPOLC_KERNEL_TESTS=require.
const gate = bridgedKernelGate();
const kit = it.skipIf(gate.skip);
// Pods 0-2 on node-a, 3-5 on node-b, dual stack.
const spec = { ...twoNodeSpec('hbr', 6, true), layout: 'bridged' as const };
const onNodeA = (pod: string): boolean => spec.pods.find((p) => p.id === pod)?.node === 'node-a';
const sameNodeA = (line: string): boolean => {
  const [from, to] = line.split(' -> ') as [string, string];
  const dst = spec.pods.find((p) => p.addresses.includes(to.split(' ')[0]!))!;
  return onNodeA(spec.pods.find((p) => p.id.endsWith(`/${from}`))!.id) && dst.node === 'node-a';
};

// Drops in node-a's forward hook what the bridge carries from pod to pod: only br_netfilter
// can make it meet this rule.
const dropBridged = 'table inet hbr {\n\tchain f {\n\t\ttype filter hook forward priority 0; policy accept;\n\t\tiifname "cni0" oifname "cni0" meta l4proto { tcp, udp, sctp } drop\n\t}\n}\n';
const dropSolicitations = 'table inet hbr {\n\tchain f {\n\t\ttype filter hook forward priority 0; policy accept;\n\t\ticmpv6 type nd-neighbor-solicit drop\n\t}\n}\n';
const bridgeCalls = (t: Topology, value: 0 | 1): string =>
  t.exec(t.nodeNamespace('node-a'), ['sh', '-c', `sysctl -qw net.bridge.bridge-nf-call-iptables=${value} net.bridge.bridge-nf-call-ip6tables=${value}`]);

kit(gate.label('pods of one node are bridged at layer 2, and their traffic crosses FORWARD only through br_netfilter'), () => {
  gate.assertSupported();
  try {
    withTopology(spec, (t) => {
      const probes = meshProbes(spec, [80]).filter((p) => !spec.pods.find((q) => q.id === (p.from as { pod: string }).pod)!.addresses.includes(p.to));
      expect(failures(t.probe(probes))).toEqual([]);
      // 2 nodes x 3 pods x 2 peers x 2 families.
      expect(bridgedPairs(t)).toEqual({ bridged: 24, problems: [] });
      // Pods of other nodes are behind the gateway: never neighbours.
      const neighbours = t.exec(t.podNamespace(spec.pods[0]!.id), ['ip', '-j', 'neigh', 'show', 'dev', 'eth0']);
      expect((JSON.parse(neighbours) as { dst: string }[]).map((n) => n.dst).filter((d) => spec.pods.slice(3).some((p) => p.addresses.includes(d)))).toEqual([]);

      t.exec(t.nodeNamespace('node-a'), ['nft', '-f', '-'], dropBridged);
      const dropped = failures(t.probe(probes));
      const withinNodeA = probes.filter((p) => onNodeA((p.from as { pod: string }).pod) && spec.pods.some((q) => q.node === 'node-a' && q.addresses.includes(p.to)));
      // 3 pods x 2 peers x 2 families x 3 protocols.
      expect(withinNodeA).toHaveLength(36);
      expect(dropped.length).toBe(36);
      expect(dropped.every(sameNodeA)).toBe(true);
      // The same rule, bridged frames kept from the IP hooks: nothing dropped.
      bridgeCalls(t, 0);
      expect(failures(t.probe(probes))).toEqual([]);
      bridgeCalls(t, 1);
      t.resetFirewalls();
    });
  } finally {
    cleanupStale('hbr');
  }
  expect(listNamespaces().filter((n) => n.startsWith('hbr-'))).toEqual([]);
});

kit(gate.label('IPv6 neighbour discovery between pods of one node crosses FORWARD: dropping solicitations there breaks IPv6 only'), () => {
  gate.assertSupported();
  try {
    withTopology(spec, (t) => {
      const [a, b] = [spec.pods[0]!, spec.pods[1]!];
      for (const pod of [a, b]) t.exec(t.podNamespace(pod.id), ['ip', 'neigh', 'flush', 'dev', 'eth0']);
      t.exec(t.nodeNamespace('node-a'), ['nft', '-f', '-'], dropSolicitations);
      const results = t.probe(a.addresses.map((to) => ({ from: { pod: b.id }, to, protocol: 'TCP' as const, port: 80 })).concat(b.addresses.map((to) => ({ from: { pod: a.id }, to, protocol: 'TCP' as const, port: 80 }))));
      expect(results.map((r) => [r.probe.to, r.connected])).toEqual([
        [a.addresses[0], true],
        [a.addresses[1], false],
        [b.addresses[0], true],
        [b.addresses[1], false],
      ]);
      const entry = JSON.parse(t.exec(t.podNamespace(a.id), ['ip', '-j', 'neigh', 'show', 'dev', 'eth0', 'to', b.addresses[1]!])) as { lladdr?: string }[];
      expect(entry.map((e) => e.lladdr)).toEqual([undefined]);
    });
  } finally {
    cleanupStale('hbr');
  }
});

kit(gate.label('bridgedPairs finds no bridged pair in the routed layout (where pods of one node talk through the node)'), () => {
  gate.assertSupported();
  withTopology({ ...spec, layout: 'routed' }, (t) => {
    expect(failures(t.probe(meshProbes(spec, [80], ['TCP']).filter((p) => !spec.pods.find((q) => q.id === (p.from as { pod: string }).pod)!.addresses.includes(p.to))))).toEqual([]);
    const { bridged, problems } = bridgedPairs(t);
    expect(bridged).toBe(0);
    expect(problems).toHaveLength(24);
  });
});
