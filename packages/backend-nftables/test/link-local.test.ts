import { expect, it } from 'vitest';
import { parseIp, type Program, type RawOptions } from '@netpolc/ir';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import type { Chain, Hook, Ruleset, Table } from '../src/model.js';
import { podInterface, uplinkInterface } from './support/cluster.js';
import { compile, loadProgram } from './support/compile.js';
import { runHook, type Packet } from './support/interpret.js';
import { parseRuleset } from './support/parse.js';
import { validateTable } from './support/validate.js';

// `--pod-interface`: pods are known by their global addresses, but every pod interface also has
// an IPv6 link-local address, by which a pod reaches what its node binds on `::` past its egress
// policy (and the node reaches the pod past its ingress policy when node-local ingress is
// checked). The auditor's reproduction is test/kernel-link-local.test.ts; here the interpreter
// shows the rule closes exactly that path.

const ip = (text: string): bigint => parseIp(text)!.value;

const nodeLinkLocal = 'fe80::1';
const podLinkLocal = 'fe80::ff:fe00:10';

/** A first packet, IPv6 unless the source is IPv4; interfaces as the hook has them. */
function packet(src: string, dst: string, l4: Packet['l4'], extra: Partial<Packet> = {}): Packet {
  return { family: src.includes(':') ? 6 : 4, saddr: ip(src), daddr: ip(dst), l4, dport: 8080, ct: 'new', ...extra };
}

/**
 * node-1: x/out egress-isolated (allowed TCP 8080 to the node's global IPv6 address), x/in
 * ingress-isolated, x/open isolated nowhere. node-2: y/client. node-3: no pods at all.
 */
function cluster(semantics: { readonly allowNodeLocalIngress?: boolean } = {}, extra: readonly Manifest[] = []): Program {
  return loadProgram(
    [
      node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
      node('node-2', ['198.19.0.2', '2001:db8:ff::2']),
      node('node-3', ['198.19.0.3', '2001:db8:ff::3']),
      namespace('x'),
      namespace('y'),
      pod('x', 'out', { iso: 'out' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1' }),
      pod('x', 'in', { iso: 'in' }, ['198.18.0.20', '2001:db8::20'], { node: 'node-1' }),
      pod('x', 'open', {}, ['198.18.0.30', '2001:db8::30'], { node: 'node-1' }),
      pod('y', 'client', {}, ['198.18.1.10', '2001:db8:1::10'], { node: 'node-2' }),
      networkPolicy('x', 'out', {
        podSelector: { matchLabels: { iso: 'out' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '2001:db8:ff::1/128' } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      }),
      networkPolicy('x', 'in', { podSelector: { matchLabels: { iso: 'in' } }, policyTypes: ['Ingress'] }),
      ...extra,
    ],
    { semantics },
  );
}

function tables(program: Program, raw: RawOptions = {}): Map<string, Table> {
  const { models, texts } = compile(program, raw);
  const out = new Map<string, Table>();
  for (const [node, model] of models) {
    // What the printer writes means what the model means, and the kernel would take it.
    expect(parseRuleset(texts.get(node)!)).toStrictEqual(model);
    expect(validateTable(model.table)).toEqual([]);
    out.set(node, model.table);
  }
  return out;
}

const podSide = { iif: podInterface };

it('without --pod-interface, an egress-isolated pod reaches its node by link-local address past its policy', () => {
  const t = tables(cluster()).get('node-1')!;
  // By the node's global address the policy decides: only TCP 8080 is allowed.
  expect(runHook(t, 'input', packet('2001:db8::10', '2001:db8:ff::1', 'tcp', { ...podSide, dport: 22 })).verdict).toBe('drop');
  // By link-local, no dispatch map knows the source: the gap the option closes.
  expect(runHook(t, 'input', packet(podLinkLocal, nodeLinkLocal, 'tcp', { ...podSide, dport: 22 })).verdict).toBe('accept');
});

it('with --pod-interface, every node drops new non-ICMPv6 link-local connections to itself from pod interfaces', () => {
  const all = tables(cluster(), { 'pod-interface': ['cali*', 'veth*'] });
  expect([...all.keys()]).toEqual(['node-1', 'node-2', 'node-3']);
  for (const [node, t] of all) {
    const n = node.slice(-1);
    for (const iif of [podInterface, 'calico-x', 'veth1234']) {
      for (const l4 of ['tcp', 'udp', 'sctp'] as const) {
        // To the node's link-local address on the pod's link, and to its global address from a
        // link-local source: neither names a pod.
        expect(runHook(t, 'input', packet(podLinkLocal, nodeLinkLocal, l4, { iif })).verdict, `${node} ${iif} ${l4}`).toBe('drop');
        expect(runHook(t, 'input', packet(podLinkLocal, `2001:db8:ff::${n}`, l4, { iif })).verdict, `${node} ${iif} ${l4} global`).toBe('drop');
      }
      // Neighbour discovery and the rest of ICMPv6 stay, as do replies of established connections.
      for (const icmpv6Type of ['nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-router-solicit'] as const) {
        expect(runHook(t, 'input', packet(podLinkLocal, nodeLinkLocal, 'icmpv6', { iif, icmpv6Type })).verdict).toBe('accept');
      }
      expect(runHook(t, 'input', packet(podLinkLocal, nodeLinkLocal, 'icmpv6', { iif })).verdict).toBe('accept');
      expect(runHook(t, 'input', packet(podLinkLocal, nodeLinkLocal, 'tcp', { iif, ct: 'established' })).verdict).toBe('accept');
    }
    // Other interfaces keep their link-local traffic (node to node, routing protocols); the prefix
    // is a prefix, not a substring.
    for (const iif of [uplinkInterface, 'ecali0', 'vet']) expect(runHook(t, 'input', packet(podLinkLocal, nodeLinkLocal, 'tcp', { iif })).verdict, `${node} ${iif}`).toBe('accept');
    // Forwarded traffic is not the node's: the kernel never forwards link-local sources anyway.
    expect(runHook(t, 'forward', packet(podLinkLocal, '2001:db8:1::10', 'tcp', { iif: podInterface, oif: uplinkInterface })).verdict).toBe('accept');
  }
  // The allowed global path of the egress-isolated pod is unchanged, and so is the denied one.
  const t = all.get('node-1')!;
  expect(runHook(t, 'input', packet('2001:db8::10', '2001:db8:ff::1', 'tcp', podSide)).verdict).toBe('accept');
  expect(runHook(t, 'input', packet('2001:db8::10', '2001:db8:ff::1', 'tcp', { ...podSide, dport: 22 })).verdict).toBe('drop');
});

/** The chains without the rules that read an interface. */
function withoutInterfaceRules(chains: readonly Chain[]): Chain[] {
  return chains.map((c) => ({ ...c, rules: c.rules.filter((r) => !r.matches.some((m) => m.kind === 'interface')) }));
}

it('adds only the link-local and anti-spoofing rules, one per name and hook, and input and prerouting chains where there were none', () => {
  for (const allowNodeLocalIngress of [true, false]) {
    const program = cluster({ allowNodeLocalIngress });
    const before = compile(program).models;
    const after = compile(program, { 'pod-interface': ['cali*', 'veth*'] }).models;
    const hooks = (r: Ruleset): Hook[] => r.table.chains.flatMap((c) => (c.hook ? [c.hook] : []));
    for (const [node, b] of before) {
      const a = after.get(node)!;
      expect(a.table.sets).toStrictEqual(b.table.sets);
      expect(a.table.maps).toStrictEqual(b.table.maps);
      // node-3 has no pods: without the option it has no input chain (and no output chain).
      const added: Hook[] = allowNodeLocalIngress ? ['prerouting', 'input'] : ['prerouting', 'input', 'output'];
      const expectedHooks = [...new Set([...hooks(b), ...added])];
      expect(hooks(a).sort()).toEqual(expectedHooks.sort());
      const stripped = withoutInterfaceRules(a.table.chains).filter((c) => b.table.chains.some((d) => d.name === c.name));
      expect(stripped).toStrictEqual(b.table.chains);
      for (const c of a.table.chains) {
        const rules = c.rules.filter((r) => r.matches.some((m) => m.kind === 'interface'));
        // Prerouting holds the anti-spoofing rules alone: per name, the unspecified source of each
        // family (which fib lets through), then the reverse path check.
        if (c.hook === 'prerouting') {
          expect(c.rules).toStrictEqual(rules);
          expect(rules.map((r) => r.comment)).toEqual(['cali*', 'veth*'].flatMap(() => ['a DHCP request', 'no pod sends from the unspecified address', 'no pod sends from the unspecified address', 'a pod sends from its own addresses only']));
          continue;
        }
        expect(rules.length, `${node} ${c.name}`).toBe(c.hook && added.includes(c.hook) ? 2 : 0);
        // Right after the conntrack rule, which stays first.
        if (rules.length > 0) expect(c.rules.slice(0, 3)).toStrictEqual([c.rules[0], ...rules]);
        if (rules.length > 0) expect(c.rules[0]!.matches).toStrictEqual([{ kind: 'ct-state', states: ['established', 'related'] }]);
      }
    }
  }
});

it('closes the mirror path when node-local ingress is checked: the node reaching a pod by its link-local address', () => {
  const without = tables(cluster({ allowNodeLocalIngress: false })).get('node-1')!;
  const out = { oif: podInterface };
  // x/in denies the node by its global address; by link-local the node gets through today.
  expect(runHook(without, 'output', packet('2001:db8:ff::1', '2001:db8::20', 'tcp', out)).verdict).toBe('drop');
  expect(runHook(without, 'output', packet(nodeLinkLocal, podLinkLocal, 'tcp', out)).verdict).toBe('accept');

  const all = tables(cluster({ allowNodeLocalIngress: false }), { 'pod-interface': ['cali*'] });
  for (const [node, t] of all) {
    for (const l4 of ['tcp', 'udp', 'sctp'] as const) expect(runHook(t, 'output', packet(nodeLinkLocal, podLinkLocal, l4, out)).verdict, `${node} ${l4}`).toBe('drop');
    expect(runHook(t, 'output', packet(nodeLinkLocal, podLinkLocal, 'icmpv6', { ...out, icmpv6Type: 'nd-neighbor-solicit' })).verdict).toBe('accept');
    expect(runHook(t, 'output', packet(nodeLinkLocal, podLinkLocal, 'tcp', { ...out, ct: 'established' })).verdict).toBe('accept');
    expect(runHook(t, 'output', packet(nodeLinkLocal, 'fe80::a:2', 'tcp', { oif: uplinkInterface })).verdict).toBe('accept');
  }
  // By global addresses the policies decide as before.
  const t = all.get('node-1')!;
  expect(runHook(t, 'output', packet('2001:db8:ff::1', '2001:db8::20', 'tcp', out)).verdict).toBe('drop');
  expect(runHook(t, 'output', packet('2001:db8:ff::1', '2001:db8::30', 'tcp', out)).verdict).toBe('accept');
  // When node-local ingress is always allowed, the node's own connections are not checked at all.
  const allowed = tables(cluster(), { 'pod-interface': ['cali*'] }).get('node-1')!;
  expect(allowed.chains.some((c) => c.hook === 'output')).toBe(false);
});

it('keeps the link-local and anti-spoofing rules per node constant in the number of pods', () => {
  const count = (t: Table): number => t.chains.reduce((n, c) => n + c.rules.filter((r) => r.matches.some((m) => m.kind === 'interface')).length, 0);
  const replicas = (k: number): Manifest[] => Array.from({ length: k }, (_, i) => pod('x', `r-${i}`, { iso: 'out' }, [`198.18.2.${i + 1}`, `2001:db8:2::${(i + 1).toString(16)}`], { node: 'node-1' }));
  const counts = [0, 5, 60].map((k) => count(tables(cluster({}, replicas(k)), { 'pod-interface': ['cali*', 'lxc*'] }).get('node-1')!));
  // Two names: the link-local rule of input and the four anti-spoofing rules of prerouting, each.
  expect(counts).toEqual([10, 10, 10]);
});
