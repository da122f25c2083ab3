import { evaluate, resolve, type Program } from '@netpolc/ir';
import { icmpEssentialsScenario, loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { countRules, lowerProgram } from '../src/emit.js';
import type { Rule, Ruleset } from '../src/model.js';
import { defaultOptions, type IptablesOptions } from '../src/options.js';
import { printIpSets, printRuleset } from '../src/print.js';
import { setMap, walk, type Packet } from './support/interpret.js';
import { networkVerdict, validateAll } from './support/network.js';

function lower(objects: readonly Manifest[], options: Partial<IptablesOptions> = {}): { program: Program; nodes: ReturnType<typeof lowerProgram>['nodes'] } {
  const { program } = loadValid(objects);
  return { program, nodes: lowerProgram({ program, resolved: resolve(program) }, { ...defaultOptions, ...options }).nodes };
}

function allRules(rs: Ruleset): Rule[] {
  return rs.chains.flatMap((c) => c.rules);
}

/** `n` pods in namespace `x` on `nodes` nodes, addresses 198.18.<i/200>.<i%200+10>. */
function manyPods(n: number, nodes: number): Manifest[] {
  const out: Manifest[] = [namespace('x'), namespace('y')];
  for (let k = 0; k < nodes; k++) out.push(node(`node-${k}`, `198.19.0.${k + 1}`));
  for (let i = 0; i < n; i++) out.push(pod(i % 3 === 0 ? 'y' : 'x', `p${i}`, { app: `a${i % 7}` }, `198.18.${Math.floor(i / 200)}.${(i % 200) + 10}`, { node: `node-${i % nodes}` }));
  return out;
}

it('splits long port lists into multiport matches of at most 15 ports, a range counting two', () => {
  const ports = [...Array.from({ length: 20 }, (_, i) => ({ port: 1000 + 2 * i })), { port: 2000, endPort: 2010 }, { port: 3000, endPort: 3005 }, { protocol: 'UDP', port: 53 }];
  const objects = [...manyPods(4, 1), networkPolicy('x', 'many-ports', { podSelector: {}, ingress: [{ ports }] })];
  const { program, nodes } = lower(objects, { ipset: false });
  validateAll(nodes);
  const portMatches = allRules(nodes[0]!.v4).flatMap((r) => r.matches.filter((m) => m.kind === 'ports').map((m) => ({ protocol: r.protocol, ports: m.kind === 'ports' ? m.ports : [] })));
  expect(portMatches.length).toBeGreaterThan(2);
  for (const m of portMatches) expect(m.ports.reduce((w, p) => w + (p.from === p.to ? 1 : 2), 0)).toBeLessThanOrEqual(15);
  for (const port of [999, 1000, 1001, 1038, 1040, 2000, 2005, 2010, 2011, 3003, 53]) {
    for (const protocol of ['TCP', 'UDP'] as const) {
      const c = { src: { kind: 'pod' as const, namespace: 'y', name: 'p0' }, dst: { kind: 'pod' as const, namespace: 'x', name: 'p1' }, protocol, port };
      const ref = evaluate(program, c);
      expect('error' in ref ? undefined : ref.allowed).toBe(networkVerdict(program, nodes, c)!.allowed);
    }
  }
});

it('dispatches 300 local pods through a two-level tree and a packet visits few rules', () => {
  const objects = [...manyPods(300, 1), networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), networkPolicy('x', 'from-y', { podSelector: { matchLabels: { app: 'a1' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })];
  for (const ipset of [true, false]) {
    const { program, nodes } = lower(objects, { ipset });
    validateAll(nodes);
    const rs = nodes[0]!.v4;
    expect(rs.chains.some((c) => /^NETPOLC-INGRESS-\d+$/.test(c.name))).toBe(true);
    const sets = setMap(nodes[0]!.ipsets?.sets);
    let worst = 0;
    for (const [s, d] of [[0, 1], [3, 8], [299, 2], [150, 298], [6, 149]] as const) {
      const c = { src: { kind: 'pod' as const, namespace: s % 3 === 0 ? 'y' : 'x', name: `p${s}` }, dst: { kind: 'pod' as const, namespace: d % 3 === 0 ? 'y' : 'x', name: `p${d}` }, protocol: 'TCP' as const, port: 80 };
      const ref = evaluate(program, c);
      if ('error' in ref) throw new Error(ref.error);
      expect(networkVerdict(program, nodes, c)!.allowed, JSON.stringify(c)).toBe(ref.allowed);
      const w = walk(rs, sets, { src: ref.src.ip, dst: ref.dst.ip, protocol: 'tcp', dport: 80, state: 'NEW' });
      worst = Math.max(worst, w.visited);
    }
    // 600 addresses in dispatch chains, yet a packet visits tens of rules, not hundreds.
    expect(worst).toBeLessThan(ipset ? 100 : 160);
  }
});

it('grows rules per node with the local pods, not with pods squared', () => {
  const policy = networkPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
  const count = (pods: number): { rules: number; members: number } => {
    const { nodes } = lower([...manyPods(pods, 4), policy]);
    return nodes.map(countRules).reduce((a, c) => ({ rules: a.rules + c.rules, members: Math.max(a.members, c.members) }), { rules: 0, members: 0 });
  };
  const small = count(100);
  const big = count(400);
  // Four times the pods: about four times the rules (dispatch entries), one set member per pod.
  expect(big.rules / small.rules).toBeLessThan(4.5);
  expect(big.members).toBeLessThanOrEqual(2 * 400);
});

it('shares content-addressed sets and chains across nodes', () => {
  const { nodes } = lower([...manyPods(40, 2), networkPolicy('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] })]);
  const peerSets = nodes.map((n) => new Set((n.ipsets?.sets ?? []).map((s) => s.name)));
  expect([...peerSets[0]!].filter((s) => peerSets[1]!.has(s))).toHaveLength(1);
  const podChains = nodes.map((n) => new Set(n.v4.chains.map((c) => c.name).filter((c) => c.startsWith('NETPOLC-I-'))));
  expect([...podChains[0]!]).toEqual([...podChains[1]!]);
  expect(podChains[0]!.size).toBe(1);
});

it('changes few lines when one policy is added', () => {
  const base = [...manyPods(60, 3), networkPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })];
  const text = (objects: readonly Manifest[]): string[] =>
    lower(objects).nodes.flatMap((n) => [...printRuleset(n.v4).split('\n'), ...(n.ipsets ? printIpSets(n.ipsets).split('\n') : [])]);
  const before = text(base);
  const after = text([...base, networkPolicy('x', 'a3-egress', { podSelector: { matchLabels: { app: 'a3' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })]);
  const removed = before.filter((l) => !after.includes(l)).length;
  const added = after.filter((l) => !before.includes(l)).length;
  expect(removed).toBe(0);
  // Six a3 pods: per pod two dispatch rules, plus one shared chain of two rules per node.
  expect(added).toBeLessThan(30);
});

it('emits nothing for a family a peer lacks and denies that family (never widens)', () => {
  const objects = [node('node-1', '198.19.0.1'), namespace('x'), pod('x', 'a', {}, ['198.18.0.10', '2001:db8::a'], { node: 'node-1' }), networkPolicy('x', 'v4-only', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })];
  const { nodes } = lower(objects);
  const v6 = nodes[0]!.v6!;
  const podChain = v6.chains.find((c) => c.name.startsWith('NETPOLC-I-'))!;
  expect(podChain.rules.map((r) => r.target.kind)).toEqual(['DROP']);
  const v4Chain = nodes[0]!.v4.chains.find((c) => c.name.startsWith('NETPOLC-I-'))!;
  // 0.0.0.0/0 is every IPv4 address: a rule without an address match, not a /0 set member.
  expect(v4Chain.rules[0]).toMatchObject({ matches: [{ kind: 'comment' }], target: { kind: 'RETURN' } });
});

it('checks egress of local pods to the node itself on INPUT, lets neighbour discovery through, and leaves other sources to the host', () => {
  const objects: Manifest[] = [
    node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
    namespace('x'),
    ...Array.from({ length: 40 }, (_, i) => pod('x', `p${i}`, { app: i === 0 ? 'kubelet-client' : 'other' }, [`198.18.0.${10 + i}`, `2001:db8::${(16 + i).toString(16)}`], { node: 'node-1' })),
    networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] }),
    networkPolicy('x', 'to-kubelet', { podSelector: { matchLabels: { app: 'kubelet-client' } }, egress: [{ to: [{ ipBlock: { cidr: '198.19.0.1/32' } }], ports: [{ port: 10250 }] }] }),
  ];
  for (const ipset of [true, false]) {
    const { nodes } = lower(objects, { ipset });
    validateAll(nodes);
    const n = nodes[0]!;
    const sets = setMap(n.ipsets?.sets);
    const input = (rs: Ruleset, p: Packet): string => walk(rs, sets, p, 'INPUT').verdict;
    const tcp = (src: string, dst: string, dport: number, state: Packet['state'] = 'NEW'): Packet => ({ src, dst, protocol: 'tcp', dport, state });
    expect(input(n.v4, tcp('198.18.0.10', '198.19.0.1', 10250)), 'allowed by ipBlock: back to the host').toBe('CONTINUE');
    expect(input(n.v4, tcp('198.18.0.10', '198.19.0.1', 22))).toBe('DROP');
    expect(input(n.v4, tcp('198.18.0.11', '198.19.0.1', 10250))).toBe('DROP');
    expect(input(n.v4, tcp('198.18.0.11', '169.254.1.1', 53)), 'a node address the inventory does not list').toBe('DROP');
    expect(input(n.v4, tcp('198.18.0.11', '198.19.0.1', 22, 'ESTABLISHED'))).toBe('CONTINUE');
    expect(input(n.v4, tcp('198.18.0.11', '198.19.0.1', 22, 'INVALID'))).toBe('DROP');
    expect(input(n.v4, tcp('203.0.113.5', '198.19.0.1', 22, 'INVALID')), 'not a local pod').toBe('CONTINUE');
    expect(input(n.v6!, tcp('2001:db8::11', '2001:db8:ff::1', 10250))).toBe('DROP');
    for (const icmpType of [133, 135, 136]) {
      expect(input(n.v6!, { src: '2001:db8::11', dst: 'ff02::1:ff00:1', protocol: 'ipv6-icmp', icmpType, state: 'UNTRACKED', hopLimit: 255 }), `ICMPv6 ${icmpType}`).toBe('CONTINUE');
      // Not with another hop limit: real neighbour discovery never has one (RFC 4861).
      expect(input(n.v6!, { src: '2001:db8::11', dst: '2001:db8:ff::1', protocol: 'ipv6-icmp', icmpType, state: 'UNTRACKED', hopLimit: 64 }), `ICMPv6 ${icmpType}, hop limit 64`).toBe('DROP');
    }
    expect(input(n.v6!, { src: '2001:db8::11', dst: '2001:db8:ff::1', protocol: 'ipv6-icmp', icmpType: 128, state: 'NEW' }), 'echo request').toBe('DROP');
    // FORWARD: between pods of a bridge neighbour discovery (hop limit 255) passes; routed, with
    // any other hop limit, the same types meet the pod's chain (a review sent data in them).
    const forward = (p: Packet): string => walk(n.v6!, sets, p, 'FORWARD').verdict;
    for (const icmpType of [133, 135, 136]) {
      expect(forward({ src: '2001:db8::11', dst: '2001:db8::12', protocol: 'ipv6-icmp', icmpType, state: 'UNTRACKED', hopLimit: 255 }), `FORWARD ICMPv6 ${icmpType}`).toBe('ACCEPT');
      expect(forward({ src: '2001:db8::11', dst: '2001:db8:1::1', protocol: 'ipv6-icmp', icmpType, state: 'UNTRACKED', hopLimit: 63 }), `FORWARD ICMPv6 ${icmpType}, routed`).toBe('DROP');
    }
    expect(forward({ src: '2001:db8::11', dst: '2001:db8::12', protocol: 'ipv6-icmp', icmpType: 134, state: 'UNTRACKED', hopLimit: 255 }), 'no router advertisement').toBe('DROP');
  }
});

it('--semantics icmp-essentials: kube-router\'s ICMP types, and no other, accepted after the conntrack rules and returned to the host', () => {
  const { objects } = icmpEssentialsScenario();
  const shape = (allowIcmpEssentials: boolean): string[] => {
    const { program } = loadValid(objects, { semantics: { allowIcmpEssentials } });
    const { nodes } = lowerProgram({ program, resolved: resolve(program) }, defaultOptions);
    return nodes.flatMap((n) =>
      [n.v4, n.v6!].flatMap((rs) =>
        rs.chains.flatMap((c) =>
          c.rules.flatMap((r, i) => {
            const types = r.matches.flatMap((m) => (m.kind === 'icmp' || m.kind === 'icmp6' ? [m.type] : []));
            if (types.length === 0 || r.matches.some((m) => m.kind === 'comment' && m.text.includes('neighbour'))) return [];
            // Any ICMP rule but the profile's names its one type and nothing else.
            const other = r.source ?? r.destination ?? r.inInterface ?? r.matches.find((m) => m.kind !== 'icmp' && m.kind !== 'icmp6' && m.kind !== 'comment')?.kind;
            return [`${n.node} ${rs.family} ${c.name}#${i} ${r.protocol} ${types.join(',')} ${r.target.kind}${other ? ` ${other}` : ''}`];
          }),
        ),
      ),
    );
  };
  expect(shape(false)).toEqual([]);
  // Written out by hand (kube-router's utils.CommonICMPRules); after INVALID and ESTABLISHED
  // (rules 0 and 1), and in IPv6 after the three neighbour discovery rules (hop limit 255 only):
  // the profile's 135 and 136 at any hop limit, as kube-router admits them.
  const expected = (node: string): string[] => [
    ...[8, 3, 11].map((t, i) => `${node} 4 NETPOLC-POD#${i + 2} icmp ${t} ACCEPT`),
    ...[8, 3, 11].map((t, i) => `${node} 4 NETPOLC-INPUT-POD#${i + 2} icmp ${t} RETURN`),
    ...[128, 1, 3, 135, 136, 129].map((t, i) => `${node} 6 NETPOLC-POD#${i + 5} ipv6-icmp ${t} ACCEPT`),
    ...[128, 1, 3, 135, 136, 129].map((t, i) => `${node} 6 NETPOLC-INPUT-POD#${i + 5} ipv6-icmp ${t} RETURN`),
  ];
  expect(shape(true)).toEqual([...expected('node-1'), ...expected('node-2')]);
});
