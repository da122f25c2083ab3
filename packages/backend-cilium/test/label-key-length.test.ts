// Selector keys that Kubernetes accepts but a Cilium agent rejects once it has prefixed them,
// dropping the whole CiliumNetworkPolicy (cilium/cilium#47817, #43771; fixed for namespace
// labels by #47845 in 1.21). A dropped policy isolates nothing: wider than Kubernetes.
import { describe, expect, it } from 'vitest';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { rejectedKeyForm } from '../src/labels.js';
import type { CiliumSelector } from '../src/model.js';
import { codes, compile, disagreements, options } from './support/harness.js';
import { CiliumEvaluator } from './support/cilium-eval.js';

/** An unprefixed key of `n` characters. */
const keyOf = (n: number): string => `k${'e'.repeat(n - 2)}y`;
const v = (minor: number) => ({ major: 1, minor });

/** True when every disagreement is Cilium denying what Kubernetes allows (fail closed). */
const onlyNarrower = (ds: readonly string[]): boolean => ds.every((d) => d.includes('kubernetes true, cilium false'));
const keysOf = (s: CiliumSelector): string[] => [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)];

/** Namespace x with a client and a server, and namespace y (labelled `key`) with a client. */
function cluster(nsKey: string): Manifest[] {
  return [
    namespace('x'),
    namespace('y', { [nsKey]: 'finance' }),
    node('n', '198.19.0.1'),
    pod('x', 'server', { app: 'server' }, '198.18.0.10', { node: 'n' }),
    pod('x', 'client', { app: 'client' }, '198.18.0.11', { node: 'n' }),
    pod('y', 'client', { app: 'client' }, '198.18.1.10', { node: 'n' }),
  ];
}
const fromNamespace = (nsKey: string) => networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { [nsKey]: 'finance' } } }] }] });
const evalVersion = (minor: number) => ({ version: [1, minor] as const, namespaceLabelsSuppressInjection: true });

describe('rejectedKeyForm: the limits of each release', () => {
  const ns = (k: string) => `io.cilium.k8s.namespace.labels.${k}`;
  it('counts the k8s. source and the namespace-label prefix before 1.20: 28 characters fit, 29 do not', () => {
    expect(rejectedKeyForm(ns(keyOf(28)), v(17))).toBeUndefined();
    expect(rejectedKeyForm(ns(keyOf(29)), v(17))).toBe(`k8s.${ns(keyOf(29))}`);
  });
  it('drops the source from 1.20 on: 32 characters fit, 33 do not', () => {
    expect(rejectedKeyForm(ns(keyOf(32)), v(20))).toBeUndefined();
    expect(rejectedKeyForm(ns(keyOf(33)), v(20))).toBe(ns(keyOf(33)));
  });
  it('accepts every valid key from 1.21 on', () => {
    expect(rejectedKeyForm(ns(keyOf(63)), v(21))).toBeUndefined();
    expect(rejectedKeyForm(keyOf(63), v(21))).toBeUndefined();
  });
  it('limits unprefixed pod keys to 59 characters before 1.20 only', () => {
    expect(rejectedKeyForm(keyOf(59), v(19))).toBeUndefined();
    expect(rejectedKeyForm(keyOf(60), v(19))).toBe(`k8s.${keyOf(60)}`);
    expect(rejectedKeyForm(keyOf(63), v(20))).toBeUndefined();
  });
  it('counts only the part after the slash of a prefixed key', () => {
    expect(rejectedKeyForm(ns(`example.com/${keyOf(63)}`), v(17))).toBeUndefined();
    expect(rejectedKeyForm(`${'a'.repeat(249)}/app`, v(17))).toBeUndefined();
    expect(rejectedKeyForm(`${'a'.repeat(250)}/app`, v(17))).toBe(`k8s.${'a'.repeat(250)}/app`);
  });
});

describe('the independent evaluator drops a policy the agent rejects', () => {
  it('leaves the pods a rejected policy selects open', () => {
    const c = compile([...cluster(keyOf(20)), fromNamespace(keyOf(20))]);
    const spec = c.objects[0]!.spec;
    const long = `k8s:io.cilium.k8s.namespace.labels.${keyOf(41)}`;
    const rejected = { ...c.objects[0]!, spec: { ...spec, ingress: [{ fromEndpoints: [{ matchLabels: { [long]: 'finance' } }] }] } };
    const conn = { src: { kind: 'pod', namespace: 'x', name: 'client' }, dst: { kind: 'pod', namespace: 'x', name: 'server' }, protocol: 'TCP', port: 80 } as const;
    expect(new CiliumEvaluator(c.loaded.program, [c.objects[0]!]).allowed(conn)).toBe(false);
    expect(new CiliumEvaluator(c.loaded.program, [rejected]).allowed(conn)).toBe(true);
    expect(new CiliumEvaluator(c.loaded.program, [rejected], evalVersion(21)).allowed(conn)).toBe(false);
  });
});

describe('selectors on keys the agent rejects', () => {
  it('leaves out a namespaceSelector peer on a 41-character namespace label key, with an error', () => {
    // Old code: the key was written as it is; Cilium 1.17 to 1.20 reject the policy, and the
    // server took traffic from everywhere (wider).
    const c = compile([...cluster(keyOf(41)), fromNamespace(keyOf(41))]);
    expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-key-too-long']);
    expect(c.diagnostics[0]!.message).toContain(`k8s.io.cilium.k8s.namespace.labels.${keyOf(41)}`);
    expect(c.diagnostics[0]!.message).toContain('Cilium 1.17 to 1.20');
    expect(c.objects[0]!.spec.ingress).toEqual([{}]);
    expect(onlyNarrower(disagreements(c))).toBe(true);
  });

  it('writes the same peer for 1.21, which accepts the key, exactly', () => {
    const c = compile([...cluster(keyOf(41)), fromNamespace(keyOf(41))], options({ 'cilium-version': '1.21' }), evalVersion(21));
    expect(codes(c.diagnostics)).toEqual([]);
    expect(disagreements(c)).toEqual([]);
  });

  it('writes a 30-character key for 1.20, which takes 32, and rejects it for 1.19', () => {
    const ok = compile([...cluster(keyOf(30)), fromNamespace(keyOf(30))], options({ 'cilium-version': '1.20' }), evalVersion(20));
    expect(codes(ok.diagnostics)).toEqual([]);
    expect(disagreements(ok)).toEqual([]);
    const old = compile([...cluster(keyOf(30)), fromNamespace(keyOf(30))], options({ 'cilium-version': '1.19' }), evalVersion(19));
    expect(codes(old.diagnostics)).toEqual(['backend-cilium/label-key-too-long']);
    expect(onlyNarrower(disagreements(old))).toBe(true);
  });

  it('writes a prefixed namespace label key of any length', () => {
    const key = `example.com/${keyOf(50)}`;
    const c = compile([...cluster(key), fromNamespace(key)]);
    expect(codes(c.diagnostics)).toEqual([]);
    expect(disagreements(c)).toEqual([]);
  });

  it('isolates the pods a subject selector on a 60-character pod key may select, with nothing allowed, before 1.20', () => {
    const key = keyOf(60);
    const manifests = [...cluster('team'), pod('x', 'db', { app: 'server', [key]: 'yes' }, '198.18.0.12', { node: 'n' })];
    const policy = networkPolicy('x', 'np', { podSelector: { matchLabels: { [key]: 'yes' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
    const c = compile([...manifests, policy], options({ 'cilium-version': '1.19' }), evalVersion(19));
    expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-key-too-long']);
    expect(c.diagnostics[0]!.message).toContain('Cilium 1.19 checks');
    expect(keysOf(c.objects[0]!.spec.endpointSelector)).toEqual([]);
    expect(c.objects[0]!.spec.ingress).toEqual([{}]);
    expect(onlyNarrower(disagreements(c))).toBe(true);
    const current = compile([...manifests, policy], options({ 'cilium-version': '1.20' }), evalVersion(20));
    expect(codes(current.diagnostics)).toEqual([]);
    expect(disagreements(current)).toEqual([]);
  });

  it('does not tell ipBlock pods apart by a key the agent rejects', () => {
    // Two pods that differ only by a 60-character key: before 1.20 no selector can name it.
    const key = keyOf(60);
    const manifests = [...cluster('team'), pod('x', 'a', { app: 'db', [key]: '1' }, '198.18.0.20', { node: 'n' }), pod('x', 'b', { app: 'db', [key]: '2' }, '198.18.0.21', { node: 'n' })];
    const policy = networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.20/32' } }] }] });
    const old = compile([...manifests, policy], options({ 'cilium-version': '1.19' }), evalVersion(19));
    expect(codes(old.diagnostics)).toEqual(['backend-cilium/inseparable-pods']);
    for (const rule of old.objects[0]!.spec.egress!) for (const s of rule.toEndpoints ?? []) expect(keysOf(s)).not.toContain(`k8s:${key}`);
    expect(onlyNarrower(disagreements(old))).toBe(true);
    const current = compile([...manifests, policy], options({ 'cilium-version': '1.20' }), evalVersion(20));
    expect(codes(current.diagnostics)).toEqual([]);
    expect(disagreements(current)).toEqual([]);
  });
});
