// Kubernetes peers select pods only. A Calico rule selector also matches host endpoints and
// (global) network sets, whose addresses are node IPs and arbitrary CIDRs, unless it is limited to
// Kubernetes workload endpoints as Calico's own converter limits it. These tests put such objects
// next to the pods and check the emitted policies still allow only what Kubernetes allows.
import { evaluate, type Connection, type RawOptions } from '@netpolc/ir';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import type { NonWorkloadObjects } from './support/calico-cluster.js';
import { calicoVerdicts, emit, load } from './support/harness.js';

const cluster: Manifest[] = [
  node('node-1', '198.19.0.1'),
  node('node-2', '198.19.0.2'),
  namespace('x', { team: 'a' }),
  namespace('kube-system'),
  pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'node-1' }),
  pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'node-2' }),
  pod('kube-system', 'dns', { app: 'dns' }, '198.18.2.10', { node: 'node-2' }),
];

const ip = { hep1: '198.19.0.1', hep2: '198.19.0.2', partner: '203.0.113.5', office: '192.0.2.7', xA: '198.18.0.10', xB: '198.18.0.11', dns: '198.18.2.10' };

// Labels as users give them; Calico adds projectcalico.org/namespace and the namespace's pcns.*
// labels to the namespaced set itself.
const others: NonWorkloadObjects = {
  hostEndpoints: [
    { name: 'node-1-eth0', node: 'node-1', labels: { 'node-role': 'worker' }, expectedIPs: [ip.hep1] },
    { name: 'node-2-eth0', node: 'node-2', labels: { app: 'b' }, expectedIPs: [ip.hep2] },
  ],
  networkSets: [
    { name: 'partners', labels: { role: 'partner' }, nets: ['203.0.113.0/24'] },
    { name: 'office', namespace: 'x', labels: { app: 'b' }, nets: ['192.0.2.0/24'] },
  ],
};

const modes: readonly RawOptions[] = [{}, { tier: 'netpolc', log: 'denied' }];

type End = { readonly pod: string } | { readonly ip: string };
const end = (e: End): Connection['src'] => ('pod' in e ? { kind: 'pod', namespace: e.pod.split('/')[0]!, name: e.pod.split('/')[1]! } : { kind: 'ip', ip: e.ip });

/** Calico verdicts (with the objects above) for each connection, after checking they equal the reference. */
function verdicts(policies: Manifest[], conns: readonly (readonly [End, End])[]): boolean[][] {
  const program = load([...cluster, ...policies]);
  return modes.map((raw) => {
    const calico = calicoVerdicts(program, emit(program, raw).objects, others);
    return conns.map(([src, dst]) => {
      const conn: Connection = { src: end(src), dst: end(dst), protocol: 'TCP', port: 53 };
      const ref = evaluate(program, conn);
      if ('error' in ref) throw new Error(ref.error);
      const got = calico(conn)!.allowed;
      expect(got, `${JSON.stringify(raw)} ${JSON.stringify(conn)}`).toBe(ref.allowed);
      return got;
    });
  });
}

it('a negative namespaceSelector egress peer reaches pods only, not host endpoints or global network sets', () => {
  const notKubeSystem = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] };
  const noTeam = { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] };
  const conns = [
    [{ pod: 'x/a' }, { ip: ip.hep2 }],
    [{ pod: 'x/a' }, { ip: ip.partner }],
    [{ pod: 'x/a' }, { pod: 'x/b' }],
    [{ pod: 'x/a' }, { pod: 'kube-system/dns' }],
  ] as const;
  const policy = (selector: unknown): Manifest[] => [networkPolicy('x', 'egress', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: selector }] }] })];
  for (const row of verdicts(policy(notKubeSystem), conns)) expect(row).toEqual([false, false, true, false]);
  for (const row of verdicts(policy(noTeam), conns)) expect(row).toEqual([false, false, false, true]);
});

it('a podSelector {} peer does not admit a NetworkSet CIDR of the namespace, nor a host endpoint with matching labels', () => {
  const conns = [
    [{ ip: ip.office }, { pod: 'x/a' }],
    [{ ip: ip.partner }, { pod: 'x/a' }],
    [{ ip: ip.hep2 }, { pod: 'x/a' }],
    [{ pod: 'x/b' }, { pod: 'x/a' }],
  ] as const;
  const sameNamespace = [networkPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })];
  for (const row of verdicts(sameNamespace, conns)) expect(row).toEqual([false, false, false, true]);
  // The office NetworkSet and node-2's host endpoint carry app=b, like pod x/b.
  const fromB = [networkPolicy('x', 'from-b', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })];
  for (const row of verdicts(fromB, conns)) expect(row).toEqual([false, false, false, true]);
});

it('a namespaceSelector {} peer does not admit network sets of any namespace', () => {
  const conns = [
    [{ pod: 'x/a' }, { ip: ip.office }],
    [{ pod: 'x/a' }, { ip: ip.partner }],
    [{ pod: 'x/a' }, { pod: 'kube-system/dns' }],
  ] as const;
  const anyNamespace = [networkPolicy('x', 'any-ns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] })];
  for (const row of verdicts(anyNamespace, conns)) expect(row).toEqual([false, false, true]);
});

it('an egress named port to an ipBlock or to any peer resolves on pods only, not on host endpoints that name the port', () => {
  // Felix builds a named-port IP set from the endpoints the rule's destination selector matches,
  // or from every endpoint, host endpoints included, when it has none
  // (felix/calc/rule_scanner.go namedPortsToIPSets, felix/labelindex/named_port_index.go).
  // Old code: no selector on such rules, so node-2's host endpoint, which names port dns, was
  // reachable on it; Kubernetes resolves a named port on the destination pod only.
  const withPorts: NonWorkloadObjects = {
    hostEndpoints: [{ name: 'node-2-eth0', node: 'node-2', labels: { app: 'b' }, expectedIPs: [ip.hep2], ports: [{ name: 'dns', protocol: 'TCP', port: 53 }] }],
  };
  const dnsPod = pod('kube-system', 'dns', { app: 'dns' }, ip.dns, { node: 'node-2', ports: [['dns', 53, 'TCP']] });
  const conns = [
    [{ pod: 'x/a' }, { ip: ip.hep2 }],
    [{ pod: 'x/a' }, { pod: 'kube-system/dns' }],
    [{ pod: 'x/a' }, { pod: 'x/b' }],
  ] as const;
  const toBlock = { to: [{ ipBlock: { cidr: '198.18.0.0/15' } }], ports: [{ port: 'dns' }, { port: 11, protocol: 'TCP' }] };
  const toAny = { ports: [{ port: 'dns' }] };
  for (const rule of [toBlock, toAny]) {
    const program = load([...cluster.filter((m) => (m.metadata as { name?: string } | undefined)?.name !== 'dns'), dnsPod, networkPolicy('x', 'egress', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [rule] })]);
    for (const raw of modes) {
      const calico = calicoVerdicts(program, emit(program, raw).objects, withPorts);
      const row = conns.map(([src, dst]) => {
        const conn: Connection = { src: end(src), dst: end(dst), protocol: 'TCP', port: 53 };
        const ref = evaluate(program, conn);
        if ('error' in ref) throw new Error(ref.error);
        expect(calico(conn)!.allowed, `${JSON.stringify(raw)} ${JSON.stringify(conn)}`).toBe(ref.allowed);
        return ref.allowed;
      });
      expect(row).toEqual([false, true, false]);
    }
  }
});
