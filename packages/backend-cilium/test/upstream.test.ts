// Policy shapes of the upstream e2e suite (kubernetes test/e2e/network/netpol) on its x/y/z × a/b/c
// model: the emitted objects must give the Kubernetes truth tables under Cilium semantics.
import { expect, it } from 'vitest';
import { networkPolicy, upstreamModel } from '@netpolc/ir/testing';
import { truthTableProblems } from './support/harness.js';

const a = { matchLabels: { pod: 'a' } };
const cases: Record<string, Record<string, unknown>[]> = {
  'deny all ingress': [{ podSelector: {}, policyTypes: ['Ingress'] }],
  'deny all egress': [{ podSelector: {}, policyTypes: ['Egress'] }],
  'allow all ingress over deny all': [{ podSelector: {}, policyTypes: ['Ingress'] }, { podSelector: {}, ingress: [{}] }],
  'allow ingress from the same namespace': [{ podSelector: a, ingress: [{ from: [{ podSelector: {} }] }] }],
  'allow ingress from namespace y': [{ podSelector: a, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }],
  'namespaceSelector NotIn': [{ podSelector: a, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } }] }] }],
  'podSelector In': [{ podSelector: a, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] } }] }] }],
  'namespace and pod selector ANDed': [{ podSelector: a, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] }],
  'namespace or pod selector ORed': [{ podSelector: a, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }] }],
  'named port ingress': [{ podSelector: a, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'serve-81-tcp' }] }] }],
  'UDP port ingress': [{ podSelector: a, ingress: [{ ports: [{ protocol: 'UDP', port: 81 }] }] }],
  'port range': [{ podSelector: a, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80, endPort: 81 }] }] }],
  'SCTP': [{ podSelector: a, ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] }],
  'egress to pod IP /32': [{ podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.11/32' } }] }] }],
  'egress to CIDR except one pod': [{ podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.0.11/32'] } }] }] }],
  'IP in both CIDR and except is allowed': [
    { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/24', except: ['198.18.0.11/32'] } }] }] },
    { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.11/32' } }] }] },
  ],
  'ingress from CIDR except one pod': [{ podSelector: a, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.2.10/32'] } }] }] }],
  'egress named port to namespace y': [{ podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 'serve-80-tcp' }] }] }],
  'egress to any on a port': [{ podSelector: a, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }],
  'ingress and egress together': [
    { podSelector: a, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'c' } } }] }] },
  ],
};

for (const [name, specs] of Object.entries(cases)) {
  it(`gives the Kubernetes truth table under Cilium semantics: ${name}`, () => {
    expect(truthTableProblems([...upstreamModel(), ...specs.map((spec, i) => networkPolicy('x', `np-${i}`, spec))])).toEqual([]);
  });
}
