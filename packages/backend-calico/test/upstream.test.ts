// The policies of the upstream Kubernetes NetworkPolicy e2e suite (test/e2e/network/netpol,
// KEP-1611) on the upstream model (namespaces x, y, z; pods a, b, c; ports 80/81 on TCP, UDP,
// SCTP): the Calico evaluator over the emitted YAML gives the reference truth tables for every
// pair of pods, the node and an outside address, in the default output and in a tier of its own
// with logging, with host endpoints and network sets beside the pods (support/harness.ts).
import type { Protocol, RawOptions } from '@netpolc/ir';
import { networkPolicy, upstreamModel, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { load, upstreamMismatches } from './support/harness.js';

const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const notIn = (key: string, values: string[]) => ({ matchExpressions: [{ key, operator: 'NotIn', values }] });
const ports: readonly (readonly [Protocol, number])[] = [['TCP', 80], ['TCP', 81], ['TCP', 82], ['UDP', 80], ['UDP', 81], ['SCTP', 80], ['SCTP', 81]];

const scenarios: Record<string, { policies: Manifest[]; labels?: Record<string, Record<string, string>> }> = {
  'default-deny-ingress': { policies: [networkPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] },
  'default-deny-all': { policies: [networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })] },
  'pod selector': { policies: [networkPolicy('x', 'x-a-from-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] })] },
  'namespaceSelector {}': { policies: [networkPolicy('x', 'all-ns', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: {} }] }] })] },
  'namespace selector': { policies: [networkPolicy('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] })] },
  'OR of peers': { policies: [networkPolicy('x', 'or', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: notIn('ns', ['x']) }, { podSelector: sel({ pod: 'b' }) }] }] })] },
  'AND in one peer': { policies: [networkPolicy('x', 'and', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: notIn('ns', ['x']), podSelector: sel({ pod: 'b' }) }] }] })] },
  'ports': { policies: [networkPolicy('x', 'port-81', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 81, protocol: 'TCP' }] }] })] },
  'stacked policies': {
    policies: [
      networkPolicy('x', 'port-81', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 81 }] }] }),
      networkPolicy('x', 'port-80', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 80 }] }] }),
    ],
  },
  'allow all ingress': { policies: [networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] })] },
  'named port ingress': { policies: [networkPolicy('x', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })] },
  'named port from a namespace': { policies: [networkPolicy('x', 'named-ns', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }] })] },
  'named port egress': { policies: [networkPolicy('x', 'egress-named', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }, { port: 'serve-81-udp', protocol: 'UDP' }] }] })] },
  'same namespace only': { policies: [networkPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] },
  'deny egress': { policies: [networkPolicy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })] },
  'client egress vs server ingress': {
    policies: [
      networkPolicy('x', 'client', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'a' }) }] }] }),
      networkPolicy('y', 'server', { podSelector: sel({ pod: 'b' }), ingress: [{}] }),
    ],
  },
  'ingress and egress': {
    policies: [
      networkPolicy('x', 'both', { podSelector: sel({ pod: 'a' }), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }], egress: [{ to: [{ podSelector: sel({ pod: 'b' }) }] }] }),
    ],
  },
  'protocol only': { policies: [networkPolicy('x', 'any-tcp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ protocol: 'TCP' }] }] })] },
  'allow-all beats narrow': {
    policies: [
      networkPolicy('x', 'narrow', { podSelector: {}, ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }], ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
      networkPolicy('x', 'narrow-egress', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'wide-egress', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{}] }),
    ],
  },
  'egress to a CIDR': { policies: [networkPolicy('x', 'cidr', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] })] },
  'CIDR except': { policies: [networkPolicy('x', 'cidr-except', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.11/32'] } }] }] })] },
  'except is not a deny': {
    policies: [
      networkPolicy('x', 'cidr-except', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.11/32'] } }] }] }),
      networkPolicy('x', 'cidr-exact', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] }),
    ],
  },
  'ingress ipBlock around pods': { policies: [networkPolicy('y', 'from-cidr', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/24', except: ['198.18.0.11/32'] } }], ports: [{ port: 80, endPort: 81, protocol: 'UDP' }] }] })] },
  SCTP: { policies: [networkPolicy('x', 'sctp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] })] },
  'UDP only': { policies: [networkPolicy('x', 'udp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ protocol: 'UDP', port: 81 }] }] })] },
  'namespace name label': { policies: [networkPolicy('x', 'default-label', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'y' }) }] }] })] },
  endPort: { policies: [networkPolicy('x', 'range', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] })] },
  'updated pod label': { policies: [networkPolicy('x', 'from-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: {}, podSelector: sel({ pod: 'b' }) }] }] })], labels: { 'z/c': { pod: 'b' } } },
  'updated namespace label': { policies: [networkPolicy('x', 'from-updated', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns2: 'updated' }) }] }] })], labels: { y: { ns: 'y', ns2: 'updated' } } },
  'isolated after a label change': { policies: [networkPolicy('x', 'isolate', { podSelector: sel({ target: 'isolated' }), policyTypes: ['Ingress'] })], labels: { 'x/a': { pod: 'a', target: 'isolated' } } },
  'own namespace only': { policies: [networkPolicy('y', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })] },
};

const modes: readonly RawOptions[] = [{}, { tier: 'netpolc', log: 'denied' }, { log: 'all', order: '7' }];

for (const [name, s] of Object.entries(scenarios)) {
  it(`upstream: ${name}`, () => {
    const program = load([...upstreamModel(s.labels ?? {}), ...s.policies]);
    for (const raw of modes) expect(upstreamMismatches(program, raw, ports), JSON.stringify(raw)).toEqual([]);
  });
}
