import { resolve, type RawOptions } from '@netpolc/ir';
import { loadValid, spoofingDatagrams, spoofingObjects, spoofingPort, unspecifiedDatagrams } from '@netpolc/ir/testing';
import { forgedArrivals, kernelGate, withTopology } from '@netpolc/netns-harness';
import { expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { disagreements, filesByNode, kernelTimeout, loadNode, probesOf, topologyOf, variants } from './support/kernel.js';

// Pods are known by their source addresses: a pod writing a raw frame (CAP_NET_RAW, a default
// container capability) can claim another's. An audit's forged datagrams reached pods the
// policies close to the sender: as another pod (IPv4 when rp_filter is off, IPv6 always), as
// its node (IPv6: the node-local exception), and with the victim's address as source and
// destination (the self exception, into a deny-all namespace). The self exception now takes
// DNATed connections only (--ctstate DNAT); `--pod-interface` adds reverse path filtering of pod
// interfaces in the raw table. Both iptables variants.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);

kit(gate.label('forged source addresses: the self exception takes hairpins only; --pod-interface drops every forgery (nft and legacy)'), () => {
  gate.assertSupported();
  const { program } = loadValid(spoofingObjects());
  const resolved = resolve(program);
  const spec = topologyOf(program, 'npciptsp');
  withTopology(spec, (topology) => {
    const arrivals: Record<string, string[]> = {};
    const problems: string[] = [];
    for (const variant of variants) {
      for (const flags of [{}, { 'pod-interface': ['vp*'] }] as RawOptions[]) {
        const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
        topology.resetFirewalls();
        for (const [name, files] of filesByNode(out.files)) loadNode(topology, name, files, variant, 'noflush');
        const label = `${variant} ${JSON.stringify(flags)}`;
        arrivals[label] = forgedArrivals(topology, spoofingDatagrams());
        // Every legitimate connection is still decided as the policies say.
        const probes = probesOf(spec, [
          { protocol: 'UDP', port: spoofingPort },
          { protocol: 'TCP', port: 80 },
        ]);
        problems.push(...disagreements(program, spec, topology.probe(probes)).map((d) => `${label}: ${d}`));
      }
    }
    // Without the option: no forged self pair (old code: both families, into z's friend-only
    // policy); claiming another pod still works (the harness runs rp_filter 0), and so does the
    // node's IPv6 address (IPv4 has the kernel's martian check): the gap the option closes.
    const open = ['v4-as-friend', 'v4-legit', 'v6-as-friend', 'v6-as-node', 'v6-legit'];
    const closed = ['v4-legit', 'v6-legit'];
    expect(arrivals).toEqual(Object.fromEntries(variants.flatMap((v) => [[`${v} {}`, open], [`${v} {"pod-interface":["vp*"]}`, closed]])));
    expect(problems).toEqual([]);
  });
}, kernelTimeout);

// A packet socket sees a node's INPUT traffic before netfilter, so the unspecified source is
// watched by UDP sockets in node-1: NETPOLC-INPUT judges egress of local pod sources only, and
// no pod has 0.0.0.0 or ::, so a pod isolated for egress reached its node's listeners.
kit(gate.label('forged unspecified source to the node: --pod-interface drops it, except a DHCP request (nft and legacy)'), () => {
  gate.assertSupported();
  const { program } = loadValid(spoofingObjects());
  const resolved = resolve(program);
  withTopology(topologyOf(program, 'npciptun'), (topology) => {
    const arrivals: Record<string, string[]> = {};
    for (const variant of variants) {
      for (const flags of [{}, { 'pod-interface': ['vp*'] }] as RawOptions[]) {
        const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
        topology.resetFirewalls();
        for (const [name, files] of filesByNode(out.files)) loadNode(topology, name, files, variant, 'noflush');
        arrivals[`${variant} ${JSON.stringify(flags)}`] = forgedArrivals(topology, unspecifiedDatagrams());
      }
    }
    // The policy stops x/attacker's own address; the unspecified one passes, by broadcast in
    // IPv4 (the kernel drops it towards a unicast address) and to any node address in IPv6.
    const open = ['v4-dhcp', 'v4-unspecified', 'v6-unspecified', 'v6-unspecified-multicast'];
    expect(arrivals).toEqual(Object.fromEntries(variants.flatMap((v) => [[`${v} {}`, open], [`${v} {"pod-interface":["vp*"]}`, ['v4-dhcp']]])));
  });
}, kernelTimeout);
