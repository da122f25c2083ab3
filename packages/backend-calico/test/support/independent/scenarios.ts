// Hand-written scenarios in the style of the upstream Kubernetes NetworkPolicy e2e suite
// (kubernetes/kubernetes test/e2e/network/netpol): namespaces x, y, z labelled ns=<name>, pods a,
// b, c labelled pod=<name>, serving 80 and 81 on TCP, UDP and SCTP under serve-<port>-<proto>.
import { namespace, networkPolicy, pod, type Manifest } from '@netpolc/ir/testing';
import { trapNodeLabels } from './compare.js';

type Proto = 'TCP' | 'UDP' | 'SCTP';
const servePorts: [string, number, Proto][] = [];
for (const p of [80, 81]) for (const proto of ['TCP', 'UDP', 'SCTP'] as const) servePorts.push([`serve-${p}-${proto.toLowerCase()}`, p, proto]);

function nodeWithLabels(name: string, ips: readonly string[], labels: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) } };
}

export interface ModelOptions {
  readonly nsLabels?: Record<string, Record<string, string>>;
  readonly podLabels?: Record<string, Record<string, string>>;
  /** Extra pods. */
  readonly extra?: readonly Manifest[];
}

/**
 * x on node-1, y on node-2, z split; z's pods are dual-stack (2001:db8:1::/64), and node-1 has an
 * IPv6 address too. Pod IPs in 198.18.0.0/15; nodes in 198.19.0.0/24.
 */
export function model(opts: ModelOptions = {}): Manifest[] {
  const out: Manifest[] = [nodeWithLabels('node-1', ['198.19.0.1', '2001:db8:ff::1'], trapNodeLabels), nodeWithLabels('node-2', ['198.19.0.2'], { 'kubernetes.io/os': 'linux' })];
  ['x', 'y', 'z'].forEach((ns, i) => {
    out.push(namespace(ns, opts.nsLabels?.[ns] ?? { ns }));
    ['a', 'b', 'c'].forEach((p, j) => {
      const ips = ns === 'z' ? [`198.18.${i}.${j + 10}`, `2001:db8:1::${j + 10}`] : [`198.18.${i}.${j + 10}`];
      const node = ns === 'x' ? 'node-1' : ns === 'y' ? 'node-2' : j === 0 ? 'node-1' : 'node-2';
      out.push(pod(ns, p, opts.podLabels?.[`${ns}/${p}`] ?? { pod: p }, ips, { node, ports: servePorts }));
    });
  });
  out.push(...(opts.extra ?? []));
  return out;
}

export interface HandScenario {
  readonly name: string;
  readonly policies: readonly Manifest[];
  readonly model?: ModelOptions;
}

const np = networkPolicy;
const sel = (labels: Record<string, string>): Record<string, unknown> => ({ matchLabels: labels });

export const handScenarios: readonly HandScenario[] = [
  { name: 'no policy', policies: [] },
  { name: 'deny-all ingress', policies: [np('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] },
  { name: 'deny-all egress', policies: [np('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })] },
  { name: 'deny-all both', policies: [np('z', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })] },
  { name: 'allow all ingress {}', policies: [np('x', 'allow-all', { podSelector: {}, ingress: [{}] })] },
  { name: 'empty from [] = any', policies: [np('x', 'from-empty', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [] }] })] },
  { name: 'ingress [] denies', policies: [np('x', 'ingress-empty', { podSelector: sel({ pod: 'a' }), ingress: [] })] },
  { name: 'allow from namespace y', policies: [np('x', 'from-y', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] })] },
  { name: 'allow from pod b in namespace y (AND)', policies: [np('x', 'from-y-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }] }] })] },
  { name: 'allow from ns y OR pod b (two peers)', policies: [np('x', 'from-y-or-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }, { podSelector: sel({ pod: 'b' }) }] }] })] },
  { name: 'allow from all namespaces {}', policies: [np('x', 'from-all-ns', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: {} }] }] })] },
  { name: 'allow from same-namespace pods {}', policies: [np('x', 'from-own-ns', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: {} }] }] })] },
  {
    name: 'matchExpressions NotIn on namespaces',
    policies: [np('x', 'ns-notin', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }] }] })],
  },
  {
    name: 'matchExpressions DoesNotExist on namespaces',
    policies: [np('x', 'ns-dne', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }] }] })],
  },
  {
    name: 'matchExpressions In/Exists on pods',
    policies: [
      np('x', 'pod-in', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }, { key: 'pod', operator: 'NotIn', values: ['a'] }] } }] }],
      }),
    ],
  },
  {
    name: 'egress NotIn pods in all namespaces',
    policies: [np('y', 'eg-notin', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['c'] }] } }] }] })],
  },
  { name: 'named port ingress', policies: [np('x', 'named-in', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })] },
  { name: 'named port ingress UDP', policies: [np('x', 'named-in-udp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }] })] },
  { name: 'named port egress to pod', policies: [np('x', 'named-eg', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: sel({ pod: 'b' }) }], ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }] })] },
  { name: 'named port egress anywhere', policies: [np('x', 'named-eg-any', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })] },
  { name: 'named port egress to ipBlock', policies: [np('z', 'named-eg-cidr', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'serve-80-tcp' }] }] })] },
  { name: 'endPort range', policies: [np('x', 'endport', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 81, protocol: 'UDP' }] }] })] },
  { name: 'numbered port SCTP', policies: [np('y', 'sctp', { podSelector: {}, ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] })] },
  { name: 'protocol-only port', policies: [np('y', 'udp-only', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] })] },
  {
    name: 'ipBlock with except around pod IPs',
    policies: [np('x', 'cidr-except', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.0/24', '198.18.2.10/32'] } }] }] })],
  },
  {
    name: 'ipBlock except does not cancel another peer',
    policies: [np('x', 'cidr-and-pods', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.0/24'] } }, { namespaceSelector: sel({ ns: 'y' }) }] }] })],
  },
  { name: 'egress ipBlock 0.0.0.0/0 only', policies: [np('z', 'egress-v4-any', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })] },
  { name: 'egress ipBlock IPv6', policies: [np('z', 'egress-v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::10/128'] } }] }] })] },
  { name: 'ingress ipBlock around node', policies: [np('y', 'from-nodes', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.19.0.0/24' } }] }] })] },
  {
    name: 'multiple policies stack (union)',
    policies: [
      np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      np('x', 'allow-a-from-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }], ports: [{ port: 80 }] }] }),
      np('x', 'allow-a-from-z', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'z' }) }], ports: [{ port: 81, protocol: 'UDP' }] }] }),
      np('x', 'allow-egress-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 81, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }] }] }),
    ],
  },
  { name: 'policyTypes Egress with ingress rules', policies: [np('x', 'types-egress', { podSelector: sel({ pod: 'b' }), policyTypes: ['Egress'], ingress: [{}], egress: [{ to: [{ podSelector: {} }] }] })] },
  { name: 'policyTypes Ingress with egress rules', policies: [np('x', 'types-ingress', { podSelector: sel({ pod: 'b' }), policyTypes: ['Ingress'], egress: [{}] })] },
  { name: 'egress only rules imply Ingress+Egress', policies: [np('x', 'implied', { podSelector: sel({ pod: 'c' }), egress: [{ to: [{ namespaceSelector: sel({ ns: 'z' }) }] }] })] },
  { name: 'namespace name label', policies: [np('z', 'by-name', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'x' }) }] }] })] },
  {
    name: 'dotted keys and values',
    model: { podLabels: { 'x/a': { pod: 'a', 'app.kubernetes.io/name': 'web.v1-x_y' }, 'y/b': { pod: 'b', 'app.kubernetes.io/name': 'web.v1-x_y' } } },
    policies: [np('x', 'dots', { podSelector: sel({ 'app.kubernetes.io/name': 'web.v1-x_y' }), ingress: [{ from: [{ namespaceSelector: {}, podSelector: sel({ 'app.kubernetes.io/name': 'web.v1-x_y' }) }] }] })],
  },
  {
    name: 'namespace labels with a different key',
    model: { nsLabels: { x: { ns: 'x', team: 'red' }, y: { ns: 'y', team: 'blue' }, z: { ns: 'z' } } },
    policies: [np('x', 'team', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['red', 'blue'] }] }, podSelector: sel({ pod: 'c' }) }] }] })],
  },
  { name: 'egress to namespace on SCTP', policies: [np('z', 'eg-sctp', { podSelector: sel({ pod: 'b' }), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'x' }) }], ports: [{ port: 80, protocol: 'SCTP' }] }] })] },
  { name: 'egress deny but ingress open (z dual-stack)', policies: [np('z', 'eg-pods', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] })] },
  { name: 'policy name with dots', policies: [np('x', 'allow.from.y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] }), np('x', 'allow-from-y', { podSelector: {}, ingress: [{ from: [{ podSelector: sel({ pod: 'c' }) }] }] })] },
];
