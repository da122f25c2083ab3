import type { AllowTuple, Node, ResolvedProgram } from '@netpolc/ir';
import { podId } from '@netpolc/ir';
import type { AddressMatcher } from './addresses.js';
import { dispatchRules, type DispatchEntry } from './dispatch.js';
import type { Chain, Family, IpSet, Rule, Ruleset } from './model.js';
import { chainPrefix, chains, commentText, hookComment } from './names.js';
import type { IptablesOptions } from './options.js';
import { podChain, type BuiltChain, type FamilyContext } from './pod-chains.js';

/** What lowering needs besides the node: shared across nodes of one emit. */
export interface LowerContext {
  readonly resolved: ResolvedProgram;
  readonly options: IptablesOptions;
  readonly matcher: AddressMatcher;
  readonly logIds: readonly string[];
  readonly onSet: (set: IpSet, tuple: AllowTuple) => void;
  /** Pod chains built so far, per family (shared by all nodes). */
  readonly memo: Record<Family, Map<string, BuiltChain>>;
}

/** A ruleset and the sets it references. */
export interface LoweredFamily {
  readonly ruleset: Ruleset;
  readonly sets: readonly IpSet[];
}

/** ICMPv6 router solicitation, neighbour solicitation and advertisement: what a pod sends its node. */
const neighbourDiscovery = [133, 135, 136] as const;

const comment = (text: string): { kind: 'comment'; text: string } => ({ kind: 'comment', text: commentText(text) });

function hostCidr(ip: string, family: Family): string {
  return `${ip}/${family === 4 ? 32 : 128}`;
}

/**
 * Lowers the rules of one node for one family (semantics.md §5.1):
 *
 * - FORWARD jumps to NETPOLC-FORWARD and INPUT to NETPOLC-INPUT (the only rules netpolc puts in
 *   built-in chains);
 * - NETPOLC-FORWARD sends traffic from or to a local pod to NETPOLC-POD; everything else (transit)
 *   falls through untouched;
 * - NETPOLC-POD drops conntrack INVALID, accepts ESTABLISHED/RELATED, runs the egress check of the
 *   source (if it is a local pod) then the ingress check of the destination (if local), and
 *   accepts what both let through. Across nodes, the source node checks egress and the
 *   destination node ingress; on one node the packet passes both checks here;
 * - NETPOLC-INPUT sends packets from a local pod to the node itself to NETPOLC-INPUT-POD: INVALID
 *   dropped, ESTABLISHED/RELATED (and IPv6 neighbour discovery) returned to the host, the rest
 *   through the same egress check; allowed packets return to the host's INPUT rules.
 *
 * `localPods` are resolved pod indices scheduled on the node.
 */
export function lowerFamily(ctx: LowerContext, node: Node, localPods: readonly number[], family: Family): LoweredFamily {
  const { resolved, options } = ctx;
  const semantics = resolved.program.semantics;
  const fctx: FamilyContext = {
    resolved,
    options,
    family,
    matcher: ctx.matcher,
    logIds: ctx.logIds,
    contentChains: new Map(),
    usedSets: new Set(),
    onSet: ctx.onSet,
    memo: ctx.memo[family],
  };

  // Local addresses in address order; an address claimed twice belongs to its first owner, as in
  // the resolved layer's addressOwner.
  const local: { pod: number; ip: string; value: bigint }[] = [];
  for (const pod of localPods) for (const a of resolved.pods[pod]!.addresses) if (a.family === family) local.push({ pod, ip: a.ip, value: a.value });
  local.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.pod - b.pod));
  const unique = local.filter((e, i) => i === 0 || local[i - 1]!.value !== e.value);

  const egressEntries: DispatchEntry[] = [];
  const ingressEntries: DispatchEntry[] = [];
  const memo = new Map<string, string>();
  for (const e of unique) {
    const cidr = hostCidr(e.ip, family);
    const name = podId(resolved.pods[e.pod]!);
    for (const direction of ['egress', 'ingress'] as const) {
      if (!resolved[direction][e.pod]!.isolated) continue;
      const key = `${direction}|${e.pod}`;
      let chain = memo.get(key);
      if (chain === undefined) {
        chain = podChain(fctx, e.pod, direction);
        memo.set(key, chain);
      }
      const rules: Rule[] = [];
      // A pod cannot block traffic to itself (kubernetes.io NetworkPolicy docs); such packets only
      // cross FORWARD when hairpinned back through the node.
      if (semantics.allowSelf) {
        for (const own of resolved.pods[e.pod]!.addresses) {
          if (own.family !== family) continue;
          const other = hostCidr(own.ip, family);
          rules.push({ source: direction === 'egress' ? cidr : other, destination: direction === 'egress' ? other : cidr, matches: [comment(`${name} to itself`)], target: { kind: 'RETURN' } });
        }
      }
      const target = { kind: 'goto', chain } as const;
      rules.push(direction === 'egress' ? { source: cidr, matches: [comment(name)], target } : { destination: cidr, matches: [comment(name)], target });
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
          matches: [comment(`${side === 'src' ? 'from' : 'to'} ${podId(resolved.pods[e.pod]!)}`)],
          target: { kind: 'goto', chain: target },
        } satisfies Rule,
      ],
    }));
  const localSet = unique.length > 1 && options.ipset ? ctx.matcher.intern(family, unique.map((e) => e.ip)) : undefined;
  if (localSet) fctx.usedSets.add(localSet);
  const fromLocalPod = (target: string): Rule[] => {
    if (unique.length === 1) return [{ source: hostCidr(unique[0]!.ip, family), matches: [comment('from a local pod')], target: { kind: 'goto', chain: target } }];
    if (localSet) return [{ matches: [{ kind: 'set', set: localSet.name, side: 'src' }, comment('from a local pod')], target: { kind: 'goto', chain: target } }];
    return [];
  };

  const treeChains: Chain[] = [];
  const classify: Rule[] = [...fromLocalPod(chains.pod)];
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
  const inputRules: Rule[] = unique.length > 1 && !localSet ? dispatchRules(chains.input, podEntries('src', chains.inputPod), 'src', 'goto', inputTree) : fromLocalPod(chains.inputPod);
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
    for (const type of neighbourDiscovery) inputPodRules.push({ protocol: 'ipv6-icmp', matches: [{ kind: 'icmp6', type }, comment('IPv6 neighbour discovery')], target: { kind: 'RETURN' } });
  }
  inputPodRules.push({ matches: [comment('egress of a local source pod')], target: { kind: 'goto', chain: chains.egress } });

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
  ingressRules.push(...dispatchRules(chains.ingress, ingressEntries, 'dst', 'goto', ingressTree));

  const podRules: Rule[] = [
    { matches: [{ kind: 'conntrack', states: ['INVALID'] }], target: { kind: 'DROP' } },
    { matches: [{ kind: 'conntrack', states: ['RELATED', 'ESTABLISHED'] }], target: { kind: 'ACCEPT' } },
    { matches: [comment('egress of a local source pod')], target: { kind: 'jump', chain: chains.egress } },
    { matches: [comment('ingress of a local destination pod')], target: { kind: 'jump', chain: chains.ingress } },
    // kube-router makes its chains authoritative the same way ("explicitly ACCEPT traffic that
    // complies with network policies"), so a FORWARD policy of DROP does not block pods.
    { matches: [comment('allowed by network policy')], target: { kind: 'ACCEPT' } },
  ];

  const contentChains = [...fctx.contentChains.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const usesReject = contentChains.some((c) => c.rules.some((r) => r.target.kind === 'goto' && r.target.chain === chains.reject));
  const out: Chain[] = [
    { name: chains.forward, rules: classify },
    ...treeChains,
    { name: chains.pod, rules: podRules },
    { name: chains.egress, rules: egressRules },
    ...egressTree,
    { name: chains.ingress, rules: ingressRules },
    ...ingressTree,
    { name: chains.input, rules: inputRules },
    ...inputTree,
    { name: chains.inputPod, rules: inputPodRules },
    ...contentChains,
  ];
  if (usesReject) {
    out.push({
      name: chains.reject,
      rules: [
        { protocol: 'tcp', matches: [], target: { kind: 'REJECT', with: 'tcp-reset' } },
        { matches: [], target: { kind: 'REJECT', with: family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable' } },
      ],
    });
  }
  const ruleset: Ruleset = {
    node: node.name,
    family,
    chains: out,
    hooks: [
      { chain: 'FORWARD', position: 1, rule: { matches: [comment(hookComment)], target: { kind: 'jump', chain: chains.forward } } },
      { chain: 'INPUT', position: 1, rule: { matches: [comment(hookComment)], target: { kind: 'jump', chain: chains.input } } },
    ],
  };
  return { ruleset, sets: [...fctx.usedSets] };
}
