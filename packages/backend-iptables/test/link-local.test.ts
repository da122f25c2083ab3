import { resolve, type RawOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { lowerProgram, type Lowered } from '../src/emit.js';
import { iptablesBackend } from '../src/index.js';
import type { NodeRules, Ruleset } from '../src/model.js';
import { chains } from '../src/names.js';
import { setMap, walk, type Packet, type Verdict } from './support/interpret.js';
import { validateAll } from './support/network.js';

// --pod-interface through the interpreter: new non-ICMPv6 packets from a link-local source on a
// pod interface, addressed to the node, are dropped on every node; nothing else changes.

const objects: Manifest[] = [
  node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
  node('node-2', ['198.19.0.2', '2001:db8:ff::2']),
  namespace('x'),
  pod('x', 'dual', { app: 'agent' }, ['198.18.0.10', '2001:db8::a'], { node: 'node-1' }),
  pod('x', 'free', {}, ['198.18.0.11', '2001:db8::b'], { node: 'node-1' }),
  // node-2 has IPv4 pods only: without the option it gets no IPv6 ruleset at all.
  pod('x', 'v4', { app: 'agent' }, '198.18.1.10', { node: 'node-2' }),
  networkPolicy('x', 'to-node', { podSelector: { matchLabels: { app: 'agent' } }, egress: [{ to: [{ ipBlock: { cidr: '2001:db8:ff::/64' } }], ports: [{ port: 8080 }] }] }),
];

function lower(flags: RawOptions): Lowered {
  const parsed = iptablesBackend.parseOptions(flags);
  expect(parsed.diagnostics).toEqual([]);
  const { program } = loadValid(objects);
  const out = lowerProgram({ program, resolved: resolve(program) }, parsed.options);
  validateAll(out.nodes);
  return out;
}

/** The node's verdict in INPUT, IPv6. */
function input(n: NodeRules, p: Packet): Verdict {
  return walk(n.v6!, setMap(n.ipsets?.sets), p, 'INPUT').verdict;
}

const podLinkLocal = 'fe80::200:3ff:fe00:1';
const tcp = (src: string, dst: string, dport: number, inInterface: string, state: Packet['state'] = 'NEW'): Packet => ({ src, dst, protocol: 'tcp', dport, state, inInterface });
const modes: readonly RawOptions[] = [{}, { 'no-ipset': true, 'deny-action': 'reject' }, { log: 'all' }];

it('leaves link-local traffic from pods to the host without --pod-interface (the gap the option closes)', () => {
  const { nodes, diagnostics } = lower({});
  expect(diagnostics).toEqual([]);
  expect(nodes.find((n) => n.node === 'node-2')!.v6).toBeUndefined();
  expect(input(nodes.find((n) => n.node === 'node-1')!, tcp(podLinkLocal, 'fe80::1', 10250, 'cali1'))).toBe('CONTINUE');
});

it('drops new non-ICMPv6 link-local connections from pod interfaces to every node, and only those', () => {
  for (const mode of modes) {
    const { nodes } = lower({ ...mode, 'pod-interface': ['cali*', 'veth0'] });
    expect(nodes.map((n) => n.v6 !== undefined), 'an IPv6 ruleset on every node').toEqual([true, true]);
    for (const n of nodes) {
      const label = `${n.node} ${JSON.stringify(mode)}`;
      for (const iface of ['cali1', 'calia3b2c1d0e9f', 'veth0']) {
        for (const dst of ['fe80::1', '2001:db8:ff::1', 'ff02::1']) expect(input(n, tcp(podLinkLocal, dst, 10250, iface)), `${label} ${iface} ${dst}`).toBe('DROP');
        for (const protocol of ['udp', 'sctp'] as const) expect(input(n, { src: podLinkLocal, dst: 'fe80::1', protocol, dport: 53, state: 'NEW', inInterface: iface }), `${label} ${protocol}`).toBe('DROP');
        expect(input(n, tcp(podLinkLocal, 'fe80::1', 10250, iface, 'INVALID')), `${label} invalid`).toBe('DROP');
        // Replies to the node's own connections, and ICMPv6 (neighbour discovery, echo, MLD).
        for (const state of ['ESTABLISHED', 'RELATED'] as const) expect(input(n, tcp(podLinkLocal, 'fe80::1', 10250, iface, state)), `${label} ${state}`).toBe('CONTINUE');
        for (const icmpType of [133, 135, 136, 128, 143]) {
          for (const state of ['UNTRACKED', 'NEW'] as const) expect(input(n, { src: podLinkLocal, dst: 'ff02::1:ff00:1', protocol: 'ipv6-icmp', icmpType, state, inInterface: iface, hopLimit: 255 }), `${label} ICMPv6 ${icmpType}`).toBe('CONTINUE');
        }
      }
      // Other interfaces (the node's uplink, a CNI tunnel, a longer name than the exact one).
      for (const iface of ['eth0', 'vxlan.calico', 'veth01']) expect(input(n, tcp(podLinkLocal, 'fe80::1', 10250, iface)), `${label} ${iface}`).toBe('CONTINUE');
      // FORWARD has no interface rule: transit stays the host's (the next test: FORWARD is unchanged).
      expect(walk(n.v6!, setMap(n.ipsets?.sets), tcp('2001:db8:1::9', '2001:db8:2::9', 80, 'cali1'), 'FORWARD').verdict).toBe('CONTINUE');
    }
  }
});

it('is narrower than the policies for pods not isolated for egress, and leaves global addresses to the policies', () => {
  const { nodes } = lower({ 'pod-interface': 'cali*' });
  const n1 = nodes.find((n) => n.node === 'node-1')!;
  // x/free is not isolated: NetworkPolicy allows it everything, yet its link-local path closes.
  expect(input(n1, tcp(podLinkLocal, 'fe80::1', 22, 'cali2'))).toBe('DROP');
  expect(input(n1, tcp('2001:db8::b', '2001:db8:ff::1', 22, 'cali2')), 'x/free keeps the global address').toBe('CONTINUE');
  expect(input(n1, tcp('2001:db8::a', '2001:db8:ff::1', 8080, 'cali1')), 'x/dual: allowed by its ipBlock').toBe('CONTINUE');
  expect(input(n1, tcp('2001:db8::a', '2001:db8:ff::1', 22, 'cali1')), 'x/dual: not allowed').toBe('DROP');
});

it('adds one rule per interface name at the top of the IPv6 NETPOLC-INPUT, and the raw table of reverse path filtering, and changes nothing else', () => {
  const inputChain = (rs: Ruleset): number => rs.chains.findIndex((c) => c.name === chains.input);
  for (const mode of modes) {
    const without = lower(mode);
    for (const names of [['cali*'], ['cali*', 'lxc*', 'tap0']]) {
      const withOption = lower({ ...mode, 'pod-interface': names });
      expect(withOption.diagnostics.map((d) => d.code)).toEqual(['backend-iptables/pod-link-local-closed']);
      without.nodes.forEach((before, i) => {
        const after = withOption.nodes[i]!;
        // Both families: the raw table drops what a pod interface brings from a source not routed back by it.
        for (const rs of [after.v4, after.v6!]) {
          expect(rs.raw!.hooks.map((h) => [h.chain, h.position])).toEqual([['PREROUTING', 1]]);
          // Per name: the unspecified source (which rpfilter lets through), then the reverse path check.
          expect(rs.raw!.chains.flatMap((c) => c.rules).map((r) => [r.inInterface, r.source, r.exceptProtocol, r.matches[0]!.kind, r.target.kind])).toEqual(
            names.flatMap((name) => [
              // A DHCP request is the unspecified source's one use (IPv4).
              ...(rs.family === 4 ? [[name.replace('*', '+'), '0.0.0.0/32', undefined, 'ports', 'RETURN']] : []),
              [name.replace('*', '+'), rs.family === 6 ? '::/128' : '0.0.0.0/32', rs.family === 6 ? 'ipv6-icmp' : undefined, 'comment', 'DROP'],
              [name.replace('*', '+'), undefined, rs.family === 6 ? 'ipv6-icmp' : undefined, 'rpfilter-fails', 'DROP'],
            ]),
          );
        }
        const { raw: _raw, ...v4 } = after.v4;
        expect(v4, 'IPv4 otherwise unchanged').toEqual(before.v4);
        expect(after.ipsets).toEqual(before.ipsets);
        const added = after.v6!.chains[inputChain(after.v6!)]!.rules.slice(0, names.length);
        expect(added.map((r) => [r.source, r.inInterface, r.exceptProtocol, r.target.kind])).toEqual(names.map((name) => ['fe80::/10', name.replace('*', '+'), 'ipv6-icmp', 'DROP']));
        if (!before.v6) return;
        // With IPv6 pods: the same ruleset but for those rules, however many pods the node has.
        const rest = after.v6!.chains.map((c, k) => (k === inputChain(after.v6!) ? { ...c, rules: c.rules.slice(names.length) } : c));
        const { raw: _raw6, ...v6 } = after.v6!;
        expect({ ...v6, chains: rest }).toEqual(before.v6);
      });
    }
  }
});
