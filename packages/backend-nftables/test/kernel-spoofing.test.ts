import { expect, it } from 'vitest';
import type { Program } from '@netpolc/ir';
import { createTopology, kernelGate, kernelTestTimeout, sendForged, type ForgedDatagram } from '@netpolc/netns-harness';
import { namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
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

const nodes = { 'node-1': ['198.19.0.1', '2001:db8:ff::1'], 'node-2': ['198.19.0.2', '2001:db8:ff::2'] } as const;
const addresses = {
  'x/attacker': ['198.18.0.10', '2001:db8::10'],
  'y/friend': ['198.18.0.20', '2001:db8::20'],
  'z/victim': ['198.18.0.30', '2001:db8::30'],
  'y/closed': ['198.18.0.40', '2001:db8::40'],
} as const;
const port = 9099;

function spoofProgram(): Program {
  const [x, y, z] = ['x', 'y', 'z'];
  return loadProgram([
    ...Object.entries(nodes).map(([name, ips]) => node(name, [...ips])),
    ...[x, y, z].map((n) => namespace(n)),
    pod(x, 'attacker', { app: 'attacker' }, [...addresses['x/attacker']], { node: 'node-1' }),
    pod(y, 'friend', { app: 'friend' }, [...addresses['y/friend']], { node: 'node-2' }),
    pod(z, 'victim', { app: 'victim' }, [...addresses['z/victim']], { node: 'node-2' }),
    pod(y, 'closed', { app: 'closed' }, [...addresses['y/closed']], { node: 'node-1' }),
    // x/attacker may send nothing; z/victim hears y/friend only; y/closed hears no one.
    networkPolicy(x, 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    networkPolicy(z, 'friend-only', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { app: 'friend' } } }], ports: [{ protocol: 'UDP', port }] }] }),
    networkPolicy(y, 'closed', { podSelector: { matchLabels: { app: 'closed' } }, policyTypes: ['Ingress'] }),
  ]);
}

/** Each forgery in both families, with what reaches the watched pod. */
function forgeries(family: 0 | 1): (ForgedDatagram & { readonly to: string; readonly kind: string })[] {
  const a = (id: keyof typeof addresses): string => addresses[id][family];
  const f = `v${family === 0 ? 4 : 6}`;
  return [
    { kind: 'legit', from: 'y/friend', src: a('y/friend'), dst: a('z/victim'), to: 'z/victim' },
    { kind: 'as-friend', from: 'x/attacker', src: a('y/friend'), dst: a('z/victim'), to: 'z/victim' },
    { kind: 'as-victim', from: 'x/attacker', src: a('z/victim'), dst: a('z/victim'), to: 'z/victim' },
    { kind: 'as-node', from: 'x/attacker', src: nodes['node-1'][family], dst: a('y/closed'), to: 'y/closed' },
  ].map((d) => ({ ...d, port, marker: `${f}-${d.kind}` }));
}

kit(gate.label('forged source addresses: the self exception takes hairpins only; --pod-interface drops every forgery'), () => {
  gate.assertSupported();
  const program = spoofProgram();
  const topology = createTopology({ ...topologyOf(program, 'x'), prefix: 'npcnfsp' });
  try {
    const all = [...forgeries(0), ...forgeries(1)];
    const watched = ['z/victim', 'y/closed'];
    const arrived = (): Set<string> => {
      const seen = sendForged(topology, all, watched);
      return new Set(all.filter((d) => seen[watched.indexOf(d.to)]!.includes(d.marker)).map((d) => d.marker));
    };
    loadRulesets(topology, compile(program).texts);
    // Without --pod-interface: the legitimate datagram arrives; a forged self pair no longer
    // does (old code: both families, into z's friend-only policy); claiming another pod still
    // does (the harness runs rp_filter 0), and so does the node's IPv6 address (IPv4 has the
    // kernel's martian check): the gap the option closes.
    expect([...arrived()].sort()).toEqual(['v4-as-friend', 'v4-legit', 'v6-as-friend', 'v6-as-node', 'v6-legit']);

    topology.resetFirewalls();
    const guarded = compile(program, { 'pod-interface': ['vp*'] }).texts;
    loadRulesets(topology, guarded);
    expect([...arrived()].sort()).toEqual(['v4-legit', 'v6-legit']);
    // And every legitimate connection is still decided as the policies say.
    const judged = judgedProbes(program, topology.spec, [
      { protocol: 'UDP', port },
      { protocol: 'TCP', port: 80 },
    ]);
    expect(disagreements(judged, topology.probe(judged.map((j) => j.probe), { timeoutMs: 600 }))).toEqual([]);
  } finally {
    topology.destroy();
  }
}, kernelTestTimeout);
