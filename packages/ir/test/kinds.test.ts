// Kinds netpolc does not read: which are mistakes the API server refuses (errors, so that the
// object meant does not vanish from the verdicts), which are unknown there (warnings), and which
// belong to other APIs (skipped). The oracle is the served kinds of v1 and networking.k8s.io/v1
// (Kubernetes 1.35 discovery) and kubectl's "no matches for kind".
import { expect, it } from 'vitest';
import { readKind } from '../src/lower/kinds.js';

it('tells misspellings of read kinds from unknown and other kinds', () => {
  const table: [string, string, string][] = [
    ['networking.k8s.io/v1', 'NetworkPolicies', 'misspelled NetworkPolicy'],
    ['networking.k8s.io/v1', 'NetworkPolicy ', 'misspelled NetworkPolicy'],
    ['networking.k8s.io/v1', 'NetworkPolicyy', 'misspelled NetworkPolicy'],
    ['networking.k8s.io/v1', 'Networkpolicy', 'misspelled NetworkPolicy'],
    ['v1', 'Pods', 'misspelled Pod'],
    ['v1', 'Namespaces', 'misspelled Namespace'],
    ['v1', 'Namspace', 'misspelled Namespace'],
    ['v1', 'pod', 'misspelled Pod'],
    // A read kind of the wrong version of its group (review: "did you mean Pod?" for Pod).
    ['networking.k8s.io/v1', 'Pod', 'wrong-version v1'],
    ['v2', 'Pod', 'wrong-version v1'],
    // Served kinds, List kinds, and kinds of other APIs are skipped.
    ...['ConfigMap', 'ServiceAccount', 'PodTemplate', 'PodList', 'List', 'Endpoints', 'Event'].map((k): [string, string, string] => ['v1', k, 'other']),
    ...['Ingress', 'IngressClass', 'IPAddress', 'ServiceCIDR', 'NetworkPolicyList'].map((k): [string, string, string] => ['networking.k8s.io/v1', k, 'other']),
    ['serving.knative.dev/v1', 'Service', 'other'],
    ['management.cattle.io/v3', 'Node', 'other'],
    ['apps/v1', 'Deployment', 'other'],
    // Not served there, and nearer a served kind or far from every read one (review: Job read as Pod).
    ...['Job', 'Role', 'ServiceAccounts', 'PodTemplates', 'PodDisruptionBudget', 'Deployment', 'Netpol'].map((k): [string, string, string] => ['v1', k, 'unknown']),
  ];
  const text = ({ kind, ...rest }: ReturnType<typeof readKind>): string => [kind, ...Object.values(rest)].join(' ');
  expect(table.map(([v, k]) => [v, k, text(readKind(v, k))])).toEqual(table);
});
