// Policy states in the style of the upstream Kubernetes NetworkPolicy e2e suite (kubernetes
// test/e2e/network/netpol, KEP-1611) on the x/y/z x a/b/c model (upstreamModel), those first
// written inline three times (packages/ir/test/upstream-cases.test.ts, backend-calico's and
// backend-cilium's upstream.test.ts), now one table: the union of the three copies, each distinct
// state once (states equal up to policy names counted once; those already in upstreamMoreScenarios
// left there). packages/ir/test/upstream-cases.test.ts pins the reference verdicts of every state
// to the upstream tables; the Calico and Cilium upstream tests and the iptables and nftables kernel
// tests hold the backends' output to those verdicts.
import { networkPolicy } from './builders.js';
import type { UpstreamScenario } from './upstream-more.js';

const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const expr = (key: string, operator: string, values: string[]) => ({ matchExpressions: [{ key, operator, values }] });
const a = sel({ pod: 'a' });
const b = sel({ pod: 'b' });
const fromY = { namespaceSelector: sel({ ns: 'y' }) };

const table = {
  // --- in all three older copies (the ir test's and Calico's policies; Cilium's were named np-N)
  'default-deny-ingress': { policies: [networkPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] },
  'default-deny-all': { policies: [networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })] },
  'deny egress': { policies: [networkPolicy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })] },
  SCTP: { policies: [networkPolicy('x', 'sctp', { podSelector: a, ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] })] },
  'UDP only': { policies: [networkPolicy('x', 'udp', { podSelector: a, ingress: [{ ports: [{ protocol: 'UDP', port: 81 }] }] })] },

  // --- the ir test and Calico
  'pod selector': { policies: [networkPolicy('x', 'x-a-from-b', { podSelector: a, ingress: [{ from: [{ podSelector: b }] }] })] },
  'namespaceSelector {}': { policies: [networkPolicy('x', 'all-ns', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {} }] }] })] },
  'namespace selector': { policies: [networkPolicy('x', 'from-y', { podSelector: {}, ingress: [{ from: [fromY] }] })] },
  'OR of peers': { policies: [networkPolicy('x', 'or', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('ns', 'NotIn', ['x']) }, { podSelector: b }] }] })] },
  'AND in one peer': { policies: [networkPolicy('x', 'and', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('ns', 'NotIn', ['x']), podSelector: b }] }] })] },
  ports: { policies: [networkPolicy('x', 'port-81', { podSelector: a, ingress: [{ from: [fromY], ports: [{ port: 81, protocol: 'TCP' }] }] })] },
  'stacked policies': {
    policies: [
      networkPolicy('x', 'port-81', { podSelector: a, ingress: [{ from: [fromY], ports: [{ port: 81 }] }] }),
      networkPolicy('x', 'port-80', { podSelector: a, ingress: [{ from: [fromY], ports: [{ port: 80 }] }] }),
    ],
  },
  'allow all ingress': { policies: [networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] })] },
  'named port ingress': { policies: [networkPolicy('x', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })] },
  'named port from a namespace': { policies: [networkPolicy('x', 'named-ns', { podSelector: {}, ingress: [{ from: [fromY], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }] })] },
  'named port egress': { policies: [networkPolicy('x', 'egress-named', { podSelector: a, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })] },
  'same namespace only': { policies: [networkPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] },
  'client egress vs server ingress': {
    policies: [
      networkPolicy('x', 'client', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: a }] }] }),
      networkPolicy('y', 'server', { podSelector: b, ingress: [{}] }),
    ],
  },
  'ingress and egress': {
    policies: [networkPolicy('x', 'both', { podSelector: a, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: b }] }], egress: [{ to: [{ podSelector: b }] }] })],
  },
  'protocol only': { policies: [networkPolicy('x', 'any-tcp', { podSelector: a, ingress: [{ ports: [{ protocol: 'TCP' }] }] })] },
  'egress to a CIDR': { policies: [networkPolicy('x', 'cidr', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] })] },
  'CIDR except': { policies: [networkPolicy('x', 'cidr-except', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.11/32'] } }] }] })] },
  'except is not a deny': {
    policies: [
      networkPolicy('x', 'cidr-except', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.11/32'] } }] }] }),
      networkPolicy('x', 'cidr-exact', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] }),
    ],
  },
  'namespace name label': { policies: [networkPolicy('x', 'default-label', { podSelector: a, ingress: [{ from: [{ namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'y' }) }] }] })] },
  endPort: { policies: [networkPolicy('x', 'range', { podSelector: a, ingress: [{ from: [fromY], ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] })] },
  'updated pod label (after)': { policies: [networkPolicy('x', 'from-b', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {}, podSelector: b }] }] })], labels: { 'z/c': { pod: 'b' } } },
  'updated namespace label (after)': { policies: [networkPolicy('x', 'from-updated', { podSelector: a, ingress: [{ from: [{ namespaceSelector: sel({ ns2: 'updated' }) }] }] })], labels: { y: { ns: 'y', ns2: 'updated' } } },
  'isolated after a label change (after)': { policies: [networkPolicy('x', 'isolate', { podSelector: sel({ target: 'isolated' }), policyTypes: ['Ingress'] })], labels: { 'x/a': { pod: 'a', target: 'isolated' } } },
  'own namespace only': { policies: [networkPolicy('y', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })] },

  // --- the ir test only (Calico had the relabelled states after the change only, and both
  // allow-all-beats-narrow policies in one state)
  'PodSelector MatchExpressions': { policies: [networkPolicy('x', 'expr', { podSelector: a, ingress: [{ from: [{ podSelector: expr('pod', 'In', ['b']) }] }] })] },
  'NamespaceSelector MatchExpressions': { policies: [networkPolicy('x', 'ns-expr', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('ns', 'In', ['y']) }] }] })] },
  'multiple PodSelectors and NamespaceSelectors': {
    policies: [networkPolicy('x', 'multi', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: expr('ns', 'NotIn', ['x']), podSelector: expr('pod', 'In', ['b', 'c']) }] }] })],
  },
  'allow-all ingress beats narrow': {
    policies: [
      networkPolicy('x', 'narrow', { podSelector: {}, ingress: [{ from: [{ podSelector: b }], ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
    ],
  },
  'allow-all egress beats narrow': {
    policies: [
      networkPolicy('x', 'narrow', { podSelector: a, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'allow-all', { podSelector: a, policyTypes: ['Egress'], egress: [{}] }),
    ],
  },
  'updated pod label (before)': { policies: [networkPolicy('x', 'from-b', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {}, podSelector: b }] }] })] },
  'updated namespace label (before)': { policies: [networkPolicy('x', 'from-updated', { podSelector: a, ingress: [{ from: [{ namespaceSelector: sel({ ns2: 'updated' }) }] }] })] },
  'isolated after a label change (before)': { policies: [networkPolicy('x', 'isolate', { podSelector: sel({ target: 'isolated' }), policyTypes: ['Ingress'] })] },

  // --- Calico only (its named-port egress state also allowed serve-81-udp)
  'named port egress, TCP and UDP': {
    policies: [networkPolicy('x', 'egress-named', { podSelector: a, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }, { port: 'serve-81-udp', protocol: 'UDP' }] }] })],
  },
  'allow-all beats narrow, ingress and egress': {
    policies: [
      networkPolicy('x', 'narrow', { podSelector: {}, ingress: [{ from: [{ podSelector: b }], ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
      networkPolicy('x', 'narrow-egress', { podSelector: a, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'wide-egress', { podSelector: a, policyTypes: ['Egress'], egress: [{}] }),
    ],
  },
  'ingress ipBlock around pods': {
    policies: [networkPolicy('y', 'from-cidr', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/24', except: ['198.18.0.11/32'] } }], ports: [{ port: 80, endPort: 81, protocol: 'UDP' }] }] })],
  },

  // --- Cilium only (its 'egress to pod IP /32' is upstreamMoreScenarios' 'IPBlock.CIDR and Except
  // (after the update)' and stays there)
  'allow all ingress over deny all': {
    policies: [networkPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }), networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] })],
  },
  'pod a from its own namespace': { policies: [networkPolicy('x', 'same-ns-a', { podSelector: a, ingress: [{ from: [{ podSelector: {} }] }] })] },
  'pod a from namespace y': { policies: [networkPolicy('x', 'a-from-y', { podSelector: a, ingress: [{ from: [fromY] }] })] },
  'namespaceSelector NotIn': { policies: [networkPolicy('x', 'not-x', { podSelector: a, ingress: [{ from: [{ namespaceSelector: expr('ns', 'NotIn', ['x']) }] }] })] },
  'podSelector In b, c': { policies: [networkPolicy('x', 'in-b-c', { podSelector: a, ingress: [{ from: [{ podSelector: expr('pod', 'In', ['b', 'c']) }] }] })] },
  'namespace y AND pod b': { policies: [networkPolicy('x', 'y-and-b', { podSelector: a, ingress: [{ from: [{ ...fromY, podSelector: b }] }] })] },
  'namespace y OR pod b': { policies: [networkPolicy('x', 'y-or-b', { podSelector: a, ingress: [{ from: [fromY, { podSelector: b }] }] })] },
  'named port ingress from every namespace': { policies: [networkPolicy('x', 'named-all-ns', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'serve-81-tcp' }] }] })] },
  'port range, any protocol field': { policies: [networkPolicy('x', 'range-all-ns', { podSelector: a, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80, endPort: 81 }] }] })] },
  'egress to a CIDR except one pod': { policies: [networkPolicy('x', 'cidr16-except', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.0.11/32'] } }] }] })] },
  'IP in one CIDR and another except': {
    policies: [
      networkPolicy('x', 'cidr24-except', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/24', except: ['198.18.0.11/32'] } }] }] }),
      networkPolicy('x', 'cidr-x-b', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.11/32' } }] }] }),
    ],
  },
  'ingress from a CIDR except one pod': { policies: [networkPolicy('x', 'from-cidr-except', { podSelector: a, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.2.10/32'] } }] }] })] },
  'egress named port to namespace y': { policies: [networkPolicy('x', 'egress-named-y', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [fromY], ports: [{ port: 'serve-80-tcp' }] }] })] },
  'egress to anywhere on port 80': { policies: [networkPolicy('x', 'egress-80', { podSelector: a, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] })] },
  'ingress from b, egress to c': {
    policies: [networkPolicy('x', 'b-in-c-out', { podSelector: a, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: b }] }], egress: [{ to: [{ podSelector: sel({ pod: 'c' }) }] }] })],
  },
} satisfies Record<string, UpstreamScenario>;

/** The name of one state of {@link upstreamScenarios}. */
export type UpstreamCaseName = keyof typeof table;

/** The states, by name. */
export const upstreamScenarios: Readonly<Record<UpstreamCaseName, UpstreamScenario>> = table;
