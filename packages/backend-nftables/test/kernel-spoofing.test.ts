import { expect, it } from 'vitest';
import { createTopology, forgedArrivals, kernelGate, kernelTestTimeout } from '@netpolc/netns-harness';
import { spoofingDatagrams, spoofingObjects, spoofingPort, unspecifiedDatagrams } from '@netpolc/ir/testing';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// Pods are known by their source addresses: a pod writing a raw frame (CAP_NET_RAW, a default
// container capability) can claim another's. An audit's forged datagrams reached pods the
// policies close to the sender: as another pod (IPv4 when rp_filter is off, IPv6 always), as
// its node (IPv6: the node-local exception), and with the victim's address as source and
// destination (the self exception, into a deny-all namespace). The self exception now takes
// DNATed connections only; `--pod-interface` adds reverse path filtering on pod interfaces.

const gate = kernelGate();
const kit = it.skipIf(gate.skip);

kit(gate.label('forged source addresses: the self exception takes hairpins only; --pod-interface drops every forgery'), () => {
  gate.assertSupported();
  const program = loadProgram(spoofingObjects());
  const topology = createTopology({ ...topologyOf(program, 'x'), prefix: 'npcnfsp' });
  try {
    const arrived = (): string[] => forgedArrivals(topology, spoofingDatagrams());
    loadRulesets(topology, compile(program).texts);
    // Without --pod-interface: the legitimate datagram arrives; a forged self pair no longer
    // does (old code: both families, into z's friend-only policy); claiming another pod still
    // does (the harness runs rp_filter 0), and so does the node's IPv6 address (IPv4 has the
    // kernel's martian check): the gap the option closes.
    expect(arrived()).toEqual(['v4-as-friend', 'v4-legit', 'v6-as-friend', 'v6-as-node', 'v6-legit']);

    topology.resetFirewalls();
    const guarded = compile(program, { 'pod-interface': ['vp*'] }).texts;
    loadRulesets(topology, guarded);
    expect(arrived()).toEqual(['v4-legit', 'v6-legit']);
    // And every legitimate connection is still decided as the policies say.
    const judged = judgedProbes(program, topology.spec, [
      { protocol: 'UDP', port: spoofingPort },
      { protocol: 'TCP', port: 80 },
    ]);
    expect(disagreements(judged, topology.probe(judged.map((j) => j.probe), { timeoutMs: 600 }))).toEqual([]);
  } finally {
    topology.destroy();
  }
}, kernelTestTimeout);

// A packet socket sees a node's INPUT traffic before netfilter, so the unspecified source is
// watched by UDP sockets in node-1: the input chain judges egress of local pod sources only,
// and no pod has 0.0.0.0 or ::, so a pod isolated for egress reached its node's listeners.
kit(gate.label('forged unspecified source to the node: --pod-interface drops it, except a DHCP request'), () => {
  gate.assertSupported();
  const program = loadProgram(spoofingObjects());
  const topology = createTopology({ ...topologyOf(program, 'x'), prefix: 'npcnfun' });
  try {
    const arrived = (): string[] => forgedArrivals(topology, unspecifiedDatagrams());
    loadRulesets(topology, compile(program).texts);
    // The policy stops x/attacker's own address; the unspecified one passes, by broadcast in
    // IPv4 (the kernel drops it towards a unicast address) and to any node address in IPv6.
    expect(arrived()).toEqual(['v4-dhcp', 'v4-unspecified', 'v6-unspecified', 'v6-unspecified-multicast']);

    topology.resetFirewalls();
    loadRulesets(topology, compile(program, { 'pod-interface': ['vp*'] }).texts);
    expect(arrived()).toEqual(['v4-dhcp']);
  } finally {
    topology.destroy();
  }
}, kernelTestTimeout);
