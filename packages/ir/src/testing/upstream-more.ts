// Policy states of the upstream Kubernetes NetworkPolicy e2e suite (kubernetes/kubernetes
// test/e2e/network/netpol/network_policy.go) on the x/y/z x a/b/c model (upstreamModel): every
// state upstream probes (before and after an update, relabel or second policy), by upstream test
// name. packages/ir/test/upstream-cases-more.test.ts pins the reference verdicts of every state to
// upstream's own tables (a Record over these names); the Calico and Cilium backends' upstream-more
// tests and the iptables and nftables kernel tests hold their output to those verdicts.
import { networkPolicy, type Manifest } from './builders.js';

/** One state: its policies, and the model objects relabelled (pods as ns/name, namespaces by name). */
export interface UpstreamScenario {
  readonly policies: Manifest[];
  readonly labels?: Record<string, Record<string, string>>;
}

const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const nsName = (ns: string) => sel({ 'kubernetes.io/metadata.name': ns });
const expr = (key: string, operator: string, values: string[]) => ({ matchExpressions: [{ key, operator, values }] });
const a = sel({ pod: 'a' });
const xa = { namespaceSelector: nsName('x'), podSelector: a };
/** x/a admits namespace y on one port of one protocol (upstream's 'should enforce policy based on Ports'). */
const portFromY = (protocol: string, port = 81) =>
  networkPolicy('x', `${protocol.toLowerCase()}-${port}`, { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port, protocol }] }] });

const table = {
  'allow ingress traffic for a target': {
    policies: [
      networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }),
      networkPolicy('x', 'allow-all-to-a', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] }),
    ],
  },
  'any PodSelectors': { policies: [networkPolicy('x', 'b-c', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }, { podSelector: sel({ pod: 'c' }) }] }] })] },
  'Multiple PodSelectors and NamespaceSelectors': {
    policies: [networkPolicy('x', 'y-z-b-c', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: expr('kubernetes.io/metadata.name', 'NotIn', ['x']), podSelector: expr('pod', 'In', ['b', 'c']) }] }] })],
  },
  'pod in a different namespace (PodSelector and NamespaceSelector)': {
    policies: [networkPolicy('x', 'y-a', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: nsName('y'), podSelector: a }] }] })],
  },
  'Ports over UDP and SCTP': {
    policies: [
      networkPolicy('x', 'udp-81', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 81, protocol: 'UDP' }] }] }),
      networkPolicy('x', 'sctp-81', { podSelector: sel({ pod: 'b' }), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 81, protocol: 'SCTP' }] }] }),
    ],
  },
  'egress on one named port (whole namespace)': { policies: [networkPolicy('x', 'allow-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })] },
  'updated pod (before)': { policies: [networkPolicy('x', 'b2', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: sel({ pod: 'b', pod2: 'updated' }) }] }] })] },
  'updated pod (after)': { policies: [networkPolicy('x', 'b2', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: sel({ pod: 'b', pod2: 'updated' }) }] }] })], labels: { 'x/b': { pod: 'b', pod2: 'updated' } } },
  'deny egress based on PodSelector': { policies: [networkPolicy('x', 'deny-egress-pod-a', { podSelector: a, policyTypes: ['Egress'], egress: [] })] },
  'Ingress, Egress specified together': {
    policies: [networkPolicy('x', 'both', { podSelector: a, policyTypes: ['Egress', 'Ingress'], ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }], egress: [{ ports: [{ port: 80 }] }] })],
  },
  'denying egress on the client side': {
    policies: [
      networkPolicy('x', 'to-y-a', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: nsName('y'), podSelector: a }] }] }),
      networkPolicy('y', 'on-a', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [xa] }] }),
      networkPolicy('y', 'on-b', { podSelector: sel({ pod: 'b' }), policyTypes: ['Ingress'], ingress: [{ from: [xa] }] }),
    ],
  },
  'multiple ingress policies, allow-all (before)': { policies: [networkPolicy('x', 'p80', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] })] },
  'multiple egress policies, allow-all (before)': { policies: [networkPolicy('x', 'p80', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] })] },
  'multiple egress policies, allow-all (after)': {
    policies: [
      networkPolicy('x', 'p80', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
    ],
  },
  'except clause, cidr with host bits': {
    policies: [networkPolicy('x', 'cidr', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.10/4', except: ['198.18.0.11/32'] } }] }] })],
  },
  'IPBlock.CIDR and Except (after the update)': { policies: [networkPolicy('x', 'cidr', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.11/32' } }] }] })] },
  'ingress and egress controlled independently': {
    policies: [
      networkPolicy('x', 'allow-egress-for-target', { podSelector: a, policyTypes: ['Egress'], egress: [{}] }),
      networkPolicy('x', 'deny-ingress', { podSelector: a, policyTypes: ['Ingress'], ingress: [] }),
    ],
  },
  "'protocol: SCTP' is not TCP": {
    policies: [
      networkPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }),
      networkPolicy('x', 'sctp-81', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] }),
    ],
  },
  'NamespaceSelector MatchExpressions, default ns label, egress NotIn': {
    policies: [networkPolicy('x', 'not-y', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: expr('kubernetes.io/metadata.name', 'NotIn', ['y']) }] }] })],
  },
  'updated namespace (after)': {
    policies: [networkPolicy('x', 'ns2', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: sel({ ns2: 'updated' }) }] }] })],
    labels: { y: { ns: 'y', ns2: 'updated' } },
  },

  // --- the states the ir test pinned inline only (before/after steps as separate states)
  'Ports over TCP': { policies: [portFromY('TCP')] },
  'Ports over UDP': { policies: [portFromY('UDP')] },
  'Ports over SCTP': { policies: [portFromY('SCTP')] },
  'stacked policies with overlapping podSelectors (before)': { policies: [portFromY('TCP', 81)] },
  'stacked policies with overlapping podSelectors (after)': { policies: [portFromY('TCP', 81), portFromY('TCP', 80)] },
  'updated policy (before)': { policies: [networkPolicy('x', 'mutate', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] })] },
  'updated policy (after)': { policies: [networkPolicy('x', 'mutate', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] })] },
  'updated namespace (before)': { policies: [networkPolicy('x', 'ns2', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: sel({ ns2: 'updated' }) }] }] })] },
  'egress to a pod in a different namespace (PodSelector and NamespaceSelector)': {
    policies: [networkPolicy('x', 'to-y-a', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: nsName('y'), podSelector: a }] }] })],
  },
  'multiple ingress policies, allow-all (after)': {
    policies: [
      networkPolicy('x', 'p80', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] }),
      networkPolicy('x', 'all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }),
    ],
  },
  'policies deleted (before)': { policies: [networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] })] },
  'policies deleted (after)': { policies: [] },
  // makeLargeCIDRForIP(x/b): the /4 network; also upstream's 'except clause while egress access to
  // server in CIDR block' in its newest version.
  'IPBlock.CIDR and Except (before the update)': {
    policies: [networkPolicy('x', 'cidr', { podSelector: a, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '192.0.0.0/4', except: ['198.18.0.11/32'] } }] }] })],
  },
  'ingress and egress controlled independently (before)': { policies: [networkPolicy('x', 'allow-egress-for-target', { podSelector: a, policyTypes: ['Egress'], egress: [{}] })] },
  'isolate pods selected by a policy allowing SCTP': { policies: [networkPolicy('x', 'sctp-80', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }] })] },
  'NamespaceSelector MatchExpressions (In)': {
    policies: [networkPolicy('x', 'in-y', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: expr('kubernetes.io/metadata.name', 'In', ['y']) }] }] })],
  },
  'PodSelector or NamespaceSelector': {
    policies: [networkPolicy('x', 'not-x-or-b', { podSelector: a, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: expr('kubernetes.io/metadata.name', 'NotIn', ['x']) }, { podSelector: sel({ pod: 'b' }) }] }] })],
  },
  'ingress on one named port (whole namespace)': { policies: [networkPolicy('x', 'allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })] },
} satisfies Record<string, UpstreamScenario>;

/** The name of one state of {@link upstreamMoreScenarios}. */
export type UpstreamMoreName = keyof typeof table;

/** The states, by name. */
export const upstreamMoreScenarios: Readonly<Record<UpstreamMoreName, UpstreamScenario>> = table;
