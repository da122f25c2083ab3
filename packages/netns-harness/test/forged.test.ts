import { expect, it } from 'vitest';
import { forgedArrivals, kernelGate, podGatewayV4, podGatewayV6, withTopology } from '../src/index.js';
import { twoNodeSpec } from './support/fixtures.js';

const gate = kernelGate();
const kit = it.skipIf(gate.skip);

/** ns0/pod-0 on node-a, ns1/pod-1 on node-b. */
const topologySpec = twoNodeSpec('hfg', 2, true);
const port = 9099;

// What a node's firewall does to traffic for the node itself shows only at a socket there: a
// packet socket on a pod's eth0 sees frames before netfilter, and nothing sees INPUT.
kit(gate.label('forged datagrams reach a UDP socket in a node as its kernel and INPUT decide, next to a pod watch'), () => {
  gate.assertSupported();
  withTopology(topologySpec, (topology) => {
    const node = (family: 4 | 6) => ({ node: 'node-a', udp: port, family });
    const datagrams = [
      { marker: 'v4-broadcast', src: '0.0.0.0', dst: '255.255.255.255', to: node(4) },
      // The kernel takes 0.0.0.0 only towards a broadcast: a martian source otherwise.
      { marker: 'v4-martian', src: '0.0.0.0', dst: podGatewayV4, to: node(4) },
      { marker: 'v4-own', src: '198.18.1.1', dst: '198.18.0.1', to: node(4) },
      { marker: 'v6-unspecified', src: '::', dst: podGatewayV6, to: node(6) },
      { marker: 'v6-own', src: '2001:db8:1::1', dst: '2001:db8::1', to: node(6) },
      { marker: 'v4-to-pod', src: '198.18.1.1', dst: '198.18.1.2', to: 'ns1/pod-1' },
    ].map((d) => ({ from: 'ns0/pod-0', port, ...d }));
    expect(forgedArrivals(topology, datagrams)).toEqual(['v4-broadcast', 'v4-own', 'v4-to-pod', 'v6-own', 'v6-unspecified']);
    // Each family's socket sees its own family only, and the filter table's verdict.
    const ns = topology.nodeNamespace('node-a');
    topology.exec(ns, ['iptables-nft-restore', '--noflush'], `*filter\n-A INPUT -p udp --dport ${port} -j DROP\nCOMMIT\n`);
    expect(forgedArrivals(topology, datagrams)).toEqual(['v4-to-pod', 'v6-own', 'v6-unspecified']);
  });
});
