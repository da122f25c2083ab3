// Upstream-e2e-style scenarios (kubernetes test/e2e/network/netpol): namespaces x, y, z labelled
// `ns` (and kubernetes.io/metadata.name by the API server), pods a, b, c labelled `pod`, serving
// 80 and 81 on TCP, UDP and SCTP under `serve-<port>-<proto>`; two nodes; some dual-stack pods.
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';

const ports: [string, number, 'TCP' | 'UDP' | 'SCTP'][] = [];
for (const p of [80, 81]) for (const proto of ['TCP', 'UDP', 'SCTP'] as const) ports.push([`serve-${p}-${proto.toLowerCase()}`, p, proto]);

export const nodeIps = { 'node-1': ['198.19.0.1', '2001:db8:ffff::1'], 'node-2': ['198.19.0.2'] } as const;

/** Pod address of ns (x=0,y=1,z=2) / pod (a=10,b=11,c=12); x pods are dual-stack. */
export function podIp(ns: string, p: string): string {
  return `198.18.${['x', 'y', 'z'].indexOf(ns)}.${10 + ['a', 'b', 'c'].indexOf(p)}`;
}
export function podIp6(ns: string, p: string): string {
  return `2001:db8::${ns === 'x' ? '' : ns === 'y' ? '1' : '2'}${10 + ['a', 'b', 'c'].indexOf(p)}`;
}

export interface ModelOptions {
  readonly podLabels?: Record<string, Record<string, string>>;
  readonly nsLabels?: Record<string, Record<string, string>>;
  readonly withNodes?: boolean;
}

export function e2eModel(o: ModelOptions = {}): Manifest[] {
  const out: Manifest[] = [];
  if (o.withNodes !== false) {
    out.push(node('node-1', [...nodeIps['node-1']]), node('node-2', [...nodeIps['node-2']]));
  }
  for (const ns of ['x', 'y', 'z']) {
    out.push(namespace(ns, o.nsLabels?.[ns] ?? { ns }));
    for (const p of ['a', 'b', 'c']) {
      const ips = ns === 'x' ? [podIp(ns, p), podIp6(ns, p)] : [podIp(ns, p)];
      out.push(pod(ns, p, o.podLabels?.[`${ns}/${p}`] ?? { pod: p }, ips, { node: p === 'c' ? 'node-2' : 'node-1', ports }));
    }
  }
  return out;
}

const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
const a = sel({ pod: 'a' });
const np = networkPolicy;

/** Policy sets by name, in the spirit of the upstream e2e cases. */
export const e2ePolicies: Record<string, Manifest[]> = {
  'deny all ingress': [np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] })],
  'deny all egress': [np('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] })],
  'deny all both directions': [np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
  'allow ingress from namespace y': [np('x', 'from-y', { podSelector: a, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] })],
  'pod and namespace selector': [np('x', 'yb', { podSelector: a, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }] }] })],
  'pod or namespace selector': [np('x', 'yb', { podSelector: a, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }, { podSelector: sel({ pod: 'b' }) }] }] })],
  'podSelector only (same namespace)': [np('x', 'b', { podSelector: a, ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] })],
  'namespaceSelector {} (all pods)': [np('x', 'all-ns', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
  'namespaceSelector {} + podSelector': [np('x', 'all-ns-b', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {}, podSelector: sel({ pod: 'b' }) }] }] })],
  'namespace NotIn': [np('x', 'not-y', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('ns', 'NotIn', ['y']) }] }] })],
  'metadata.name NotIn (egress)': [np('x', 'not-y', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: expr('kubernetes.io/metadata.name', 'NotIn', ['y']) }] }] })],
  'metadata.name In': [np('x', 'in-y', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('kubernetes.io/metadata.name', 'In', ['y', 'z']) }] }] })],
  'namespace Exists / DoesNotExist': [
    np('x', 'exists', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('ns', 'Exists') }] }] }),
    np('y', 'dne', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: expr('team', 'DoesNotExist') }] }] }),
  ],
  'pod In / NotIn / DoesNotExist': [
    np('x', 'in', { podSelector: expr('pod', 'In', ['a', 'b']), ingress: [{ from: [{ podSelector: expr('pod', 'NotIn', ['c']) }] }] }),
    np('y', 'dne', { podSelector: expr('other', 'DoesNotExist'), ingress: [{ from: [{ podSelector: expr('pod', 'DoesNotExist') }, { namespaceSelector: sel({ ns: 'z' }), podSelector: expr('pod', 'Exists') }] }] }),
  ],
  'named port ingress': [np('x', 'named', { podSelector: a, ingress: [{ ports: [{ port: 'serve-80-tcp' }, { port: 'serve-81-udp', protocol: 'UDP' }] }] })],
  'named port ingress protocol mismatch': [np('x', 'named', { podSelector: a, ingress: [{ ports: [{ port: 'serve-80-tcp', protocol: 'UDP' }] }] })],
  'named port egress': [np('x', 'named', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }, { port: 'serve-81-sctp', protocol: 'SCTP' }] }] })],
  'named port egress to a namespace': [np('x', 'named', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 'serve-81-tcp' }] }] })],
  'port range 80-81': [np('x', 'range', { podSelector: a, ingress: [{ ports: [{ port: 80, endPort: 81 }] }] })],
  'port range egress UDP': [np('x', 'range', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 81, endPort: 90 }] }] })],
  'protocol only': [np('x', 'udp', { podSelector: a, ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
  'SCTP port': [np('x', 'sctp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 81 }] }] })],
  'ipBlock /32 of a pod': [np('x', 'cidr', { podSelector: a, ingress: [{ from: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] })],
  'ipBlock with except around pod IPs': [np('x', 'cidr', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.11/32'] } }] }] })],
  'ipBlock covering a namespace': [np('x', 'cidr', { podSelector: a, ingress: [{ from: [{ ipBlock: { cidr: '198.18.2.0/24' } }] }] })],
  'egress to 0.0.0.0/0': [np('x', 'world', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
  'egress to 0.0.0.0/0 and ::/0': [np('x', 'world', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }] })],
  'ingress from 0.0.0.0/0 except pods': [np('x', 'world', { podSelector: a, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['198.18.0.0/15'] } }] }] })],
  'IPv6 ipBlock': [np('x', 'v6', { podSelector: a, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/120', except: ['2001:db8::b/128'] } }] }] })],
  'ipBlock covering node addresses': [np('x', 'nodes', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.19.0.0/24' } }] }] })],
  'ipBlock covering one node': [np('x', 'node1', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.19.0.2/32' } }] }] })],
  'multiple policies stacking': [
    np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }),
    np('x', 'allow-80', { podSelector: a, ingress: [{ ports: [{ port: 80 }] }] }),
    np('x', 'allow-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 81, protocol: 'UDP' }] }] }),
  ],
  'egress-only with ingress listed': [np('x', 'both', { podSelector: a, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: sel({ pod: 'b' }) }] }] })],
  'policyTypes both, ingress rules only': [np('x', 'both', { podSelector: a, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }] })],
  'empty from: [] (all sources)': [np('x', 'empty', { podSelector: a, ingress: [{ from: [], ports: [{ port: 81 }] }] })],
  'missing from (all sources)': [np('x', 'missing', { podSelector: a, ingress: [{ ports: [{ port: 81 }] }] })],
  'empty rule {} (allow all)': [np('x', 'all', { podSelector: a, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] })],
  'egress to pods and DNS-like port': [np('x', 'dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'z' }), podSelector: sel({ pod: 'c' }) }], ports: [{ port: 81, protocol: 'UDP' }, { port: 81, protocol: 'TCP' }] }] })],
  'ingress and egress controlled independently': [
    np('x', 'eg', { podSelector: a, policyTypes: ['Egress'], egress: [{}] }),
    np('x', 'in', { podSelector: a, policyTypes: ['Ingress'], ingress: [] }),
  ],
  'cross-namespace both sides': [
    np('x', 'to-y', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: a }] }] }),
    np('y', 'from-x', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: sel({ ns: 'x' }), podSelector: a }] }] }),
  ],
};

/** The option sets every scenario is compiled with. */
export const optionSets: Record<string, Record<string, string>> = {
  default: {},
  '1.15': { 'cilium-version': '1.15' },
  '1.13': { 'cilium-version': '1.13' },
  'cluster c1': { 'cluster-name': 'c1' },
};
