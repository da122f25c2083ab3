// A Cilium agent that is not dual-stack reads either family's /0 as `reserved:world` of the family
// it runs (pkg/policy/api/cidr.go, worldLabelNonDualStack): `::/0` beside `0.0.0.0/0 except
// 169.254.169.254/32` in an IPv4-only cluster re-admitted the metadata service. Found by an audit
// of 2026-12-03 against the Cilium sources.
import { expect, it } from 'vitest';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { codes, compile, disagreements } from './support/harness.js';

const internetButMetadata = networkPolicy('x', 'egress', {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.0.0.0/8'] } }, { ipBlock: { cidr: '::/0' } }] }],
});
const ipv6Only = networkPolicy('x', 'v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 443 }] }] });

function cluster(...extra: Manifest[]): Manifest[] {
  return [namespace('x'), node('n', '10.0.0.1'), pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n' }), pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'n' }), ...extra];
}

for (const version of ['1.15', '1.17', '1.18', '1.21']) {
  it(`leaves the other family's blocks out of an IPv4-only cluster's policies, so the metadata service stays denied (Cilium ${version})`, () => {
    const c = compile(cluster(internetButMetadata), undefined, { version: [1, Number(version.split('.')[1])] as const, namespaceLabelsSuppressInjection: true });
    expect(disagreements(c, ['169.254.169.254', '10.1.2.3', '8.8.8.8'])).toEqual([]);
    expect(codes(c.diagnostics)).toContain('backend-cilium/other-family-block');
    const cidrs = c.objects.flatMap((o) => (o.spec.egress ?? []).flatMap((r) => r.toCIDRSet ?? []).map((r) => r.cidr));
    expect(cidrs).not.toContain('::/0');
  });
}

it('writes nothing for a rule whose only peer is of the other family (it matches nothing), never a rule without peers', () => {
  const c = compile(cluster(ipv6Only));
  expect(disagreements(c, ['8.8.8.8', '203.0.113.5'])).toEqual([]);
  // Isolated with nothing allowed: the empty rule is Cilium's default-deny marker.
  expect(c.objects.flatMap((o) => o.spec.egress ?? [])).toEqual([{}]);
});

it('keeps both families of a dual-stack cluster', () => {
  const c = compile([namespace('x'), node('n', '10.0.0.1'), pod('x', 'a', { app: 'a' }, ['198.18.0.10', 'fd00:198:18::10'], { node: 'n' }), internetButMetadata]);
  expect(codes(c.diagnostics)).not.toContain('backend-cilium/other-family-block');
  const cidrs = c.objects.flatMap((o) => (o.spec.egress ?? []).flatMap((r) => r.toCIDRSet ?? []).map((r) => r.cidr));
  expect(cidrs).toContain('::/0');
  expect(disagreements(c, ['169.254.169.254', '8.8.8.8', '2001:db8::1'])).toEqual([]);
});

it("warns about a /0 when the pod network's families are unknown and no node has its family (no pods, no --cluster-cidr)", () => {
  expect(codes(compile([internetButMetadata]).diagnostics)).toContain('backend-cilium/world-block-families-unknown');
  // IPv4 nodes: 0.0.0.0/0 is read as IPv4 whatever the cluster; ::/0 may be read as the IPv4 world.
  const nodesOnly = compile([namespace('x'), node('n', '10.0.0.1'), internetButMetadata]);
  const warned = nodesOnly.diagnostics.filter((d) => d.code === 'backend-cilium/world-block-families-unknown');
  expect(warned.map((d) => d.message)).toEqual([expect.stringContaining('::/0')]);
});

it("keeps the other family's blocks when only Node objects show a family: a dual-stack cluster may list IPv4 node addresses only", () => {
  const c = compile([namespace('x'), node('n', '10.0.0.1'), networkPolicy('x', 'v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: 'fd00::/64' } }] }] })]);
  expect(codes(c.diagnostics)).not.toContain('backend-cilium/other-family-block');
  expect(c.objects.flatMap((o) => (o.spec.egress ?? []).flatMap((r) => r.toCIDRSet ?? []).map((r) => r.cidr))).toEqual(['fd00::/64']);
});

it('blames node-entity warnings on the blocks of the rule that hold node addresses, not on every block', () => {
  const policy = networkPolicy('x', 'egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }, { ipBlock: { cidr: '2001:db8::/32' } }] }],
  });
  const c = compile([namespace('x'), node('n', '10.0.0.1'), pod('x', 'a', { app: 'a' }, ['198.18.0.10', 'fd00:198:18::10'], { node: 'n' }), policy]);
  const withheld = c.diagnostics.filter((d) => d.code === 'backend-cilium/node-entities-withheld');
  expect(withheld.map((d) => d.message)).toEqual([expect.stringContaining('0.0.0.0/0 except 169.254.169.254/32')]);
});
