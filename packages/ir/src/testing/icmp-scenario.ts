// ICMP under NetworkPolicy v1 (README "Semantics"): a rule without `ports` admits every
// protocol, ICMP echo included, and a rule with ports admits none of it. The reference evaluator
// decides TCP, UDP and SCTP only, so the verdicts here are written by hand from that rule (an ir
// test derives them again from the evaluator on the policies without their port-bound rules), and
// the firewall backends' kernel tests check them with real echo requests.
import { namespace, networkPolicy as np, node, pod, type Manifest } from './builders.js';

/** One echo request between two pods (by id) and whether the policies let it through. */
export interface IcmpProbe {
  readonly from: string;
  readonly to: string;
  readonly expected: boolean;
}

/**
 * x/a and x/b (role client) on node-1 and node-2, y/c and y/d likewise. a admits x's clients
 * without ports; b admits everyone on TCP 80 only; c may send TCP only (to an IPv4 block); d may
 * send anything to x.
 */
export function icmpScenario(): { readonly objects: readonly Manifest[]; readonly probes: readonly IcmpProbe[] } {
  const objects = icmpObjects(false);
  const allowed = new Set(['x/a>y/c', 'x/a>y/d', 'x/b>x/a', 'x/b>y/c', 'x/b>y/d']);
  const probes = icmpPairs.map(([from, to]) => ({ from, to, expected: allowed.has(`${from}>${to}`) }));
  return { objects, probes };
}

const icmpIds = ['x/a', 'x/b', 'y/c', 'y/d'];

/** Every ordered pair of distinct pods (by id). */
const icmpPairs = icmpIds.flatMap((from) => icmpIds.filter((to) => to !== from).map((to) => [from, to] as const));

/** The pods' IPv4 addresses. */
const icmpV4: Record<string, string> = { 'x/a': '198.18.0.10', 'x/b': '198.18.0.11', 'y/c': '198.18.1.10', 'y/d': '198.18.1.11' };

/** The pods' IPv6 addresses when dual-stack (2001:db8::/32, the documentation prefix). */
const icmpV6: Record<string, string> = { 'x/a': '2001:db8::10', 'x/b': '2001:db8::11', 'y/c': '2001:db8::1:10', 'y/d': '2001:db8::1:11' };

function icmpObjects(dualStack: boolean): Manifest[] {
  const ips = (id: string): string | string[] => (dualStack ? [icmpV4[id]!, icmpV6[id]!] : icmpV4[id]!);
  return [
    node('node-1', dualStack ? ['198.19.0.1', '2001:db8:ff::1'] : '198.19.0.1'),
    node('node-2', dualStack ? ['198.19.0.2', '2001:db8:ff::2'] : '198.19.0.2'),
    namespace('x', { team: 'x' }),
    namespace('y', { team: 'y' }),
    pod('x', 'a', { app: 'a', role: 'client' }, ips('x/a'), { node: 'node-1' }),
    pod('x', 'b', { app: 'b', role: 'client' }, ips('x/b'), { node: 'node-2' }),
    pod('y', 'c', { app: 'c' }, ips('y/c'), { node: 'node-1' }),
    pod('y', 'd', { app: 'd' }, ips('y/d'), { node: 'node-2' }),
    np('x', 'a-from-clients', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] }),
    np('x', 'b-on-80', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] }),
    np('y', 'c-tcp-only', { podSelector: { matchLabels: { app: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15' } }], ports: [{ protocol: 'TCP' }] }] }),
    np('y', 'd-to-x', { podSelector: { matchLabels: { app: 'd' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'x' } } }] }] }),
  ];
}

/** A probe of {@link icmpEssentialsScenario}: an echo request, or TCP on a port. */
export interface IcmpEssentialsProbe extends IcmpProbe {
  readonly protocol: 'ICMP' | 'TCP';
  readonly port: number;
}

/**
 * icmpScenario's pods dual-stack (or, with `dualStack: false`, IPv4 only), under
 * `--semantics icmp-essentials=true`: every echo request passes over IPv4 and IPv6 (kube-router's
 * common ICMP rules; c's only rule is an IPv4 block, so its IPv6 echo requests pass by the profile
 * alone), and TCP keeps its verdicts: 81 from x/b to x/a passes (a admits x's clients on every
 * port), 81 from y/c to x/b does not (b admits 80 only), nor from y/c to x/a over IPv6 (c's
 * egress has no IPv6 rule); c's TCP to its node passes (its block holds the nodes), and its echo
 * requests to both nodes pass by the profile alone (its rule names TCP). IPv6 destinations are
 * written `ns/pod@address`, nodes by address. Hand-written; the ir semantics test checks them
 * against the evaluator, the firewall backends' kernel tests probe them.
 */
export function icmpEssentialsScenario({ dualStack = true }: { readonly dualStack?: boolean } = {}): { readonly objects: readonly Manifest[]; readonly probes: readonly IcmpEssentialsProbe[] } {
  const probes: IcmpEssentialsProbe[] = [
    ...icmpPairs.map(([from, to]) => ({ from, to, protocol: 'ICMP' as const, port: 0, expected: true })),
    ...icmpPairs.map(([from, to]) => ({ from, to: `${to}@${icmpV6[to]!}`, protocol: 'ICMP' as const, port: 0, expected: true })),
    // To nodes: c's own (its INPUT hook) and the other one (forwarded, then the host's).
    { from: 'y/c', to: '198.19.0.1', protocol: 'ICMP', port: 0, expected: true },
    { from: 'y/c', to: '198.19.0.2', protocol: 'ICMP', port: 0, expected: true },
    { from: 'y/c', to: '198.19.0.1', protocol: 'TCP', port: 81, expected: true },
    { from: 'x/b', to: 'x/a', protocol: 'TCP', port: 81, expected: true },
    { from: 'y/c', to: 'x/b', protocol: 'TCP', port: 81, expected: false },
    { from: 'y/c', to: `x/a@${icmpV6['x/a']!}`, protocol: 'TCP', port: 81, expected: false },
  ];
  // Single-stack (IPv4): the same policies and the probes over IPv4.
  return { objects: icmpObjects(dualStack), probes: dualStack ? probes : probes.filter((p) => !p.to.includes('@')) };
}

/** A raw ICMP(v6) message of {@link icmpMessagesScenario}, from one pod to another's address. */
export interface IcmpMessageProbe {
  readonly from: string;
  readonly to: string;
  readonly address: string;
  readonly type: number;
  readonly code: number;
  readonly expected: boolean;
}

/**
 * icmpScenario's pods dual-stack, with ICMP messages other than echo requests between every
 * pair, for the firewall backends' kernel tests; the verdicts hold with and without
 * `--semantics icmp-essentials=true`. A timestamp request (IPv4 13) and a node information query
 * (IPv6 139) start a connection as an echo request does, and the policies decide them as they
 * decide echo requests (icmpScenario's verdicts), since neither is one of the profile's types.
 * Errors about connections that never existed (IPv4 destination unreachable and time exceeded,
 * IPv6 destination unreachable and time exceeded) and an ICMPv6 echo reply without its request
 * are INVALID to conntrack: dropped before any rule, the profile's included, as in kube-router's
 * common chain (INVALID dropped, then RELATED and ESTABLISHED accepted, then its ICMP rules).
 */
export function icmpMessagesScenario(): { readonly objects: readonly Manifest[]; readonly probes: readonly IcmpMessageProbe[] } {
  const verdicts = new Map(icmpScenario().probes.map((p) => [`${p.from}>${p.to}`, p.expected]));
  const messages = [
    { family: 4, type: 13, code: 0, started: true },
    { family: 4, type: 3, code: 3, started: false },
    { family: 4, type: 11, code: 0, started: false },
    { family: 6, type: 139, code: 0, started: true },
    { family: 6, type: 1, code: 0, started: false },
    { family: 6, type: 3, code: 0, started: false },
    { family: 6, type: 129, code: 0, started: false },
  ] as const;
  const probes = icmpPairs.flatMap(([from, to]) =>
    messages.map((m) => ({
      from,
      to,
      address: (m.family === 4 ? icmpV4 : icmpV6)[to]!,
      type: m.type,
      code: m.code,
      expected: m.started && verdicts.get(`${from}>${to}`)!,
    })),
  );
  return { objects: icmpObjects(true), probes };
}
