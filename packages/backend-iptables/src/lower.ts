import { compareValues, icmpEssentialTypes, neighbourDiscovery, type Address, type Node } from '@netpolc/ir';
import { dispatchRules, type DispatchEntry } from './dispatch.js';
import type { Chain, Family, IpSet, Match, RawTable, Rule, Ruleset } from './model.js';
import { chainPrefix, chains, commentText, hookComment } from './names.js';
import type { IptablesOptions } from './options.js';
import { setOrder, type BuiltChain, type PodChains, type SharedContext } from './pod-chains.js';
import { shareChain } from './print.js';

/** What lowering a node needs besides the node: shared by every node of one emit. */
export interface LowerContext extends SharedContext {
  /** Pod chains per family, built once per distinct tuple list. */
  readonly podChains: Record<Family, PodChains>;
  /** `namespace/name` of a resolved pod, computed once. */
  readonly podName: (pod: number) => string;
  /** A fresh number per lowered ruleset, to mark the chains and sets it took in. */
  readonly nextMark: () => number;
  /** The `--pod-interface` rules at the top of every IPv6 `NETPOLC-INPUT` ({@link podLinkLocalRules}). */
  readonly linkLocal: readonly Rule[];
  /** The `raw` table of every ruleset, per family (`--pod-interface` only: see anti-spoofing.ts). */
  readonly raw: Record<Family, RawTable | undefined>;
}

/**
 * What lowering needs of one pod on a node, gathered in one pass over the pods in index order
 * (which is also their order in memory): the per-node passes then touch one small record per
 * pod instead of the pod, its two directions and their tuples scattered over the heap.
 */
export interface LocalPod {
  readonly pod: number;
  /** The pod's addresses per family, with their host CIDRs. */
  readonly v4: readonly LocalAddress[];
  readonly v6: readonly LocalAddress[];
  /** The comment naming the pod (`namespace/name`) when it is isolated in some direction. */
  readonly comment: Match | undefined;
  /** Pod chains per direction and family; absent when not isolated (or no address of the family). */
  readonly egress4: BuiltChain | undefined;
  readonly ingress4: BuiltChain | undefined;
  readonly egress6: BuiltChain | undefined;
  readonly ingress6: BuiltChain | undefined;
}

/** One address of a local pod. */
export interface LocalAddress {
  readonly ip: string;
  /** `ip/32` or `ip/128`. */
  readonly cidr: string;
  readonly value: bigint;
  /** The value as a number (exact for IPv4; unused for IPv6). */
  readonly num: number;
}

/** The local-pod view of a pod's addresses of one family. */
export function localAddresses(addresses: readonly Address[], family: Family): readonly LocalAddress[] {
  let count = 0;
  for (const a of addresses) if (a.family === family) count++;
  // Kept until the pod's node is printed: at its exact size, and one list for every pod without
  // an address of the family (IPv6 in most clusters).
  if (count === 0) return noAddresses;
  const out = new Array<LocalAddress>(count);
  let i = 0;
  for (const a of addresses) if (a.family === family) out[i++] = { ip: a.ip, cidr: hostCidr(a.ip, family), value: a.value, num: family === 4 ? Number(a.value) : 0 };
  return out;
}

const noAddresses: readonly LocalAddress[] = Object.freeze([]);

/** A ruleset and the sets it references. */
export interface LoweredFamily {
  readonly ruleset: Ruleset;
  readonly sets: readonly IpSet[];
}

/** What pods send of neighbour discovery, at its hop limit only (`neighbourDiscovery`: why). */
function neighbourDiscoveryRules(target: Rule['target']): Rule[] {
  return neighbourDiscovery.fromPods.map((type) => ({ protocol: 'ipv6-icmp', matches: [{ kind: 'icmp6', type }, { kind: 'hop-limit', value: neighbourDiscovery.hopLimit }, comment('IPv6 neighbour discovery')], target }));
}
/** A connection whose destination was rewritten (`--ctstate DNAT`): a Service hairpin's. */
const hairpinned: Match = { kind: 'conntrack', states: ['DNAT'] };

/** One rule per `icmp-essentials` ICMP type of `family`, ending in `target`. */
function icmpEssentialRules(family: Family, target: Rule['target']): Rule[] {
  const text = comment('ICMP essentials (--semantics icmp-essentials)');
  return icmpEssentialTypes[family]
    .map((type) => (family === 4 ? { protocol: 'icmp', matches: [{ kind: 'icmp', type }, text], target } : { protocol: 'ipv6-icmp', matches: [{ kind: 'icmp6', type }, text], target }));
}

/** A comment match with safe text. */
export const comment = (text: string): Match => ({ kind: 'comment', text: commentText(text) });

/** IPv6 link-local unicast (RFC 4291 §2.5.6). */
const linkLocal6 = 'fe80::/10';

/**
 * Every pod interface also has a link-local address, by which a pod reaches what its node binds
 * on `::` through the node's link-local address on the pod's veth. Pods are known by their
 * inventory addresses only, and a link-local one does not tell which pod sent it, so the path is
 * closed for every pod alike: one rule per interface name, whatever the pods. Replies pass (the
 * node's own connections to a pod's link-local address), and so does ICMPv6: neighbour discovery
 * runs on link-local addresses. DROP whatever `--deny-action` says, as the nftables backend does:
 * this is not a policy's decision.
 */
export function podLinkLocalRules(options: IptablesOptions): Rule[] {
  return options.podInterfaces.map((name) => ({
    source: linkLocal6,
    inInterface: name,
    exceptProtocol: 'ipv6-icmp',
    matches: [{ kind: 'conntrack', states: ['RELATED', 'ESTABLISHED'], negated: true }, comment('a link-local source names no pod: closed for every pod')],
    target: { kind: 'DROP' },
  }));
}

function hostCidr(ip: string, family: Family): string {
  return family === 4 ? `${ip}/32` : `${ip}/128`;
}

/**
 * Rules and chains every node has, per family and ICMP profile: one object each, so their text is
 * built once.
 */
function fixedParts(family: Family, essentials: boolean): { pod: Chain; inputPod: Chain; reject: Chain; hooks: Ruleset['hooks'] } {
  const inputPodRules: Rule[] = [
    { matches: [{ kind: 'conntrack', states: ['INVALID'] }], target: { kind: 'DROP' } },
    // RETURN, not ACCEPT: netpolc only narrows what reaches the node; the host's INPUT rules
    // below the hook still apply to what the policy allows (and to replies).
    { matches: [{ kind: 'conntrack', states: ['RELATED', 'ESTABLISHED'] }], target: { kind: 'RETURN' } },
  ];
  if (family === 6) {
    // Neighbour discovery is not tracked by conntrack (UNTRACKED, never ESTABLISHED) and goes to
    // the node's own (multicast) addresses: without it an egress-isolated pod loses IPv6 to its
    // gateway (cloudnativelabs/kube-router#1895).
    inputPodRules.push(...neighbourDiscoveryRules({ kind: 'RETURN' }));
  }
  // Under icmp-essentials these go back to the host like allowed traffic: the profile's types at
  // any hop limit, as kube-router admits them (its neighbour solicitation and advertisement too;
  // the rules above take real neighbour discovery only).
  if (essentials) inputPodRules.push(...icmpEssentialRules(family, { kind: 'RETURN' }));
  inputPodRules.push({ matches: [comment('egress of a local source pod')], target: { kind: 'goto', chain: chains.egress } });
  return {
    pod: shareChain({
      name: chains.pod,
      rules: [
        { matches: [{ kind: 'conntrack', states: ['INVALID'] }], target: { kind: 'DROP' } },
        { matches: [{ kind: 'conntrack', states: ['RELATED', 'ESTABLISHED'] }], target: { kind: 'ACCEPT' } },
        // Between pods of a bridge (br_netfilter), neighbour discovery crosses FORWARD, untracked:
        // an isolated pod's solicitations and advertisements met its pod chain, and IPv6 to its
        // bridge neighbours failed (a review found the neighbour entries stuck INCOMPLETE).
        ...(family === 6 ? neighbourDiscoveryRules({ kind: 'ACCEPT' }) : []),
        // Whichever side is isolated, as kube-router's KUBE-NWPLCY-COMMON chain admits them.
        ...(essentials ? icmpEssentialRules(family, { kind: 'ACCEPT' }) : []),
        { matches: [comment('egress of a local source pod')], target: { kind: 'jump', chain: chains.egress } },
        { matches: [comment('ingress of a local destination pod')], target: { kind: 'jump', chain: chains.ingress } },
        // kube-router makes its chains authoritative the same way ("explicitly ACCEPT traffic that
        // complies with network policies"), so a FORWARD policy of DROP does not block pods.
        { matches: [comment('allowed by network policy')], target: { kind: 'ACCEPT' } },
      ],
    }),
    inputPod: shareChain({ name: chains.inputPod, rules: inputPodRules }),
    reject: shareChain({
      name: chains.reject,
      rules: [
        { protocol: 'tcp', matches: [], target: { kind: 'REJECT', with: 'tcp-reset' } },
        { matches: [], target: { kind: 'REJECT', with: family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable' } },
      ],
    }),
    hooks: [
      { chain: 'FORWARD', position: 1, rule: { matches: [comment(hookComment)], target: { kind: 'jump', chain: chains.forward } } },
      { chain: 'INPUT', position: 1, rule: { matches: [comment(hookComment)], target: { kind: 'jump', chain: chains.input } } },
    ],
  };
}

const fixed = { 4: fixedParts(4, false), 6: fixedParts(6, false) } as const;
const fixedEssentials = { 4: fixedParts(4, true), 6: fixedParts(6, true) } as const;

const byName = (a: { name: string }, b: { name: string }): number => compareValues(a.name, b.name);

/** Inserts a set into a name-sorted list of sets, keeping the order; `orderOf(i)` is setOrder(sets[i]). */
function insertSorted(sets: IpSet[], orderOf: (i: number) => number, set: IpSet): void {
  const order = setOrder(set);
  let i = 0;
  while (i < sets.length && (orderOf(i) < order || (orderOf(i) === order && sets[i]!.name < set.name))) i++;
  sets.splice(i, 0, set);
}

/**
 * The pod chains and their log chains in name order: `NETPOLC-E-…`, `NETPOLC-I-…` (sorted by
 * their numeric order), then `NETPOLC-LOG-…`, each once (log chains are shared).
 */
function contentChains(built: BuiltChain[]): Chain[] {
  built.sort((a, b) => a.order - b.order || byName(a, b));
  const out: Chain[] = [];
  const logs: Chain[] = [];
  for (const b of built) {
    out.push(b.chains[0]!);
    for (let i = 1; i < b.chains.length; i++) logs.push(b.chains[i]!);
  }
  if (logs.length > 0) {
    logs.sort(byName);
    for (let i = 0; i < logs.length; i++) if (i === 0 || logs[i - 1]!.name !== logs[i]!.name) out.push(logs[i]!);
  }
  return out;
}

/**
 * Lowers the rules of one node for one family (semantics.md §5.1):
 *
 * - FORWARD jumps to NETPOLC-FORWARD and INPUT to NETPOLC-INPUT (the only rules netpolc puts in
 *   built-in chains);
 * - NETPOLC-FORWARD sends traffic from or to a local pod to NETPOLC-POD; everything else (transit)
 *   falls through untouched;
 * - NETPOLC-POD drops conntrack INVALID, accepts ESTABLISHED/RELATED (and, under icmp-essentials,
 *   kube-router's common ICMP types), runs the egress check of the
 *   source (if it is a local pod) then the ingress check of the destination (if local), and
 *   accepts what both let through. Across nodes, the source node checks egress and the
 *   destination node ingress; on one node the packet passes both checks here;
 * - NETPOLC-INPUT sends packets from a local pod to the node itself to NETPOLC-INPUT-POD: INVALID
 *   dropped, ESTABLISHED/RELATED (and IPv6 neighbour discovery) returned to the host, the rest
 *   through the same egress check; allowed packets return to the host's INPUT rules. With
 *   `--pod-interface`, the IPv6 NETPOLC-INPUT first drops new non-ICMPv6 packets from link-local
 *   sources on pod interfaces.
 *
 * `localPods` are the pods scheduled on the node.
 */
export function lowerFamily(ctx: LowerContext, node: Node, localPods: readonly LocalPod[], family: Family): LoweredFamily {
  const { resolved, options } = ctx;
  const semantics = resolved.program.semantics;
  const parts = (semantics.allowIcmpEssentials ? fixedEssentials : fixed)[family];
  const podChainsUsed: BuiltChain[] = [];
  const { setList, setOrders, setMarks, setIndex } = ctx.podChains[family];
  /** Indices into setList. */
  const usedSets: number[] = [];
  const mark = ctx.nextMark();

  // Local addresses in address order; an address claimed twice belongs to its first owner, as in
  // the resolved layer's addressOwner.
  const local: { rec: LocalPod; pod: number; ip: string; cidr: string; value: bigint; num: number }[] = [];
  for (const rec of localPods) for (const a of family === 4 ? rec.v4 : rec.v6) local.push({ rec, pod: rec.pod, ip: a.ip, cidr: a.cidr, value: a.value, num: a.num });
  if (family === 4) local.sort((a, b) => a.num - b.num || a.pod - b.pod);
  else local.sort((a, b) => compareValues(a.value, b.value) || a.pod - b.pod);
  const unique = local.filter((e, i) => i === 0 || (family === 4 ? local[i - 1]!.num !== e.num : local[i - 1]!.value !== e.value));

  const egressEntries: DispatchEntry[] = [];
  const ingressEntries: DispatchEntry[] = [];
  for (const e of unique) {
    const cidr = e.cidr;
    let podComment: Match | undefined;
    for (const direction of ['egress', 'ingress'] as const) {
      const built = family === 4 ? (direction === 'egress' ? e.rec.egress4 : e.rec.ingress4) : direction === 'egress' ? e.rec.egress6 : e.rec.ingress6;
      if (built === undefined) continue;
      if (built.mark !== mark) {
        built.mark = mark;
        podChainsUsed.push(built);
        for (const index of built.sets) {
          if (setMarks[index] === mark) continue;
          setMarks[index] = mark;
          usedSets.push(index);
        }
      }
      const rules: Rule[] = [];
      // A pod cannot block traffic to itself (kubernetes.io NetworkPolicy docs); such packets only
      // cross FORWARD when hairpinned back through the node, DNATed from a Service's address.
      // Only those: a packet another pod forged with the victim's address on both sides would
      // pass any policy (IPv6 has no kernel check that drops it; an audit delivered one into a
      // deny-all namespace).
      if (semantics.allowSelf) {
        for (const own of family === 4 ? e.rec.v4 : e.rec.v6) {
          const other = own.cidr;
          rules.push({ source: direction === 'egress' ? cidr : other, destination: direction === 'egress' ? other : cidr, matches: [hairpinned], target: { kind: 'RETURN' } });
        }
      }
      podComment ??= e.rec.comment ?? comment(ctx.podName(e.pod));
      const target = { kind: 'goto', chain: built.name } as const;
      rules.push(direction === 'egress' ? { source: cidr, matches: [podComment], target } : { destination: cidr, matches: [podComment], target });
      (direction === 'egress' ? egressEntries : ingressEntries).push({ value: e.value, ip: e.ip, rules });
    }
  }

  // Classification of local pods by address: FORWARD needs both sides, INPUT only the source.
  const podEntries = (side: 'src' | 'dst', target: string): DispatchEntry[] =>
    unique.map((e) => ({
      value: e.value,
      ip: e.ip,
      rules: [
        {
          ...(side === 'src' ? { source: hostCidr(e.ip, family) } : { destination: hostCidr(e.ip, family) }),
          matches: [comment(`${side === 'src' ? 'from' : 'to'} ${ctx.podName(e.pod)}`)],
          target: { kind: 'goto', chain: target },
        } satisfies Rule,
      ],
    }));
  const localSet = unique.length > 1 && options.ipset ? ctx.matcher.intern(family, unique.map((e) => e.ip)) : undefined;
  // The local pods' set is usually a set of its own; when a peer set has the same members, it is
  // that set.
  const localIndex = localSet ? setIndex.get(localSet) : undefined;
  const extraSet = localSet && (localIndex === undefined || setMarks[localIndex] !== mark) ? localSet : undefined;
  const fromLocalPod = (target: string): Rule[] => {
    if (unique.length === 1) return [{ source: hostCidr(unique[0]!.ip, family), matches: [comment('from a local pod')], target: { kind: 'goto', chain: target } }];
    if (localSet) return [{ matches: [{ kind: 'set', set: localSet.name, side: 'src' }, comment('from a local pod')], target: { kind: 'goto', chain: target } }];
    return [];
  };

  const treeChains: Chain[] = [];
  const classify: Rule[] = fromLocalPod(chains.pod);
  if (unique.length === 1) {
    classify.push({ destination: hostCidr(unique[0]!.ip, family), matches: [comment('to a local pod')], target: { kind: 'goto', chain: chains.pod } });
  } else if (localSet) {
    classify.push({ matches: [{ kind: 'set', set: localSet.name, side: 'dst' }, comment('to a local pod')], target: { kind: 'goto', chain: chains.pod } });
  } else if (unique.length > 1) {
    // A miss in the source tree must go on to the destination tree: sub-chains are jumped to.
    classify.push(...dispatchRules(`${chainPrefix}SRC`, podEntries('src', chains.pod), 'src', 'jump', treeChains));
    classify.push(...dispatchRules(`${chainPrefix}DST`, podEntries('dst', chains.pod), 'dst', 'jump', treeChains));
  }

  // INPUT carries exactly the packets addressed to the node itself: any of its addresses,
  // including ones the inventory does not list (the pods' gateway 169.254.1.1, a node-local DNS
  // cache). From a local pod they are egress traffic like any other (NetworkPolicy egress has no
  // node exception; the nftables backend checks it on its input hook too), so they pass the same
  // egress dispatch. Everything else in INPUT (other hosts, the node's own traffic) is left to
  // the host's rules.
  const inputTree: Chain[] = [];
  const podInput: Rule[] = unique.length > 1 && !localSet ? dispatchRules(chains.input, podEntries('src', chains.inputPod), 'src', 'goto', inputTree) : fromLocalPod(chains.inputPod);
  // First: a link-local source is never a local pod's inventory address, so the dispatch below
  // would let it fall through to the host.
  const inputRules = family === 6 && ctx.linkLocal.length > 0 ? [...ctx.linkLocal, ...podInput] : podInput;

  const egressTree: Chain[] = [];
  const ingressTree: Chain[] = [];
  // Sub-chains are entered with goto: a miss (a local pod not isolated in this direction) ends the
  // check with "allowed", back in NETPOLC-POD.
  const egressRules = dispatchRules(chains.egress, egressEntries, 'src', 'goto', egressTree);
  const ingressRules: Rule[] = [];
  if (semantics.allowNodeLocalIngress && ingressEntries.length > 0) {
    // Ingress from the pod's own node is always allowed (NetworkPolicySpec.ingress API comment:
    // kubelet probes); it normally leaves through OUTPUT, this covers routed setups.
    for (const a of node.addresses) {
      if (a.family === family) ingressRules.push({ source: hostCidr(a.ip, family), matches: [comment(`node ${node.name} (node-local ingress)`)], target: { kind: 'RETURN' } });
    }
  }
  for (const r of dispatchRules(chains.ingress, ingressEntries, 'dst', 'goto', ingressTree)) ingressRules.push(r);

  const out: Chain[] = [
    { name: chains.forward, rules: classify },
    ...treeChains,
    parts.pod,
    { name: chains.egress, rules: egressRules },
    ...egressTree,
    { name: chains.ingress, rules: ingressRules },
    ...ingressTree,
    { name: chains.input, rules: inputRules },
    ...inputTree,
    parts.inputPod,
    ...contentChains(podChainsUsed),
  ];
  // Every pod chain ends in the deny action: with reject, they all go to NETPOLC-REJECT.
  if (options.denyAction === 'reject' && podChainsUsed.length > 0) out.push(parts.reject);
  usedSets.sort((a, b) => setOrders[a]! - setOrders[b]! || byName(setList[a]!, setList[b]!));
  const sets = usedSets.map((i) => setList[i]!);
  // The orders of the pod chains' sets are known: parsing them from every name again for each
  // node took 84 ms of a kube-scale emit.
  if (extraSet) insertSorted(sets, (i) => setOrders[usedSets[i]!]!, extraSet);
  const raw = ctx.raw[family];
  return { ruleset: { node: node.name, family, chains: out, hooks: parts.hooks, ...(raw ? { raw } : {}) }, sets };
}
