// Label keys Cilium leaves out of identities (pkg/labelsfilter/filter.go defaultLabelPrefixCfg):
// selectors on them, and ipBlock coverage that must not rely on them.
import { describe, expect, it } from 'vitest';
import { namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
import { ciliumDiagnostics } from '../src/diagnostics.js';
import type { CiliumSelector } from '../src/model.js';
import { codes, compile, disagreements, options } from './support/harness.js';

const podName = 'statefulset.kubernetes.io/pod-name';
/** Keys dropped by releases after 1.14, each with the first release that drops it. */
const laterKeys: readonly [string, string][] = [
  [podName, 'db-0'],
  ['apps.kubernetes.io/pod-index', '0'],
  ['batch.kubernetes.io/job-completion-index', '0'],
  ['batch.kubernetes.io/controller-uid', 'uid-1'],
  ['controller-uid', 'uid-1'],
  ['topology.kubernetes.io/zone', 'zone-a'],
];

/** Two StatefulSet-like pods that differ only by `key`, and a client, on one node. */
const cluster = (key: string, value: string) => [
  namespace('x'),
  node('n', '198.19.0.1'),
  pod('x', 'db-0', { app: 'db', [key]: value }, '198.18.0.10', { node: 'n' }),
  pod('x', 'db-1', { app: 'db', [key]: `${value}-other` }, '198.18.0.11', { node: 'n' }),
  pod('x', 'client', { app: 'client' }, '198.18.0.12', { node: 'n' }),
];

const keysOf = (s: CiliumSelector): string[] => [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)];
/** True when every disagreement is Cilium denying what Kubernetes allows (fail closed). */
const onlyNarrower = (ds: readonly string[]): boolean => ds.every((d) => d.includes('kubernetes true, cilium false'));

for (const [key, value] of laterKeys) {
  it(`rejects a subject selector on ${key} and isolates every pod it may select with nothing allowed`, () => {
    // Old code: no diagnostic, and an endpointSelector on the key, which selects no pod in Cilium:
    // db-0 stayed open (wider).
    const c = compile([...cluster(key, value), networkPolicy('x', 'np', { podSelector: { matchLabels: { [key]: value } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] })]);
    expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-not-in-identity']);
    expect(keysOf(c.objects[0]!.spec.endpointSelector)).not.toContain(`k8s:${key}`);
    expect(c.objects[0]!.spec.ingress).toEqual([{}]);
    expect(onlyNarrower(disagreements(c))).toBe(true);
  });
}

it('rejects a NotIn peer requirement on a dropped key and leaves the peer out, as it would hold for every pod', () => {
  // Old code: `NotIn` on the key, true for every pod in Cilium: db-0 was allowed (wider).
  const peer = { podSelector: { matchExpressions: [{ key: podName, operator: 'NotIn', values: ['db-0'] }] } };
  const c = compile([...cluster(podName, 'db-0'), networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [peer] }] })]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-not-in-identity']);
  expect(c.objects[0]!.spec.egress).toEqual([{}]);
  expect(onlyNarrower(disagreements(c))).toBe(true);
});

it('reports pods an ipBlock separates that differ only by pod-name, which Cilium 1.15+ leaves out of identities', () => {
  // Old code: selected db-0 by its pod-name label, which matches nothing in Cilium, without a diagnostic.
  const c = compile([...cluster(podName, 'db-0'), networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.10/32' } }] }] })]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/inseparable-pods']);
  for (const rule of c.objects[0]!.spec.egress!) for (const s of rule.toEndpoints ?? []) expect(keysOf(s)).not.toContain(`k8s:${podName}`);
  expect(onlyNarrower(disagreements(c))).toBe(true);
});

it('never separates ipBlock pods with DoesNotExist on a dropped key', () => {
  // Old code: `app=web` plus `DoesNotExist pod-index`, which holds for both pods in Cilium (wider).
  const pods = [namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { app: 'web' }, '198.18.0.10', { node: 'n' }), pod('x', 'b', { app: 'web', 'apps.kubernetes.io/pod-index': '1' }, '198.18.0.11', { node: 'n' })];
  const c = compile([...pods, networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.10/32' } }] }] })]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/inseparable-pods']);
  expect(onlyNarrower(disagreements(c))).toBe(true);
});

it('treats keys dropped by later releases as dropped for older targets too, as the output must hold on every later release', () => {
  const policy = networkPolicy('x', 'np', { podSelector: { matchLabels: { [podName]: 'db-0' } }, ingress: [] });
  const c = compile([...cluster(podName, 'db-0'), policy], options({ 'cilium-version': '1.14' }), { version: [1, 15], namespaceLabelsSuppressInjection: true });
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-not-in-identity']);
  const message = ciliumDiagnostics['backend-cilium/label-not-in-identity'].message.format({ key: podName, since: ' from Cilium 1.15 on (cilium/cilium#28003)', effect: 'matches no pod' });
  expect(c.diagnostics[0]!.message).toBe(message);
  expect(onlyNarrower(disagreements(c))).toBe(true);
});

it('keeps namespace labels under these keys: Cilium prefixes them, so the anchored patterns do not match', () => {
  const manifests = [namespace('x'), namespace('y', { [podName]: 'yes' }), node('n', '198.19.0.1'), pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n' }), pod('y', 'b', { app: 'b' }, '198.18.1.10', { node: 'n' })];
  const c = compile([...manifests, networkPolicy('x', 'np', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { [podName]: 'yes' } } }] }] })]);
  expect(codes(c.diagnostics)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
});

// Pod label keys Cilium sets itself (pkg/k8s/utils/utils.go SanitizePodLabels, filterPodLabels):
// a pod's own label under io.cilium.k8s is dropped and io.kubernetes.pod.namespace overwritten,
// so a selector on such a key tests Cilium's value, never the pod's own.
describe('pod label keys Cilium owns', () => {
  const web = (labels: Record<string, string>) => [namespace('a'), namespace('s', { team: 'blue' }), node('n', '198.19.0.1'), pod('a', 'client', { app: 'client' }, '198.18.1.1', { node: 'n' }), pod('s', 'p1', { app: 'x' }, '198.18.3.1', { node: 'n' }), pod('s', 'p2', labels, '198.18.3.2', { node: 'n' })];

  it('does not separate ipBlock pods by a label under io.cilium.k8s, which Cilium strips', () => {
    // Old code: p2 was told apart by `io.cilium.k8s.tier DoesNotExist`, which holds for p2 in
    // Cilium too: the client reached p2, outside the ipBlock (wider).
    const c = compile([...web({ app: 'x', 'io.cilium.k8s.tier': 'back' }), networkPolicy('a', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.3.1/32' } }] }] })]);
    expect(codes(c.diagnostics)).toEqual(['backend-cilium/inseparable-pods']);
    expect(onlyNarrower(disagreements(c))).toBe(true);
  });

  it('rejects a peer podSelector on io.cilium.k8s.namespace.labels.*, which Cilium fills from the namespace', () => {
    // Old code: the selector matched the namespace label of that key, admitting every pod of the
    // team=blue namespace instead of the one pod labelled so (wider).
    const c = compile([...web({ app: 'q', 'io.cilium.k8s.namespace.labels.team': 'blue' }), networkPolicy('s', 'np', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'blue' } } }] }] })]);
    expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-owned-by-cilium']);
    expect(c.objects[0]!.spec.ingress).toEqual([{}]);
    expect(onlyNarrower(disagreements(c))).toBe(true);
  });

  it('keeps a default deny on io.kubernetes.pod.namespace DoesNotExist isolating every pod it selects', () => {
    // Old code: the endpointSelector required the key to be absent, which no Cilium identity is:
    // the namespace's pods stayed open (wider).
    const c = compile([...web({ app: 'y' }), networkPolicy('s', 'np', { podSelector: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'DoesNotExist' }] }, policyTypes: ['Ingress'] })]);
    expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-owned-by-cilium']);
    expect(keysOf(c.objects[0]!.spec.endpointSelector)).toEqual([]);
    expect(disagreements(c)).toEqual([]);
  });
});
