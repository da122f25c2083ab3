import { antiSpoofingChecks, compareValues, dhcpServerPort, icmpEssentialTypes, neighbourDiscovery, type AntiSpoofingCheck, type Direction, type SemanticsOptions } from '@netpolc/ir';
import type { AddressPairSet, AddressSet, Chain, Family, IcmpType, Icmpv6Type, InterfaceSide, Match, NamedSet, Range, Rule, Ruleset, Statement, VerdictMap } from './model.js';
import { tableName } from './model.js';
import { compareNames } from './numbered.js';
import { dispatchMapName, podsSetName, selfSetName } from './names.js';
import type { NftablesOptions } from './options.js';

const families: readonly Family[] = [4, 6];
/** The hop limit of neighbour discovery, which no routed packet keeps (`neighbourDiscovery`: why). */
const ndHopLimit = { kind: 'hop-limit', value: neighbourDiscovery.hopLimit } as const;
/** nft's names of the ICMP and ICMPv6 types netpolc writes (the `icmp-essentials` profile, neighbour discovery), by number. */
const icmpNames: Readonly<Record<number, IcmpType>> = { 3: 'destination-unreachable', 8: 'echo-request', 11: 'time-exceeded' };
const icmpv6Names: Readonly<Record<number, Icmpv6Type>> = {
  1: 'destination-unreachable',
  3: 'time-exceeded',
  128: 'echo-request',
  129: 'echo-reply',
  133: 'nd-router-solicit',
  134: 'nd-router-advert',
  135: 'nd-neighbor-solicit',
  136: 'nd-neighbor-advert',
};

/** The profile's types of one family (`icmpEssentialTypes`) by name, in numeric order, as `nft list` prints anonymous sets. */
function essentialNames<T>(family: Family, names: Readonly<Record<number, T>>): T[] {
  return [...icmpEssentialTypes[family]].sort((a, b) => a - b).map((type) => names[type]!);
}
/** fe80::/10, IPv6 link-local unicast (RFC 4291 §2.5.6). */
const linkLocal6: Range<bigint> = [0xfe80n << 112n, (0xfe80n << 112n) + (1n << 118n) - 1n];

/** A local pod address this node dispatches on, with the pod's chains. */
export interface LocalAddress {
  readonly value: bigint;
  readonly egress: Chain | undefined;
  readonly ingress: Chain | undefined;
  /**
   * The pod's own addresses of this family (sorted), which it may reach from this one whatever
   * its chains say; undefined when no chain would see that traffic or the profile forbids it.
   */
  readonly self: readonly bigint[] | undefined;
}

/** What a node's local pods contribute, collected before the table is assembled. */
export interface NodeParts {
  /** Distinguishes the nodes lowered by one program lowering. */
  readonly serial: number;
  local: number;
  readonly addresses: Record<Family, LocalAddress[]>;
  /** Pod chains per direction, in program (namespace, name) order. */
  readonly chains: Record<Direction, Chain[]>;
  /** Distinct ids (in the set catalog) of the named sets the pod chains look up. */
  readonly sets: number[];
  /** Distinct numbers of the allow-logging chains the pod chains go to. */
  readonly logChains: number[];
}

/** Parts of a node without pods. */
export function emptyParts(serial: number): NodeParts {
  return { serial, local: 0, addresses: { 4: [], 6: [] }, chains: { ingress: [], egress: [] }, sets: [], logChains: [] };
}

/** Rules of the base chains that are the same on every node (shared objects, printed once). */
export interface BaseRules {
  readonly established: Rule;
  /** Neighbour discovery the node sends its pods (output), router advertisements included. */
  readonly ndp: Rule;
  /**
   * Neighbour discovery from pods (forward, input), without router advertisements: a pod is no
   * router. Between pods of a bridge (br_netfilter) it crosses forward, untracked, and an isolated
   * pod's met its pod chain: IPv6 to its bridge neighbours failed.
   */
  readonly ndpFromPods: Rule;
  /** The `icmp-essentials` rule of each family. */
  readonly icmpEssentials: Record<Family, Rule>;
  readonly invalid: Record<Family, Record<'saddr' | 'daddr', Rule>>;
  readonly dispatch: Record<Direction, Record<Family, Rule>>;
  readonly dispatchNew: Record<Direction, Record<Family, Rule>>;
  readonly self: Record<Family, Rule>;
  /**
   * Per side, one rule per `--pod-interface` name: `in` (input) drops link-local sources
   * arriving on a pod interface, `out` (output) link-local destinations leaving by one.
   */
  readonly linkLocal: Record<InterfaceSide, readonly Rule[]>;
  /** One rule per `--pod-interface` name: a packet from a pod whose source does not route back by its interface is dropped. */
  readonly antiSpoofing: readonly Rule[];
  readonly counter: readonly Statement[];
}

/** The base rules for these options. */
export function baseRules(options: NftablesOptions): BaseRules {
  const counter: Statement[] = options.counters ? [{ kind: 'counter' }] : [];
  const verdictRule = (matches: Rule['matches'], verdict: 'accept' | 'drop', comment?: string): Rule => ({
    matches,
    statements: [...counter, { kind: 'verdict', verdict: { kind: verdict } }],
    ...(comment !== undefined ? { comment } : {}),
  });
  const invalid = (family: Family, field: 'saddr' | 'daddr'): Rule =>
    verdictRule([{ kind: 'ct-state', states: ['invalid'] }, { kind: 'address', family, field, set: { kind: 'named', name: podsSetName(family) } }], 'drop');
  const dispatch = (direction: Direction, family: Family, onlyNew: boolean): Rule => ({
    matches: onlyNew ? [{ kind: 'ct-state', states: ['new'] }] : [],
    statements: [{ kind: 'vmap', family, field: direction === 'egress' ? 'saddr' : 'daddr', map: dispatchMapName(direction, family) }],
  });
  const perFamily = <T>(f: (family: Family) => T): Record<Family, T> => ({ 4: f(4), 6: f(6) });
  const perDirection = (onlyNew: boolean): Record<Direction, Record<Family, Rule>> => ({
    ingress: perFamily((family) => dispatch('ingress', family, onlyNew)),
    egress: perFamily((family) => dispatch('egress', family, onlyNew)),
  });
  return {
    established: verdictRule([{ kind: 'ct-state', states: ['established', 'related'] }], 'accept'),
    ndp: verdictRule([{ kind: 'icmpv6-type', types: neighbourDiscovery.fromNode.map((t) => icmpv6Names[t]!) }, ndHopLimit], 'accept', 'IPv6 neighbour discovery'),
    ndpFromPods: verdictRule([{ kind: 'icmpv6-type', types: neighbourDiscovery.fromPods.map((t) => icmpv6Names[t]!) }, ndHopLimit], 'accept', 'IPv6 neighbour discovery'),
    icmpEssentials: {
      4: verdictRule([{ kind: 'icmp-type', types: essentialNames(4, icmpNames) }], 'accept', 'ICMP essentials (--semantics icmp-essentials)'),
      6: verdictRule([{ kind: 'icmpv6-type', types: essentialNames(6, icmpv6Names) }], 'accept', 'ICMP essentials (--semantics icmp-essentials)'),
    },
    invalid: perFamily((family) => ({ saddr: invalid(family, 'saddr'), daddr: invalid(family, 'daddr') })),
    dispatch: perDirection(false),
    dispatchNew: perDirection(true),
    // Only DNATed (a Service hairpin): a packet forged with the victim's address on both sides
    // would pass any policy, and IPv6 has no kernel check that drops it (an audit delivered one
    // into a deny-all namespace).
    self: perFamily((family) => verdictRule([{ kind: 'ct-status-dnat' }, { kind: 'address-pair', family, set: selfSetName(family) }], 'accept', 'a pod can always reach itself (hairpinned)')),
    linkLocal: { in: linkLocalRules(options, 'in', counter), out: linkLocalRules(options, 'out', counter) },
    antiSpoofing: antiSpoofingRules(options, counter),
    counter,
  };
}

/**
 * The dispatch maps know pods by their global addresses only; every pod interface also has a
 * link-local one, by which a pod reaches what its node binds on `::` (and the node reaches the
 * pod) unseen by the maps. Such an address does not tell which pod it is, so the path is closed
 * for all pods alike. ICMPv6 stays open: neighbour discovery runs on link-local addresses.
 * One rule per name rather than one `iifname { … }` set: older nft releases refuse wildcards in
 * sets (firewalld/firewalld#892), and the names are the few prefixes of the node's CNI.
 */
function linkLocalRules(options: NftablesOptions, side: InterfaceSide, counter: readonly Statement[]): Rule[] {
  const field = side === 'in' ? 'saddr' : 'daddr';
  return options.podInterfaces.map((name) => ({
    matches: [
      { kind: 'interface', side, name },
      { kind: 'address', family: 6, field, set: { kind: 'inline', elements: [linkLocal6] } },
      { kind: 'not-icmpv6' },
    ],
    statements: [...counter, { kind: 'verdict', verdict: { kind: 'drop' } }],
    comment: side === 'in' ? 'a link-local source names no pod: closed for every pod' : 'a link-local destination names no pod: closed for every pod',
  }));
}

/** `--pod-interface`: the checks `antiSpoofingChecks` describes (why, there), in prerouting. */
function antiSpoofingRules(options: NftablesOptions, counter: readonly Statement[]): Rule[] {
  return options.podInterfaces.flatMap((name) => antiSpoofingChecks.map((check) => checkRule({ kind: 'interface', side: 'in', name }, check, counter)));
}

function checkRule(arriving: Match, check: AntiSpoofingCheck, counter: readonly Statement[]): Rule {
  const matches: Match[] = [arriving];
  if (check.match !== 'not-routed-back') matches.push({ kind: 'address', family: check.family, field: 'saddr', set: { kind: 'inline', elements: [[0n, 0n]] } });
  // In an inet table `meta l4proto` is never ipv6-icmp for IPv4, so the exception is written only
  // where IPv6 packets meet the rule.
  if (check.exceptIcmpv6 && check.family !== 4) matches.push({ kind: 'not-icmpv6' });
  if (check.match === 'dhcp-request') matches.push({ kind: 'dport', protocol: 'udp', ports: [[dhcpServerPort, dhcpServerPort]] });
  if (check.match === 'not-routed-back') matches.push({ kind: 'source-not-routed-back' });
  return { matches, statements: [...counter, { kind: 'verdict', verdict: { kind: check.verdict } }], comment: check.comment };
}

/** What {@link assembleTable} needs besides the parts. */
export interface TableContext {
  readonly semantics: SemanticsOptions;
  readonly base: BaseRules;
  /** This node's own addresses (sorted), for the node-local ingress rule. */
  readonly nodeAddresses: Record<Family, Range<bigint>[]>;
  /** Named sets by number, in name order. */
  readonly setsInNameOrder: (ids: readonly number[]) => NamedSet[];
  /** Allow-logging chains by number, in name order. */
  readonly logChainsInNameOrder: (ids: readonly number[]) => Chain[];
}

/** The table of one node from its parts: sets, dispatch maps, base chains, pod chains. */
export function assembleTable(node: string, parts: NodeParts, { semantics, base, nodeAddresses, setsInNameOrder, logChainsInNameOrder }: TableContext): Ruleset {
  const sets: NamedSet[] = [];
  const selfSets: AddressPairSet[] = [];
  const maps: Record<Direction, Record<Family, VerdictMap['elements'][number][]>> = { ingress: { 4: [], 6: [] }, egress: { 4: [], 6: [] } };
  for (const family of families) {
    const addresses = sortByAddress(parts.addresses[family], family);
    if (addresses.length === 0) continue;
    sets.push({ kind: 'address', name: podsSetName(family), family, interval: false, elements: addresses.map((a) => [a.value, a.value] as const) } satisfies AddressSet);
    for (const a of addresses) {
      // Egress jumps (an allowed packet returns and the destination's ingress is checked
      // next); ingress decides, so it can go to the chain for good.
      if (a.egress) maps.egress[family].push({ address: a.value, verdict: { kind: 'jump', chain: a.egress.name } });
      if (a.ingress) maps.ingress[family].push({ address: a.value, verdict: { kind: 'goto', chain: a.ingress.name } });
    }
    // Sources ascend and each pod's own addresses are sorted: the pairs come out in order.
    const pairs: [bigint, bigint][] = [];
    for (const a of addresses) for (const d of a.self ?? []) pairs.push([a.value, d]);
    if (pairs.length > 0) selfSets.push({ kind: 'address-pair', name: selfSetName(family), family, elements: pairs });
  }
  sets.push(...selfSets, ...setsInNameOrder(parts.sets));

  const verdictMaps: VerdictMap[] = [];
  for (const direction of ['egress', 'ingress'] as const) {
    for (const family of families) {
      const elements = maps[direction][family];
      if (elements.length > 0) verdictMaps.push({ name: dispatchMapName(direction, family), family, elements });
    }
  }
  const hasMap = (direction: Direction, family: Family): boolean => maps[direction][family].length > 0;
  const hasPods = (family: Family): boolean => parts.addresses[family].length > 0;
  const hasSelf = (family: Family): boolean => selfSets.some((s) => s.family === family);
  // A pod cannot block its own traffic (semantics.md §2.5). Sent to its own address it stays in
  // the pod, but through a Service it is hairpinned: DNAT back to the pod and masquerade happen
  // around forward, which sees the pod's address on both sides (and an IPVS proxy sends the
  // rewritten packet from the node's stack, through output). So every rule that enters pod
  // chains is preceded by the exception, in whichever hook.
  const exceptSelf = (rules: Rule[], family: Family, direction?: Direction): void => {
    if (hasSelf(family) && (direction === undefined || hasMap(direction, family))) rules.push(base.self[family]);
  };

  // forward: pod traffic routed through this node. Egress of a local source is checked
  // first (its chain returns when allowed), then ingress of a local destination; traffic
  // between other hosts matches no map and is left alone (policy accept).
  const forward: Rule[] = [base.established];
  if (hasPods(6)) forward.push(base.ndpFromPods);
  for (const family of families) if (hasPods(family)) forward.push(base.invalid[family].saddr, base.invalid[family].daddr);
  // kube-router's common ICMP rules, whichever side is isolated: before every pod chain.
  const essentials = (rules: Rule[], directions: readonly Direction[]): void => {
    if (!semantics.allowIcmpEssentials) return;
    for (const family of families) if (directions.some((d) => hasMap(d, family))) rules.push(base.icmpEssentials[family]);
  };
  essentials(forward, ['egress', 'ingress']);
  for (const family of families) exceptSelf(forward, family);
  for (const family of families) if (hasMap('egress', family)) forward.push(base.dispatch.egress[family]);
  if (semantics.allowNodeLocalIngress) {
    for (const family of families) {
      if (!hasMap('ingress', family) || nodeAddresses[family].length === 0) continue;
      forward.push({
        matches: [{ kind: 'address', family, field: 'saddr', set: { kind: 'inline', elements: nodeAddresses[family] } }],
        statements: [...base.counter, { kind: 'verdict', verdict: { kind: 'accept' } }],
        comment: 'node-local ingress is always allowed',
      });
    }
  }
  for (const family of families) if (hasMap('ingress', family)) forward.push(base.dispatch.ingress[family]);

  const chains: Chain[] = [];
  // On every node, as the link-local rules: it does not depend on which pods it runs.
  if (base.antiSpoofing.length > 0) chains.push({ name: 'prerouting', hook: 'prerouting', rules: [...base.antiSpoofing] });
  chains.push({ name: 'forward', hook: 'forward', rules: forward });
  // input: a local pod reaching an address of this node is still egress traffic. The
  // link-local rules go on every node, even one without pods today: they do not depend on which
  // pods it runs.
  if (parts.local > 0 || base.linkLocal.in.length > 0) {
    const input: Rule[] = [base.established, ...base.linkLocal.in];
    if (hasPods(6)) input.push(base.ndpFromPods);
    for (const family of families) if (hasPods(family)) input.push(base.invalid[family].saddr);
    essentials(input, ['egress']);
    for (const family of families) exceptSelf(input, family, 'egress');
    for (const family of families) if (hasMap('egress', family)) input.push(base.dispatch.egress[family]);
    chains.push({ name: 'input', hook: 'input', rules: input });
  }
  // output: the node's own connections to its pods are node-local ingress; only a profile
  // that does not allow it needs them checked. Only new connections: replies and ICMP
  // errors the kernel sends for rejected packets must pass.
  if (!semantics.allowNodeLocalIngress && (hasMap('ingress', 4) || hasMap('ingress', 6) || base.linkLocal.out.length > 0)) {
    const output: Rule[] = [base.established, ...base.linkLocal.out];
    if (hasPods(6)) output.push(base.ndp);
    essentials(output, ['ingress']);
    for (const family of families) exceptSelf(output, family, 'ingress');
    for (const family of families) if (hasMap('ingress', family)) output.push(base.dispatchNew.ingress[family]);
    chains.push({ name: 'output', hook: 'output', rules: output });
  }
  // Every `egress/…` name sorts before every `ingress/…` name.
  chains.push(...inNameOrderChains(parts.chains.egress), ...inNameOrderChains(parts.chains.ingress));
  chains.push(...logChainsInNameOrder(parts.logChains));
  return { node, table: { name: tableName, sets, maps: verdictMaps, chains } };
}

/**
 * Pod chains in name order. They arrive in the IR's pod order, (namespace, name), which is
 * their name order unless a namespace name is a prefix of another followed by `-` or `.`
 * (`a-b/x` sorts before `a/x`): one linear check, and a sort only then.
 */
function inNameOrderChains(chains: Chain[]): Chain[] {
  for (let i = 1; i < chains.length; i++) if (chains[i - 1]!.name > chains[i]!.name) return chains.sort(compareNames);
  return chains;
}

// Scales an IPv4 address so that a local index fits below it in one exactly represented double.
const indexBits = 2 ** 21;

/**
 * Addresses in ascending order. IPv4 (most of them) goes through a native numeric sort of
 * `address * 2^21 + index` (below 2^53, exact); IPv6 compares bigints.
 */
function sortByAddress(addresses: LocalAddress[], family: Family): LocalAddress[] {
  if (addresses.length < 2) return addresses;
  if (family === 4 && addresses.length < indexBits) {
    const keys = new Float64Array(addresses.length);
    for (let i = 0; i < addresses.length; i++) keys[i] = Number(addresses[i]!.value) * indexBits + i;
    keys.sort();
    const out: LocalAddress[] = [];
    for (const k of keys) out.push(addresses[k % indexBits]!);
    return out;
  }
  return addresses.sort((a, b) => compareValues(a.value, b.value));
}
