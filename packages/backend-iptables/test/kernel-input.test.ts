import { resolve, type RawOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
import { kernelGate, withTopology, type Probe } from '@netpolc/netns-harness';
import { expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { disagreements, expectedVerdict, filesByNode, kernelTimeout, loadNode, topologyOf, variants } from './support/kernel.js';

// Kernel tests of the INPUT hook: pods reaching addresses of their own node (local delivery, the
// node's INPUT chain) and of the other node (their node's FORWARD, then the other node's INPUT),
// allowed by an ipBlock rule on one port and denied on the others, in both families, with both
// iptables variants, ipset or not, drop or reject; and a host INPUT rule below the hook still
// applies to what the policy allows (netpolc narrows INPUT, it never accepts there).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);

const objects = [
  node('node-1', ['198.19.0.1', '198.19.0.11', '2001:db8:ff::1']),
  node('node-2', ['198.19.0.2', '2001:db8:ff::2']),
  namespace('x'),
  pod('x', 'agent', { app: 'agent' }, ['198.18.0.10', '2001:db8::a'], { node: 'node-1' }),
  pod('x', 'web', { app: 'web' }, ['198.18.0.11', '2001:db8::b'], { node: 'node-1' }),
  pod('x', 'free', {}, ['198.18.0.12', '2001:db8::c'], { node: 'node-1' }),
  pod('x', 'remote', { app: 'agent' }, ['198.18.1.10', '2001:db8::1:a'], { node: 'node-2' }),
  networkPolicy('x', 'isolate', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, policyTypes: ['Egress'] }),
  // 198.19.0.1 only (not the node's second address 198.19.0.11), and both nodes' IPv6 addresses.
  networkPolicy('x', 'agent-to-kubelet', {
    podSelector: { matchLabels: { app: 'agent' } },
    egress: [{ to: [{ ipBlock: { cidr: '198.19.0.0/30' } }, { ipBlock: { cidr: '2001:db8:ff::/64' } }], ports: [{ port: 10250 }, { port: 10251 }] }],
  }),
];

// Blocks TCP 10251 on node-1 whatever netpolc allows.
const hostInput = '*filter\n-A INPUT -p tcp --dport 10251 -j DROP\nCOMMIT\n';

kit(gate.label('pods reach node addresses exactly as the reference evaluator says, through INPUT (nft and legacy)'), () => {
  gate.assertSupported();
  const { program } = loadValid(objects);
  const resolved = resolve(program);
  const spec = topologyOf(program, 'npcipti');
  const probes: Probe[] = [];
  for (const from of spec.pods) {
    for (const n of spec.nodes) {
      for (const to of n.addresses) {
        if (!from.addresses.some((a) => a.includes(':') === to.includes(':'))) continue;
        for (const [protocol, port] of [['TCP', 10250], ['TCP', 22], ['UDP', 10250], ['SCTP', 10250]] as const) probes.push({ from: { pod: from.id }, to, protocol, port });
      }
    }
  }
  const ownNode = (p: Probe): boolean => spec.pods.find((q) => q.id === (p.from as { pod: string }).pod)!.node === spec.nodes.find((n) => n.addresses.includes(p.to))!.name;
  // The scenario must hold both outcomes for the node-local path.
  expect(probes.some((p) => ownNode(p) && expectedVerdict(program, spec, p))).toBe(true);
  expect(probes.some((p) => ownNode(p) && !expectedVerdict(program, spec, p))).toBe(true);
  const hostBlocked: Probe = { from: { pod: 'x/agent' }, to: '198.19.0.1', protocol: 'TCP', port: 10251 };
  expect(expectedVerdict(program, spec, hostBlocked), 'the policy allows 10251').toBe(true);

  withTopology(spec, (topology) => {
    const problems: string[] = [];
    const flagSets: RawOptions[] = [{}, { 'no-ipset': true, 'deny-action': 'reject' }, { log: 'all', 'deny-action': 'reject' }];
    for (const variant of variants) {
      for (const flags of flagSets) {
        const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
        expect(out.diagnostics).toEqual([]);
        topology.resetFirewalls();
        for (const [name, files] of filesByNode(out.files)) loadNode(topology, name, files, variant, 'noflush');
        const label = `${variant} ${JSON.stringify(flags)}`;
        problems.push(...disagreements(program, spec, topology.probe(probes)).map((d) => `${label}: ${d}`));
        topology.exec(topology.nodeNamespace('node-1'), [`iptables-${variant}-restore`, '--noflush'], hostInput);
        const [blocked] = topology.probe([hostBlocked]);
        if (blocked!.connected) problems.push(`${label}: the host's INPUT rule below the hook did not apply to allowed traffic`);
      }
    }
    expect(problems).toEqual([]);
  });
}, kernelTimeout);
