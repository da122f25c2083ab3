import { expect, it } from 'vitest';
import { evaluate, parseIp, type Program } from '@netpolc/ir';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import type { Ruleset, Table } from '../src/model.js';
import { clusterDecision } from './support/cluster.js';
import { compile, loadProgram } from './support/compile.js';
import { runHook, type Packet } from './support/interpret.js';
import { validateTable } from './support/validate.js';

const ip = (text: string): bigint => parseIp(text)!.value;

function packet(src: string, dst: string, l4: Packet['l4'], dport: number, extra: Partial<Packet> = {}): Packet {
  return { family: src.includes(':') ? 6 : 4, saddr: ip(src), daddr: ip(dst), l4, dport, ct: 'new', ...extra };
}

function table(models: ReadonlyMap<string, Ruleset>, node: string): Table {
  const r = models.get(node);
  if (!r) throw new Error(`no ruleset for ${node}`);
  return r.table;
}

function countRules(t: Table): number {
  return t.chains.reduce((n, c) => n + c.rules.length, 0);
}

function countElements(t: Table): number {
  return t.sets.reduce((n, s) => n + s.elements.length, 0) + t.maps.reduce((n, m) => n + m.elements.length, 0);
}

/** x/web on node-1 (dual-stack) isolated both ways; y holds clients on node-2. */
function smallCluster(extra: readonly Manifest[] = []): Program {
  return loadProgram([
    node('node-1', ['198.19.0.1', '2001:db8:ffff::1']),
    node('node-2', '198.19.0.2'),
    namespace('x'),
    namespace('y', { team: 'clients' }),
    pod('x', 'web', { app: 'web' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1' }),
    pod('y', 'client', { app: 'client' }, '198.18.1.10', { node: 'node-2' }),
    networkPolicy('x', 'web', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'clients' } } }], ports: [{ port: 80 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }],
    }),
    ...extra,
  ]);
}

it('drops invalid packets of local pods and leaves invalid transit traffic alone', () => {
  const t = table(compile(smallCluster()).models, 'node-1');
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'tcp', 80, { ct: 'invalid' })).verdict).toBe('drop');
  expect(runHook(t, 'forward', packet('198.18.0.10', '203.0.113.1', 'tcp', 80, { ct: 'invalid' })).verdict).toBe('drop');
  expect(runHook(t, 'forward', packet('203.0.113.1', '8.8.8.8', 'tcp', 80, { ct: 'invalid' })).verdict).toBe('accept');
});

it('accepts packets of established connections in a direction that denies new ones', () => {
  const t = table(compile(smallCluster()).models, 'node-1');
  expect(runHook(t, 'forward', packet('8.8.8.8', '198.18.0.10', 'tcp', 443)).verdict).toBe('drop');
  expect(runHook(t, 'forward', packet('8.8.8.8', '198.18.0.10', 'tcp', 443, { ct: 'established' })).verdict).toBe('accept');
  expect(runHook(t, 'forward', packet('8.8.8.8', '198.18.0.10', 'icmp', 0, { ct: 'related' })).verdict).toBe('accept');
});

it('lets an egress-isolated pod do IPv6 neighbour discovery with its node', () => {
  const t = table(compile(smallCluster()).models, 'node-1');
  const solicit = packet('2001:db8::10', '2001:db8:ffff::1', 'icmpv6', 0, { icmpv6Type: 'nd-neighbor-solicit', hopLimit: 255 });
  expect(runHook(t, 'input', solicit).verdict).toBe('accept');
  // Real neighbour discovery has hop limit 255 (RFC 4861); the same type with another is data.
  expect(runHook(t, 'input', { ...solicit, hopLimit: 64 }).verdict).toBe('drop');
  expect(runHook(t, 'input', packet('2001:db8::10', '2001:db8:ffff::1', 'tcp', 22)).verdict).toBe('drop');
});

it('allows ICMP only through rules without ports', () => {
  const t = table(compile(smallCluster()).models, 'node-1');
  expect(runHook(t, 'forward', packet('198.18.0.10', '203.0.113.7', 'icmp', 0)).verdict).toBe('accept');
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'icmp', 0)).verdict).toBe('drop');
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'tcp', 80)).verdict).toBe('accept');
});

it('rejects TCP with a reset and every other protocol with ICMP port unreachable', () => {
  const t = table(compile(smallCluster(), { 'deny-action': 'reject' }).models, 'node-1');
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'tcp', 81))).toMatchObject({ verdict: 'reject', rejectWith: 'tcp-reset' });
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'udp', 80))).toMatchObject({ verdict: 'reject', rejectWith: 'icmpx-port-unreachable' });
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'sctp', 80))).toMatchObject({ verdict: 'reject', rejectWith: 'icmpx-port-unreachable' });
});

it('logs denied and allowed connections with rate-limited prefixes naming the pod or the policy', () => {
  const t = table(compile(smallCluster(), { log: 'all', 'log-rate': '5/minute' }).models, 'node-1');
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'tcp', 81)).logs).toEqual(['netpolc deny ingress x/web: ']);
  expect(runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'tcp', 80)).logs).toEqual(['netpolc allow ingress x/web: ']);
  const limited = runHook(t, 'forward', packet('198.18.1.10', '198.18.0.10', 'tcp', 80), { limitPasses: false });
  expect(limited).toMatchObject({ verdict: 'accept', logs: [] });
  const limits = t.chains.flatMap((c) => c.rules.flatMap((r) => r.statements.filter((s) => s.kind === 'limit')));
  expect(limits.length).toBeGreaterThan(0);
  expect(limits.every((s) => s.kind === 'limit' && s.rate === 5 && s.unit === 'minute')).toBe(true);
});

it('puts counters on deciding rules only when asked', () => {
  const counters = (t: Table): number => t.chains.flatMap((c) => c.rules).filter((r) => r.statements.some((s) => s.kind === 'counter')).length;
  expect(counters(table(compile(smallCluster()).models, 'node-1'))).toBe(0);
  const t = table(compile(smallCluster(), { counters: true }).models, 'node-1');
  const deciding = t.chains.flatMap((c) => c.rules).filter((r) => r.statements.some((s) => s.kind === 'verdict' || s.kind === 'reject'));
  expect(counters(t)).toBe(deciding.length);
  // With allowed connections logged, the allow rules keep their own counters; the shared log
  // chain adds none.
  const logged = table(compile(smallCluster(), { counters: true, log: 'allowed' }).models, 'node-1');
  const allowRules = logged.chains.filter((c) => c.hook === undefined && !c.name.startsWith('allow/')).flatMap((c) => c.rules.filter((r) => r.comment !== undefined));
  expect(allowRules.length).toBeGreaterThan(0);
  expect(allowRules.every((r) => r.statements[0]!.kind === 'counter')).toBe(true);
  expect(logged.chains.filter((c) => c.name.startsWith('allow/')).every((c) => c.rules.every((r) => r.statements.every((s) => s.kind !== 'counter')))).toBe(true);
});

/** node-1 holds x/sub; node-2 holds `k` peers in y with a different "http" port each. */
function scaledCluster(k: number): Program {
  const peers: Manifest[] = [];
  for (let i = 0; i < k; i++) {
    peers.push(pod('y', `peer-${i}`, { role: 'peer' }, [`198.18.${1 + (i >> 8)}.${i & 255}`, `2001:db8:1::${(i + 1).toString(16)}`], { node: 'node-2', ports: [['http', 8000 + i, 'TCP']] }));
  }
  return loadProgram([
    node('node-1', '198.19.0.1'),
    node('node-2', '198.19.0.2'),
    namespace('x'),
    namespace('y', { team: 'peers' }),
    pod('x', 'sub', { app: 'sub' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1', ports: [['http', 8080, 'TCP']] }),
    ...peers,
    networkPolicy('x', 'sub', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'peers' } }, podSelector: { matchLabels: { role: 'peer' } } }], ports: [{ port: 'http' }] }],
      egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }, { protocol: 'UDP', port: 53 }] }],
    }),
  ]);
}

it('keeps rules per node constant as peer pods grow; only set elements grow', () => {
  const sizes = [1, 10, 300].map((k) => {
    const t = table(compile(scaledCluster(k)).models, 'node-1');
    expect(validateTable(t)).toEqual([]);
    return { rules: countRules(t), elements: countElements(t) };
  });
  expect(sizes[1]!.rules).toBe(sizes[0]!.rules);
  expect(sizes[2]!.rules).toBe(sizes[0]!.rules);
  expect(sizes[2]!.elements).toBeGreaterThan(sizes[1]!.elements);
  expect(sizes[1]!.elements).toBeGreaterThan(sizes[0]!.elements);
});

it('shares one named set between pods and policies that name the same peers', () => {
  const program = loadProgram([
    node('node-1', '198.19.0.1'),
    namespace('x'),
    pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'node-1' }),
    pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'node-1' }),
    pod('x', 'c', { app: 'c' }, '198.18.0.12', { node: 'node-1' }),
    networkPolicy('x', 'one', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }] }),
    networkPolicy('x', 'two', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }], ports: [{ port: 80 }] }] }),
  ]);
  const t = table(compile(program).models, 'node-1');
  const peerSets = t.sets.filter((s) => s.name.startsWith('peer'));
  expect(peerSets).toHaveLength(1);
  const refs = t.chains.flatMap((c) => c.rules.flatMap((r) => r.matches.flatMap((m) => (m.kind === 'address' && m.set.kind === 'named' && m.set.name.startsWith('peer') ? [m.set.name] : []))));
  expect(refs).toEqual([peerSets[0]!.name, peerSets[0]!.name]);
});

it('keeps set and chain names when a peer pod joins: only element lines change', () => {
  const before = compile(scaledCluster(3)).texts.get('node-1')!.split('\n');
  const after = compile(scaledCluster(4)).texts.get('node-1')!.split('\n');
  const removed = before.filter((l) => !after.includes(l));
  const added = after.filter((l) => !before.includes(l));
  const element = /^\t\t\t\S.*,$/;
  // Consecutive pod addresses form one range element, so the new pod widens two ranges (v4, v6)
  // of the ingress set and two of the UDP/53 part of the egress set, and adds its own
  // (address . tcp . port) elements.
  expect(removed.every((l) => element.test(l))).toBe(true);
  expect(added.every((l) => element.test(l))).toBe(true);
  expect(removed).toHaveLength(4);
  expect(added).toHaveLength(6);
});

it('fits long pod, namespace and policy names into nft limits and keeps them distinct', () => {
  const ns = 'n'.repeat(63);
  const long = (tail: string): string => `${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(54)}${tail}`;
  const program = loadProgram([
    node('node-1', '198.19.0.1'),
    namespace(ns),
    pod(ns, long('-aaaa-1'), { app: 'a' }, '198.18.0.10', { node: 'node-1' }),
    pod(ns, long('-aaaa-2'), { app: 'a' }, '198.18.0.11', { node: 'node-1' }),
    networkPolicy(ns, long('-policy'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
  ]);
  const t = table(compile(program, { log: 'all' }).models, 'node-1');
  expect(validateTable(t)).toEqual([]);
  const podChains = t.chains.filter((c) => c.hook === undefined && !c.name.startsWith('allow/'));
  expect(new Set(podChains.map((c) => c.name)).size).toBe(4);
});

/** On node-1: x/both isolated both ways (two IPv4 addresses), x/in ingress only, x/out egress only. */
function selfCluster(semantics: { readonly allowSelf?: boolean; readonly allowNodeLocalIngress?: boolean } = {}): Program {
  return loadProgram(
    [
      node('node-1', ['198.19.0.1', '2001:db8:ffff::1']),
      namespace('x'),
      pod('x', 'both', { iso: 'both' }, ['198.18.0.10', '198.18.0.11', '2001:db8::10'], { node: 'node-1' }),
      pod('x', 'in', { iso: 'in' }, ['198.18.0.20', '2001:db8::20'], { node: 'node-1' }),
      pod('x', 'out', { iso: 'out' }, ['198.18.0.30', '2001:db8::30'], { node: 'node-1' }),
      networkPolicy('x', 'both', { podSelector: { matchLabels: { iso: 'both' } }, policyTypes: ['Ingress', 'Egress'] }),
      networkPolicy('x', 'in', { podSelector: { matchLabels: { iso: 'in' } }, policyTypes: ['Ingress'] }),
      networkPolicy('x', 'out', { podSelector: { matchLabels: { iso: 'out' } }, policyTypes: ['Egress'] }),
    ],
    { semantics },
  );
}

const selfPods: Record<string, readonly string[]> = {
  both: ['198.18.0.10', '198.18.0.11', '2001:db8::10'],
  in: ['198.18.0.20', '2001:db8::20'],
  out: ['198.18.0.30', '2001:db8::30'],
};
const sameFamily = (a: string, b: string): boolean => a.includes(':') === b.includes(':');

// A Service hairpin (pod → VIP, DNAT back to the pod, masquerade after forward) reaches the
// node's forward hook with the pod's own addresses on both sides (semantics.md §2.5).
it('accepts a pod reaching its own addresses through the node, and only that, when the profile allows self traffic', () => {
  for (const allowNodeLocalIngress of [true, false]) {
    const t = table(compile(selfCluster({ allowNodeLocalIngress })).models, 'node-1');
    expect(validateTable(t)).toEqual([]);
    for (const [name, own] of Object.entries(selfPods)) {
      for (const s of own) {
        for (const d of own.filter((a) => sameFamily(a, s))) {
          const hairpin = (l4: 'tcp' | 'udp' | 'icmp') => ({ ...packet(s, d, l4, 80), dnat: true });
          for (const l4 of ['tcp', 'udp', 'icmp'] as const) expect(runHook(t, 'forward', hairpin(l4)).verdict, `x/${name} ${s} -> ${d} ${l4}`).toBe('accept');
          // Every hook that enters pod chains has the exception (an IPVS hairpin leaves through output).
          expect(runHook(t, 'input', hairpin('tcp')).verdict).toBe('accept');
          expect(runHook(t, 'output', hairpin('tcp')).verdict).toBe('accept');
          // Not DNATed, the pair is forged (another pod wrote the victim's address on both sides):
          // the policies decide it, and x/both denies everything (old code: accepted).
          if (name === 'both') expect(runHook(t, 'forward', packet(s, d, 'udp', 80)).verdict, `forged ${s} -> ${d}`).toBe('drop');
        }
        // Nothing else: other pods, outside addresses, and the node stay under the policies.
        for (const [other, theirs] of Object.entries(selfPods)) {
          if (other === name) continue;
          for (const d of theirs.filter((a) => sameFamily(a, s))) {
            const there = runHook(t, 'forward', packet(s, d, 'tcp', 80)).verdict;
            const back = runHook(t, 'forward', packet(d, s, 'tcp', 80)).verdict;
            expect(there === 'accept' && back === 'accept', `x/${name} <-> x/${other}`).toBe(false);
          }
        }
        const outside = s.includes(':') ? '2001:db8:1::1' : '8.8.8.8';
        if (name !== 'in') expect(runHook(t, 'forward', packet(s, outside, 'tcp', 80)).verdict).toBe('drop');
        if (name !== 'out') expect(runHook(t, 'forward', packet(outside, s, 'tcp', 80)).verdict).toBe('drop');
      }
    }
  }
});

it('emits no self exception when the profile forbids self traffic: the policies decide the hairpin', () => {
  const t = table(compile(selfCluster({ allowSelf: false, allowNodeLocalIngress: false })).models, 'node-1');
  for (const own of Object.values(selfPods)) {
    for (const s of own) for (const d of own.filter((a) => sameFamily(a, s))) expect(runHook(t, 'forward', packet(s, d, 'tcp', 80)).verdict, `${s} -> ${d}`).toBe('drop');
  }
  const pairLookups = t.chains.flatMap((c) => c.rules.flatMap((r) => r.matches.filter((m) => m.kind === 'address-pair')));
  expect(pairLookups).toEqual([]);
  expect(t.sets.filter((s) => s.kind === 'address-pair')).toEqual([]);
});

it('decides every hairpin of the self cluster as the reference evaluator does, with either profile', () => {
  for (const allowSelf of [true, false]) {
    const program = selfCluster({ allowSelf });
    const { models } = compile(program);
    for (const [name, own] of Object.entries(selfPods)) {
      for (const s of own) {
        for (const d of own.filter((a) => sameFamily(a, s))) {
          const conn = { src: { kind: 'pod', namespace: 'x', name, ip: s }, dst: { kind: 'pod', namespace: 'x', name, ip: d }, protocol: 'TCP', port: 80 } as const;
          const reference = evaluate(program, conn);
          if ('error' in reference) throw new Error(reference.error);
          expect(reference.allowed).toBe(allowSelf);
          expect(clusterDecision(program, models, conn, { hairpin: true })!.allowed, `allowSelf ${allowSelf}: ${s} -> ${d}`).toBe(allowSelf);
        }
      }
    }
  }
});

it('takes an address two nodes list as node-local on each, as the reference evaluator does', () => {
  // A shared ExternalIP (one NAT in front of both nodes): node-2's own traffic may leave from it.
  // The build before gave it to node-1 alone, so node-2 dropped its own node-local ingress.
  const program = loadProgram([
    node('node-1', ['198.19.0.1', '203.0.113.5']),
    node('node-2', ['198.19.0.2', '203.0.113.5']),
    namespace('x'),
    pod('x', 'web', { app: 'web' }, '198.18.0.10', { node: 'node-2' }),
    networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
  ]);
  const verdict = (src: string): boolean => {
    const r = evaluate(program, { src: { kind: 'ip', ip: src }, dst: { kind: 'pod', namespace: 'x', name: 'web' }, protocol: 'TCP', port: 80 });
    if ('error' in r) throw new Error(r.error);
    return r.allowed;
  };
  expect(verdict('203.0.113.5')).toBe(true);
  expect(verdict('198.19.0.1')).toBe(false);
  const t = table(compile(program).models, 'node-2');
  expect(runHook(t, 'output', packet('203.0.113.5', '198.18.0.10', 'tcp', 80)).verdict).toBe('accept');
  // Through forward too (a node address seen routed, as the kernel tests' nodes send it).
  expect(runHook(t, 'forward', packet('203.0.113.5', '198.18.0.10', 'tcp', 80)).verdict).toBe('accept');
  expect(runHook(t, 'forward', packet('198.19.0.1', '198.18.0.10', 'tcp', 80)).verdict).toBe('drop');
});

// On a bridge (br_netfilter), neighbour discovery between pods of a node crosses forward,
// untracked; an isolated pod's met its pod chain and IPv6 to its bridge neighbours failed.
it('accepts neighbour and router solicitations and neighbour advertisements in forward, not router advertisements', () => {
  const t = table(compile(selfCluster()).models, 'node-1');
  const nd = (type: NonNullable<Packet['icmpv6Type']>, src: string, dst: string, hopLimit = 255): string => runHook(t, 'forward', packet(src, dst, 'icmpv6', 0, { icmpv6Type: type, hopLimit })).verdict;
  // x/both is isolated both ways; 2001:db8::20 is x/in's, isolated for ingress.
  for (const type of ['nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-router-solicit'] as const) {
    expect(nd(type, '2001:db8::10', '2001:db8::20'), type).toBe('accept');
    expect(nd(type, '2001:db8::20', '2001:db8::10'), type).toBe('accept');
    // Routed (any other hop limit), the same types are data the policies decide: a review sent
    // some from an isolated pod to an outside host through the first version of this rule.
    expect(nd(type, '2001:db8::10', '2001:db8:1::1', 63), `${type}, routed`).toBe('drop');
  }
  // Old code and new alike: a pod is no router, and the policies decide its advertisements.
  expect(nd('nd-router-advert', '2001:db8::10', '2001:db8::20')).toBe('drop');
});
