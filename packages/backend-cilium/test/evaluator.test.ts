// The Cilium-semantics evaluator itself: each rule it implements, on hand-written objects.
import { expect, it } from 'vitest';
import type { Connection } from '@netpolc/ir';
import { loadValid, namespace, node, pod } from '@netpolc/ir/testing';
import type { CiliumPolicy, CiliumRule } from '../src/model.js';
import { CiliumEvaluator, defaultEvalOptions, type CiliumEvalOptions } from './support/cilium-eval.js';

const cluster = loadValid([
  node('n1', '198.19.0.1'),
  node('n2', '198.19.0.2'),
  namespace('x', { team: 'a' }),
  namespace('y', { team: 'b' }),
  pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n1', ports: [['http', 80, 'TCP']] }),
  pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'n2', ports: [['http', 8080, 'TCP'], ['dns', 53, 'UDP']] }),
  pod('y', 'c', { app: 'c' }, '198.18.1.10', { node: 'n2', ports: [['dns', 53, 'UDP']] }),
]).program;

const cnp = (spec: CiliumRule, ns = 'x'): CiliumPolicy => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: ns }, spec });
const podEp = (ns: string, name: string) => ({ kind: 'pod' as const, namespace: ns, name });
const conn = (src: Connection['src'], dst: Connection['dst'], port = 80, protocol: Connection['protocol'] = 'TCP'): Connection => ({ src, dst, protocol, port });
const allowed = (policies: CiliumPolicy[], c: Connection, options: CiliumEvalOptions = defaultEvalOptions) => new CiliumEvaluator(cluster, policies, options).allowed(c);

const toA = { endpointSelector: { matchLabels: { 'k8s:app': 'a' } } };

it('allows everything when no policy selects the endpoint, and only allowed traffic once one does', () => {
  expect(allowed([], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(true);
  expect(allowed([cnp({ ...toA, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'b' } }] }] })], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(false);
  expect(allowed([cnp({ ...toA, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'b' } }] }] })], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(true);
});

it('treats an empty rule as default deny without allowing anything, and a rule with only ports as any peer', () => {
  expect(allowed([cnp({ ...toA, ingress: [{}] })], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(false);
  const l4only = cnp({ ...toA, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
  expect(allowed([l4only], conn({ kind: 'ip', ip: '203.0.113.5' }, podEp('x', 'a')))).toBe(true);
  expect(allowed([l4only], conn({ kind: 'ip', ip: '203.0.113.5' }, podEp('x', 'a'), 81))).toBe(false);
});

it('scopes peer selectors to the policy namespace unless they name the namespace label', () => {
  const scoped = cnp({ ...toA, ingress: [{ fromEndpoints: [{}] }] });
  expect(allowed([scoped], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(true);
  expect(allowed([scoped], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(false);
  const anyNs = cnp({ ...toA, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }] });
  expect(allowed([anyNs], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(true);
  const nsLabel = cnp({ ...toA, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'b' } }] }] });
  expect(allowed([nsLabel], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(true);
  // Older releases inject the policy namespace even then.
  expect(allowed([nsLabel], conn(podEp('y', 'c'), podEp('x', 'a')), { ...defaultEvalOptions, namespaceLabelsSuppressInjection: false })).toBe(false);
});

it('applies a namespaced policy only to endpoints of its namespace', () => {
  expect(allowed([cnp({ endpointSelector: {}, ingress: [{}] }, 'y')], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(true);
  expect(allowed([cnp({ endpointSelector: {}, ingress: [{}] }, 'y')], conn(podEp('x', 'b'), podEp('y', 'c')))).toBe(false);
});

it('never matches pods or nodes with CIDR rules, and scopes except to its rule', () => {
  const cidr = cnp({ ...toA, ingress: [{ fromCIDRSet: [{ cidr: '0.0.0.0/0', except: ['203.0.113.0/24'] }] }] });
  expect(allowed([cidr], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(false);
  expect(allowed([cidr], conn({ kind: 'ip', ip: '198.19.0.2' }, podEp('x', 'a')))).toBe(false);
  expect(allowed([cidr], conn({ kind: 'ip', ip: '8.8.8.8' }, podEp('x', 'a')))).toBe(true);
  expect(allowed([cidr], conn({ kind: 'ip', ip: '203.0.113.5' }, podEp('x', 'a')))).toBe(false);
  const two = cnp({ ...toA, ingress: [{ fromCIDRSet: [{ cidr: '0.0.0.0/0', except: ['203.0.113.0/24'] }, { cidr: '203.0.113.5/32' }] }] });
  expect(allowed([two], conn({ kind: 'ip', ip: '203.0.113.5' }, podEp('x', 'a')))).toBe(true);
});

it('matches entities: host always reaches local endpoints, remote-node and world need a rule', () => {
  const deny = cnp({ ...toA, ingress: [{}] });
  expect(allowed([deny], conn({ kind: 'ip', ip: '198.19.0.1' }, podEp('x', 'a')))).toBe(true);
  expect(allowed([deny], conn({ kind: 'ip', ip: '198.19.0.2' }, podEp('x', 'a')))).toBe(false);
  expect(allowed([cnp({ ...toA, ingress: [{ fromEntities: ['remote-node'] }] })], conn({ kind: 'ip', ip: '198.19.0.2' }, podEp('x', 'a')))).toBe(true);
  expect(allowed([cnp({ ...toA, ingress: [{ fromEntities: ['world'] }] })], conn({ kind: 'ip', ip: '198.19.0.2' }, podEp('x', 'a')))).toBe(false);
  expect(allowed([cnp({ ...toA, ingress: [{ fromEntities: ['cluster'] }] })], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(true);
  expect(allowed([cnp({ ...toA, egress: [{ toEntities: ['host'] }] })], conn(podEp('x', 'a'), { kind: 'ip', ip: '198.19.0.1' }))).toBe(true);
  expect(allowed([cnp({ ...toA, egress: [{ toEntities: ['host'] }] })], conn(podEp('x', 'a'), { kind: 'ip', ip: '198.19.0.2' }))).toBe(false);
});

it('reads port 0 as every port, ANY as every transport protocol, and endPort only from 1.16', () => {
  const ports = (p: { port: string; endPort?: number; protocol: 'TCP' | 'UDP' | 'SCTP' | 'ANY' }) => cnp({ ...toA, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [p] }] }] });
  expect(allowed([ports({ port: '0', protocol: 'UDP' })], conn(podEp('x', 'b'), podEp('x', 'a'), 5353, 'UDP'))).toBe(true);
  expect(allowed([ports({ port: '0', protocol: 'UDP' })], conn(podEp('x', 'b'), podEp('x', 'a'), 5353, 'TCP'))).toBe(false);
  expect(allowed([ports({ port: '80', protocol: 'ANY' })], conn(podEp('x', 'b'), podEp('x', 'a'), 80, 'SCTP'))).toBe(true);
  const range = ports({ port: '80', endPort: 90, protocol: 'TCP' });
  expect(allowed([range], conn(podEp('x', 'b'), podEp('x', 'a'), 85))).toBe(true);
  expect(allowed([range], conn(podEp('x', 'b'), podEp('x', 'a'), 85), { ...defaultEvalOptions, version: [1, 15] })).toBe(false);
  expect(allowed([ports({ port: '80', protocol: 'SCTP' })], conn(podEp('x', 'b'), podEp('x', 'a'), 80, 'SCTP'), { ...defaultEvalOptions, version: [1, 12] })).toBe(false);
});

it('resolves ingress named ports on the endpoint and egress names cluster-wide, skipping conflicting ones', () => {
  const ingress = cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] });
  expect(allowed([ingress], conn(podEp('x', 'b'), podEp('x', 'a'), 80))).toBe(true);
  expect(allowed([ingress], conn(podEp('x', 'a'), podEp('x', 'b'), 8080))).toBe(true);
  expect(allowed([ingress], conn(podEp('x', 'a'), podEp('x', 'b'), 80))).toBe(false);
  const egressHttp = cnp({ endpointSelector: { matchLabels: { 'k8s:app': 'a' } }, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] });
  expect(allowed([egressHttp], conn(podEp('x', 'a'), podEp('x', 'b'), 8080))).toBe(false);
  const anyNs = [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' as const }] }];
  const egressDns = cnp({ endpointSelector: { matchLabels: { 'k8s:app': 'a' } }, egress: [{ toEndpoints: anyNs, toPorts: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] }] });
  expect(allowed([egressDns], conn(podEp('x', 'a'), podEp('y', 'c'), 53, 'UDP'))).toBe(true);
});

it('lets deny rules win over allow rules and honours enableDefaultDeny', () => {
  const allow = cnp({ ...toA, ingress: [{ fromEntities: ['all'] }] });
  const deny = cnp({ ...toA, ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'b' } }] }] });
  expect(allowed([allow, deny], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(false);
  const notDefaultDeny = cnp({ ...toA, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'b' } }] }] });
  expect(allowed([notDefaultDeny], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(true);
});

it('lets a pod reach itself and unions rules of all policies selecting an endpoint', () => {
  expect(allowed([cnp({ ...toA, ingress: [{}], egress: [{}] })], conn(podEp('x', 'a'), podEp('x', 'a')))).toBe(true);
  const one = cnp({ ...toA, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'b' } }] }] });
  const two: CiliumPolicy = { ...cnp({ ...toA, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y' } }] }] }), metadata: { name: 'q', namespace: 'x' } };
  expect(allowed([one, two], conn(podEp('y', 'c'), podEp('x', 'a')))).toBe(true);
  expect(allowed([one, two], conn(podEp('x', 'b'), podEp('x', 'a')))).toBe(true);
});

it('leaves keys out of identities from the release that drops them', () => {
  const sts = loadValid([node('n1', '198.19.0.1'), namespace('x'), pod('x', 'db-0', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-uid': 'u' }, '198.18.0.10', { node: 'n1' }), pod('x', 'c', { app: 'c' }, '198.18.0.11', { node: 'n1' })]).program;
  const deny = (key: string, value: string) => cnp({ endpointSelector: { matchLabels: { [`k8s:${key}`]: value } }, ingress: [{}] });
  const at = (policy: CiliumPolicy, version: readonly [number, number]) => new CiliumEvaluator(sts, [policy], { ...defaultEvalOptions, version }).allowed(conn(podEp('x', 'c'), podEp('x', 'db-0')));
  expect(at(deny('statefulset.kubernetes.io/pod-name', 'db-0'), [1, 14])).toBe(false);
  expect(at(deny('statefulset.kubernetes.io/pod-name', 'db-0'), [1, 15])).toBe(true);
  expect(at(deny('controller-uid', 'u'), [1, 15])).toBe(false);
  expect(at(deny('controller-uid', 'u'), [1, 16])).toBe(true);
});

it('reads a lone /0 CIDR rule as the world of both families before 1.15', () => {
  const dual = loadValid([node('n1', '198.19.0.1'), namespace('x'), pod('x', 'a', { app: 'a' }, ['198.18.0.10', '2001:db8::a'], { node: 'n1' })]).program;
  const world4 = cnp({ ...toA, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0' }] }] });
  const to6 = conn(podEp('x', 'a'), { kind: 'ip', ip: '2001:db8:99::1' });
  expect(new CiliumEvaluator(dual, [world4], { ...defaultEvalOptions, version: [1, 14] }).allowed(to6)).toBe(true);
  expect(new CiliumEvaluator(dual, [world4], { ...defaultEvalOptions, version: [1, 15] }).allowed(to6)).toBe(false);
  const excepted = cnp({ ...toA, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['203.0.113.0/24'] }] }] });
  expect(new CiliumEvaluator(dual, [excepted], { ...defaultEvalOptions, version: [1, 14] }).allowed(to6)).toBe(false);
});
