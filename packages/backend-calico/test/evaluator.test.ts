// The Calico-semantics evaluator on hand-written Calico objects: each documented Calico rule it
// implements, checked on its own, so the property tests compare against Calico and not against
// a second copy of the Kubernetes semantics.
import { expect, it } from 'vitest';
import { loadValid, namespace, node, pod } from '@netpolc/ir/testing';
import type { CalicoNetworkPolicy, CalicoObject, CalicoRule, CalicoTier } from '../src/model.js';
import { parseSelector, type Selector } from '../src/selector.js';
import { calicoCluster } from './support/calico-cluster.js';
import { calicoEvaluator, selectorMatches, type Packet } from './support/calico-evaluator.js';

const cluster = calicoCluster(
  loadValid([
    node('node-1', ['198.19.0.1', '2001:db8:ffff::1']),
    node('node-2', '198.19.0.2'),
    namespace('x', { team: 'a' }),
    namespace('y', { team: 'b' }),
    pod('x', 'web', { app: 'web' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1', ports: [['http', 8080, 'TCP'], ['dns', 53, 'UDP']] }),
    pod('x', 'db', { app: 'db' }, '198.18.0.11', { node: 'node-2', ports: [['http', 9090, 'TCP']] }),
    pod('y', 'web', { app: 'web' }, '198.18.1.10', { node: 'node-2' }),
  ]).program.inventory,
);

const ip = { xWeb: '198.18.0.10', xWeb6: '2001:db8::10', xDb: '198.18.0.11', yWeb: '198.18.1.10', node1: '198.19.0.1', node2: '198.19.0.2', ext: '203.0.113.5', ext6: '2001:db8:1::5' };

function sel(text: string): Selector {
  const r = parseSelector(text);
  if ('error' in r) throw new Error(r.error);
  return r.selector;
}

function np(ns: string, name: string, selector: string, rules: { ingress?: CalicoRule[]; egress?: CalicoRule[] }, extra: Partial<CalicoNetworkPolicy['spec']> = {}): CalicoNetworkPolicy {
  const types = [...(rules.ingress ? ['Ingress' as const] : []), ...(rules.egress ? ['Egress' as const] : [])];
  return { kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { selector: sel(selector), types, ...rules, ...extra } };
}

function tier(name: string, order: number, defaultAction: 'Deny' | 'Pass'): CalicoTier {
  return { kind: 'Tier', metadata: { name }, spec: { order, defaultAction } };
}

function run(objects: CalicoObject[], packet: Partial<Packet> & Pick<Packet, 'srcIp' | 'dstIp'>) {
  return calicoEvaluator(objects, cluster)({ protocol: 'TCP', dstPort: 80, ...packet });
}

it('allows everything when no policy applies (the namespace profile allows)', () => {
  const v = run([], { srcIp: ip.yWeb, dstIp: ip.xWeb });
  expect(v.allowed).toBe(true);
  expect(v.egress?.reason).toBe('profile');
  expect(v.ingress?.reason).toBe('profile');
});

it('a Log-only policy isolates: the tier default action drops what it logged (projectcalico/calico#3801)', () => {
  const v = run([np('x', 'log', "app == 'web'", { ingress: [{ action: 'Log' }] })], { srcIp: ip.yWeb, dstIp: ip.xWeb });
  expect(v).toMatchObject({ allowed: false, ingress: { reason: 'end-of-tier', logged: true } });
});

it('Log is non-terminal: Log then Allow allows and logs', () => {
  const v = run([np('x', 'log', "app == 'web'", { ingress: [{ action: 'Log' }, { action: 'Allow' }] })], { srcIp: ip.yWeb, dstIp: ip.xWeb });
  expect(v).toMatchObject({ allowed: true, ingress: { reason: 'rule', logged: true } });
});

it('evaluates policies by order, then name; an absent order is last', () => {
  const deny = (name: string, order?: number): CalicoNetworkPolicy => np('x', name, 'all()', { ingress: [{ action: 'Deny' }] }, order === undefined ? {} : { order });
  const allow = (name: string, order?: number): CalicoNetworkPolicy => np('x', name, 'all()', { ingress: [{ action: 'Allow' }] }, order === undefined ? {} : { order });
  const packet = { srcIp: ip.yWeb, dstIp: ip.xWeb };
  expect(run([deny('b', 10), allow('a', 20)], packet).allowed).toBe(false);
  expect(run([deny('a', 20), allow('b', 10)], packet).allowed).toBe(true);
  expect(run([deny('a', 10), allow('b', 10)], packet).allowed).toBe(false);
  expect(run([deny('b', 10), allow('a', 10)], packet).allowed).toBe(true);
  expect(run([deny('a'), allow('z', 1e9)], packet).allowed).toBe(true);
});

it('Pass skips the rest of the tier; the next tier that applies decides, else the profiles', () => {
  const packet = { srcIp: ip.yWeb, dstIp: ip.xWeb };
  const passFirst = np('x', 'pass', 'all()', { ingress: [{ action: 'Pass' }] }, { tier: 'first', order: 1 });
  const denyLater = np('x', 'deny', 'all()', { ingress: [{ action: 'Deny' }] }, { tier: 'first', order: 2 });
  expect(run([tier('first', 10, 'Deny'), passFirst, denyLater], packet)).toMatchObject({ allowed: true, ingress: { reason: 'profile' } });
  const denyDefault = np('x', 'deny-default', 'all()', { ingress: [{ action: 'Deny' }] });
  expect(run([tier('first', 10, 'Deny'), passFirst, denyDefault], packet)).toMatchObject({ allowed: false, ingress: { policy: 'default/x/deny-default' } });
});

it('a tier whose default action is Pass hands undecided traffic on; Deny drops it', () => {
  const packet = { srcIp: ip.yWeb, dstIp: ip.xWeb };
  const logOnly = np('x', 'log', 'all()', { ingress: [{ action: 'Log' }] }, { tier: 'audit' });
  expect(run([tier('audit', 10, 'Pass'), logOnly], packet)).toMatchObject({ allowed: true, ingress: { reason: 'profile', logged: true } });
  expect(run([tier('audit', 10, 'Deny'), logOnly], packet)).toMatchObject({ allowed: false, ingress: { reason: 'end-of-tier' } });
});

it('orders tiers by order: an earlier tier decides first', () => {
  const packet = { srcIp: ip.yWeb, dstIp: ip.xWeb };
  const allowEarly = np('x', 'allow', 'all()', { ingress: [{ action: 'Allow' }] }, { tier: 'early' });
  const deny = np('x', 'deny', 'all()', { ingress: [{ action: 'Deny' }] });
  expect(run([tier('early', 100, 'Deny'), allowEarly, deny], packet).allowed).toBe(true);
  expect(run([tier('early', 2_000_000, 'Deny'), allowEarly, deny], packet).allowed).toBe(false);
});

it('applies a policy only to the directions in its types', () => {
  const egressOnly = np('x', 'e', 'all()', { egress: [{ action: 'Deny' }] });
  expect(run([egressOnly], { srcIp: ip.yWeb, dstIp: ip.xWeb }).allowed).toBe(true);
  expect(run([egressOnly], { srcIp: ip.xWeb, dstIp: ip.yWeb }).allowed).toBe(false);
});

it('applies a namespaced policy to endpoints of its own namespace only', () => {
  const deny = np('x', 'deny', "app == 'web'", { ingress: [{ action: 'Deny' }] });
  expect(run([deny], { srcIp: ip.ext, dstIp: ip.yWeb }).allowed).toBe(true);
  expect(run([deny], { srcIp: ip.ext, dstIp: ip.xWeb }).allowed).toBe(false);
});

it('scopes rule selectors to the policy namespace unless a namespaceSelector is given; all() means any namespaced endpoint', () => {
  const policy = (source: CalicoRule['source']): CalicoObject[] => [np('x', 'p', "app == 'db'", { ingress: [{ action: 'Allow', ...(source ? { source } : {}) }] })];
  const from = (src: string, objects: CalicoObject[]): boolean => run(objects, { srcIp: src, dstIp: ip.xDb }).allowed;
  const own = policy({ selector: sel("app == 'web'") });
  expect([from(ip.xWeb, own), from(ip.yWeb, own), from(ip.ext, own)]).toEqual([true, false, false]);
  const anyNs = policy({ namespaceSelector: sel('all()'), selector: sel("app == 'web'") });
  expect([from(ip.xWeb, anyNs), from(ip.yWeb, anyNs), from(ip.ext, anyNs), from(ip.node1, anyNs)]).toEqual([true, true, false, false]);
  const team = policy({ namespaceSelector: sel("team == 'b'") });
  expect([from(ip.xWeb, team), from(ip.yWeb, team)]).toEqual([false, true]);
  const byName = policy({ namespaceSelector: sel("projectcalico.org/name == 'x'") });
  expect([from(ip.xWeb, byName), from(ip.yWeb, byName)]).toEqual([true, false]);
  const anything = policy(undefined);
  expect([from(ip.ext, anything), from(ip.node1, anything)]).toEqual([true, true]);
});

it('puts host endpoint IPs and network set CIDRs in selector IP sets; namespaced sets inherit namespace labels', () => {
  const inventory = loadValid([node('node-1', '198.19.0.1'), node('node-2', '198.19.0.2'), namespace('x', { team: 'a' }), pod('x', 'db', { app: 'db' }, '198.18.0.11', { node: 'node-2' })]).program.inventory;
  const withOthers = calicoCluster(inventory, {
    hostEndpoints: [{ name: 'node-1-eth0', node: 'node-1', labels: { app: 'web' }, expectedIPs: ['198.19.0.1'] }],
    networkSets: [
      { name: 'global', labels: { app: 'web' }, nets: ['203.0.113.0/24'] },
      { name: 'office', namespace: 'x', labels: { app: 'web' }, nets: ['192.0.2.0/24'] },
    ],
  });
  const from = (source: CalicoRule['source'], src: string): boolean =>
    calicoEvaluator([np('x', 'p', "app == 'db'", { ingress: [{ action: 'Allow', source: source! }] })], withOthers)({ srcIp: src, dstIp: '198.18.0.11', protocol: 'TCP', dstPort: 80 }).allowed;
  const srcs = ['198.19.0.1', '203.0.113.7', '192.0.2.7', '198.51.100.1'];
  // Without a namespaceSelector the selector is scoped to the policy namespace: only the NetworkSet of x.
  expect(srcs.map((s) => from({ selector: sel("app == 'web'") }, s))).toEqual([false, false, true, false]);
  // A namespaceSelector reaches namespaced sets through their inherited pcns.* labels ...
  expect(srcs.map((s) => from({ namespaceSelector: sel("team == 'a'"), selector: sel("app == 'web'") }, s))).toEqual([false, false, true, false]);
  // ... and a negative one also reaches what has no namespace at all: host endpoints and global sets.
  expect(srcs.map((s) => from({ namespaceSelector: sel("team != 'b'"), selector: sel("app == 'web'") }, s))).toEqual([true, true, true, false]);
  // Limiting the selector to Kubernetes workloads leaves none of them.
  expect(srcs.map((s) => from({ namespaceSelector: sel("team != 'b'"), selector: sel("projectcalico.org/orchestrator == 'k8s' && app == 'web'") }, s))).toEqual([false, false, false, false]);
});

it('matches nets on any address, pods included; notNets exclude; families never mix', () => {
  const policy = (source: CalicoRule['source']): CalicoObject[] => [np('x', 'p', "app == 'web'", { ingress: [{ action: 'Allow', source: source! }] })];
  const cidr = policy({ nets: ['198.18.0.0/16'], notNets: ['198.18.1.0/24'] });
  expect(run(cidr, { srcIp: ip.xDb, dstIp: ip.xWeb }).allowed).toBe(true);
  expect(run(cidr, { srcIp: ip.yWeb, dstIp: ip.xWeb }).allowed).toBe(false);
  expect(run(cidr, { srcIp: ip.ext6, dstIp: ip.xWeb6 }).allowed).toBe(false);
  // A rule whose nets are all of the other family does not exist for this family (FilterRuleToIPVersion).
  const v6only = policy({ nets: ['::/0'] });
  expect(run(v6only, { srcIp: ip.ext, dstIp: ip.xWeb }).allowed).toBe(false);
  expect(run(v6only, { srcIp: ip.ext6, dstIp: ip.xWeb6 }).allowed).toBe(true);
  const v6except = policy({ notNets: ['2001:db8:1::/48'] });
  expect(run(v6except, { srcIp: ip.ext, dstIp: ip.xWeb }).allowed).toBe(false);
});

it('resolves named ports on the destination endpoint, with the rule protocol', () => {
  const ingress = [np('x', 'p', 'all()', { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [{ kind: 'named', name: 'http' }] } }] })];
  expect(run(ingress, { srcIp: ip.ext, dstIp: ip.xWeb, dstPort: 8080 }).allowed).toBe(true);
  expect(run(ingress, { srcIp: ip.ext, dstIp: ip.xWeb6, dstPort: 8080 }).allowed).toBe(true);
  expect(run(ingress, { srcIp: ip.ext, dstIp: ip.xWeb, dstPort: 9090 }).allowed).toBe(false);
  expect(run(ingress, { srcIp: ip.ext, dstIp: ip.xDb, dstPort: 9090 }).allowed).toBe(true);
  expect(run(ingress, { srcIp: ip.ext, dstIp: ip.xWeb, dstPort: 8080, protocol: 'UDP' }).allowed).toBe(false);
  const egress = [np('y', 'p', 'all()', { egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [{ kind: 'named', name: 'dns' }] } }] })];
  expect(run(egress, { srcIp: ip.yWeb, dstIp: ip.xWeb, dstPort: 53, protocol: 'UDP' }).allowed).toBe(true);
  expect(run(egress, { srcIp: ip.yWeb, dstIp: ip.ext, dstPort: 53, protocol: 'UDP' }).allowed).toBe(false);
});

it('matches ports, ranges and protocols; a rule without protocol matches every protocol', () => {
  const ports = [np('x', 'p', 'all()', { ingress: [{ action: 'Allow', protocol: 'SCTP', destination: { ports: [{ kind: 'number', port: 80 }, { kind: 'range', from: 90, to: 99 }] } }] })];
  expect([80, 85, 90, 99, 100].map((p) => run(ports, { srcIp: ip.ext, dstIp: ip.xWeb, protocol: 'SCTP', dstPort: p }).allowed)).toEqual([true, false, true, true, false]);
  expect(run(ports, { srcIp: ip.ext, dstIp: ip.xWeb, protocol: 'TCP', dstPort: 80 }).allowed).toBe(false);
  const any = [np('x', 'p', 'all()', { ingress: [{ action: 'Allow' }] })];
  expect(['TCP', 'UDP', 'SCTP'].map((protocol) => run(any, { srcIp: ip.ext, dstIp: ip.xWeb, protocol: protocol as Packet['protocol'] }).allowed)).toEqual([true, true, true]);
});

it('never polices a host to its own workloads, nor a pod to itself (projectcalico/calico#1683)', () => {
  const denyAll = [np('x', 'deny', 'all()', { ingress: [{ action: 'Deny' }], egress: [{ action: 'Deny' }] })];
  expect(run(denyAll, { srcIp: ip.node1, dstIp: ip.xWeb })).toMatchObject({ allowed: true, ingress: { reason: 'host-to-local-workload' } });
  expect(run(denyAll, { srcIp: ip.node2, dstIp: ip.xWeb }).allowed).toBe(false);
  expect(run(denyAll, { srcIp: ip.xWeb, dstIp: ip.xWeb })).toMatchObject({ allowed: true, self: true });
});

it('evaluates != and not in as true for endpoints without the label (ast.go)', () => {
  const labels = new Map([['app', 'web']]);
  expect(selectorMatches(sel("tier != 'x'"), labels)).toBe(true);
  expect(selectorMatches(sel("tier not in {'x'}"), labels)).toBe(true);
  expect(selectorMatches(sel("tier in {'x'}"), labels)).toBe(false);
  expect(selectorMatches(sel("tier == 'x'"), labels)).toBe(false);
  expect(selectorMatches(sel("app == 'web' && (has(tier) || !has(role))"), labels)).toBe(true);
  expect(selectorMatches(sel("app starts with 'w' && app ends with 'b' && app contains 'e'"), labels)).toBe(true);
});

it('refuses objects it cannot model rather than guessing', () => {
  const noTier = np('x', 'p', 'all()', { ingress: [{ action: 'Allow' }] }, { tier: 'missing' });
  expect(() => run([noTier], { srcIp: ip.ext, dstIp: ip.xWeb })).toThrow(/does not exist/);
  const srcPorts = np('x', 'p', 'all()', { ingress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [{ kind: 'number', port: 1 }] } }] });
  expect(() => run([srcPorts], { srcIp: ip.ext, dstIp: ip.xWeb })).toThrow(/source ports/);
});
