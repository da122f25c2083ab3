import { resolve, type RawOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
import { kernelGate, podGatewayV6, socketRound, withTopology, type Probe, type Topology } from '@netpolc/netns-harness';
import { expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { disagreements, expectedVerdict, filesByNode, kernelTimeout, loadNode, topologyOf, variants } from './support/kernel.js';

// Kernel test of --pod-interface: egress-isolated pods reach a service their node binds on [::]
// through the node's link-local address on the pod's veth (fe80::1, the pods' gateway) unless the
// option's rules are loaded, also on a node with IPv4 pods only; with them, the same pods still
// reach the node's global IPv6 address where the policy allows it (neighbour discovery included:
// the harness's permanent neighbour entries are removed first), the node answers neighbour
// solicitations from the pods' link-local addresses, and link-local traffic between the nodes'
// uplinks and replies to the node's own connections to a pod's link-local address are untouched.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);

const objects = [
  node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
  node('node-2', ['198.19.0.2', '2001:db8:ff::2']),
  namespace('x'),
  pod('x', 'dual', { app: 'agent' }, ['198.18.0.10', '2001:db8::a'], { node: 'node-1' }),
  pod('x', 'v4', { app: 'agent' }, '198.18.1.10', { node: 'node-2' }),
  networkPolicy('x', 'to-node', {
    podSelector: { matchLabels: { app: 'agent' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '198.19.0.0/30' } }, { ipBlock: { cidr: '2001:db8:ff::/64' } }], ports: [{ port: 8080 }] }],
  }),
];

const service = 8080;

interface Attempt {
  readonly label: string;
  readonly ns: string;
  readonly dst: string;
  readonly dev: string;
}

/** A neighbour solicitation from a link-local address. */
interface Solicitation {
  readonly label: string;
  readonly ns: string;
  readonly dev: string;
  readonly src: string;
  readonly mac: string;
  readonly target: string;
}

/**
 * Connects every attempt at once to [::]:8080 listeners in both node namespaces and in x/dual,
 * then sends the solicitations one by one.
 */
function linkLocalRound(topology: Topology, attempts: readonly Attempt[], solicitations: readonly Solicitation[]): { connect: string[]; solicit: string[] } {
  return socketRound({
    listen: [...['node-1', 'node-2'].map((n) => topology.nodeNamespace(n)), topology.podNamespace('x/dual')].map((ns) => ({ ns, port: service })),
    connect: attempts.map((a) => ({ ns: a.ns, dst: a.dst, dev: a.dev, port: service })),
    solicit: solicitations.map(({ ns, dev, src, mac, target }) => ({ ns, dev, src, mac, target })),
    timeoutMs: 1000,
  });
}

/** A link-local address of an interface in a namespace. */
function linkLocalOf(topology: Topology, ns: string, dev: string): string {
  const out = topology.exec(ns, ['ip', '-6', '-o', 'addr', 'show', 'dev', dev, 'scope', 'link']);
  const m = /inet6 (fe80:[0-9a-f:]+)\//.exec(out);
  if (!m) throw new Error(`no link-local address on ${dev} in ${ns}: ${out}`);
  return m[1]!;
}

kit(gate.label('--pod-interface closes the link-local path from pods to services of their node, and only that (nft and legacy)'), () => {
  gate.assertSupported();
  const { program } = loadValid(objects);
  const resolved = resolve(program);
  const spec = topologyOf(program, 'npcipll');
  const probes: Probe[] = [
    ...[8080, 8081].map((port): Probe => ({ from: { pod: 'x/dual' }, to: '2001:db8:ff::1', protocol: 'TCP', port })),
    ...[8080, 8081].map((port): Probe => ({ from: { pod: 'x/dual' }, to: '198.19.0.1', protocol: 'TCP', port })),
    ...[8080, 8081].map((port): Probe => ({ from: { pod: 'x/v4' }, to: '198.19.0.2', protocol: 'TCP', port })),
  ];
  expect(probes.map((p) => expectedVerdict(program, spec, p))).toEqual([true, false, true, false, true, false]);

  withTopology(spec, (topology) => {
    const podNs = (id: string): string => topology.podNamespace(id);
    const node1 = topology.nodeNamespace('node-1');
    // The node side of a pod's veth (vp<index> in the harness), by the route to the pod.
    const veth = (nodeName: string, ip: string): string => /\bdev (\S+)/.exec(topology.exec(topology.nodeNamespace(nodeName), ['ip', '-4', 'route', 'show', `${ip}/32`]))![1]!;
    const dualVeth = veth('node-1', '198.18.0.10');
    const attacks: Attempt[] = [
      { label: 'x/dual -> node-1 link-local', ns: podNs('x/dual'), dst: podGatewayV6, dev: 'eth0' },
      { label: 'x/v4 -> node-2 link-local (IPv4-only pods)', ns: podNs('x/v4'), dst: podGatewayV6, dev: 'eth0' },
    ];
    const untouched: Attempt[] = [
      { label: 'node-2 -> node-1 uplink link-local', ns: topology.nodeNamespace('node-2'), dst: linkLocalOf(topology, node1, 'fab0'), dev: 'fab0' },
      { label: 'node-1 -> node-2 uplink link-local', ns: node1, dst: linkLocalOf(topology, topology.nodeNamespace('node-2'), 'fab0'), dev: 'fab0' },
      // The node's own connection to a pod's link-local address: its replies arrive on the pod
      // interface from a link-local source, as ESTABLISHED.
      { label: 'node-1 -> x/dual link-local (replies)', ns: node1, dst: linkLocalOf(topology, podNs('x/dual'), 'eth0'), dev: dualVeth },
    ];
    const eth0 = (id: string): Pick<Solicitation, 'ns' | 'dev' | 'src' | 'mac'> => ({
      ns: podNs(id),
      dev: 'eth0',
      src: linkLocalOf(topology, podNs(id), 'eth0'),
      mac: /link\/ether (\S+)/.exec(topology.exec(podNs(id), ['ip', '-o', 'link', 'show', 'dev', 'eth0']))![1]!,
    });
    const solicitations: Solicitation[] = ['x/dual', 'x/v4'].map((id) => ({ label: `${id} solicits ${podGatewayV6} from its link-local address`, ...eth0(id), target: podGatewayV6 }));
    const problems: string[] = [];
    const flagSets: RawOptions[] = [{}, { 'pod-interface': 'vp*' }, { 'pod-interface': ['vp*', 'cali*'], 'no-ipset': true, 'deny-action': 'reject' }];
    for (const variant of variants) {
      for (const flags of flagSets) {
        const label = `${variant} ${JSON.stringify(flags)}`;
        const closed = flags['pod-interface'] !== undefined;
        const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
        expect(out.diagnostics.map((d) => d.code)).toEqual(closed ? ['backend-iptables/pod-link-local-closed'] : []);
        const files = filesByNode(out.files);
        expect(files.get('node-2')!.ip6tables !== undefined, `${label}: node-2.ip6tables`).toBe(closed);
        topology.resetFirewalls();
        for (const [name, f] of files) loadNode(topology, name, f, variant, 'noflush');

        // Neighbour discovery must run again on both ends of x/dual's veth (the solicitations take
        // the source of the packet that needs them: 2001:db8::a from the pod, a node address).
        topology.exec(podNs('x/dual'), ['sh', '-c', `ip -6 neigh del ${podGatewayV6} dev eth0 2>/dev/null; true`]);
        topology.exec(node1, ['sh', '-c', `ip -6 neigh del 2001:db8::a dev ${dualVeth} 2>/dev/null; true`]);
        problems.push(...disagreements(program, spec, topology.probe(probes, { timeoutMs: 1000 })).map((d) => `${label}: ${d}`));
        const learned = topology.exec(podNs('x/dual'), ['ip', '-6', 'neigh', 'show', podGatewayV6, 'dev', 'eth0']);
        if (!/lladdr/.test(learned) || /PERMANENT/.test(learned)) problems.push(`${label}: the pod did not resolve ${podGatewayV6} by neighbour discovery: ${learned.trim()}`);

        const round = linkLocalRound(topology, [...attacks, ...untouched], solicitations);
        const results = round.connect;
        attacks.forEach((a, i) => {
          const got = results[i]!;
          if ((got === 'connected') === closed) problems.push(`${label}: ${a.label}: expected ${closed ? 'dropped' : 'connected (the gap)'}, got ${got}`);
          if (closed && got !== 'timeout') problems.push(`${label}: ${a.label}: expected a drop (timeout), got ${got}`);
        });
        untouched.forEach((a, i) => {
          const got = results[attacks.length + i]!;
          if (got !== 'connected') problems.push(`${label}: ${a.label}: expected connected, got ${got}`);
        });
        solicitations.forEach((sol, i) => {
          if (round.solicit[i] !== 'advertised') problems.push(`${label}: ${sol.label}: expected a neighbour advertisement, got ${round.solicit[i]}`);
        });
      }
    }
    expect(problems).toEqual([]);
  });
}, kernelTimeout);
