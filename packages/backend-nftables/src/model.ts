// The typed model of the nftables text netpolc emits: one `table inet netpolc` with named sets,
// verdict maps and chains. The lowering builds it, the printer turns it into `nft -f` text, and
// the tests interpret it (and parse the text back into it). It covers exactly the subset of nft
// that netpolc writes, so every construct here has one printed form and one meaning.

/** Address family of a match or set: `ip` (4) or `ip6` (6). */
export type Family = 4 | 6;

/** Transport protocols NetworkPolicy v1 names, as nft `inet_proto` values. */
export type L4Protocol = 'tcp' | 'udp' | 'sctp';

/** Conntrack states used by the base chains. */
export type CtState = 'established' | 'related' | 'invalid' | 'new';

/** Which address of the packet a match or lookup reads. */
export type AddressField = 'saddr' | 'daddr';

/** An inclusive range of addresses (as unsigned integers) or of ports. */
export type Range<T extends bigint | number> = readonly [T, T];

/**
 * ICMPv6 types netpolc matches: neighbour discovery, which must pass for IPv6 to work at all
 * (kube-router#1895), and the rest of the `icmp-essentials` profile.
 */
export type Icmpv6Type =
  | 'nd-router-solicit'
  | 'nd-router-advert'
  | 'nd-neighbor-solicit'
  | 'nd-neighbor-advert'
  | 'echo-request'
  | 'destination-unreachable'
  | 'time-exceeded'
  | 'echo-reply';

/** ICMP types of the `icmp-essentials` profile. */
export type IcmpType = 'echo-request' | 'destination-unreachable' | 'time-exceeded';

/** Which interface of a packet a match reads: the one it arrived on, or the one it leaves by. */
export type InterfaceSide = 'in' | 'out';

/** Where an address match looks: a named set of the table, or an anonymous set written inline. */
export type SetRef =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'inline'; readonly elements: readonly Range<bigint>[] };

/** One (protocol, port range) element of a `meta l4proto . th dport { ... }` match. */
export interface ProtoPort {
  readonly protocol: L4Protocol;
  readonly ports: Range<number>;
}

/** A condition of a rule; a rule applies when all its matches hold. */
export type Match =
  /** `ct state established,related` */
  | { readonly kind: 'ct-state'; readonly states: readonly CtState[] }
  /** `ct status dnat`: the connection's destination was rewritten (a Service hairpin). */
  | { readonly kind: 'ct-status-dnat' }
  /** `meta nfproto ipv4`: the packet is of this family (used when a peer set is a whole family). */
  | { readonly kind: 'nfproto'; readonly family: Family }
  /** `ip saddr @set` / `ip6 daddr { ... }` (implies the family). */
  | { readonly kind: 'address'; readonly family: Family; readonly field: AddressField; readonly set: SetRef }
  /** `meta l4proto tcp` / `meta l4proto { tcp, udp }`: every port of these protocols. */
  | { readonly kind: 'l4proto'; readonly protocols: readonly L4Protocol[] }
  /** `tcp dport { 80, 8080-8090 }` (implies the protocol). */
  | { readonly kind: 'dport'; readonly protocol: L4Protocol; readonly ports: readonly Range<number>[] }
  /** `meta l4proto . th dport { tcp . 80, udp . 53 }`: several protocols with ports, one lookup. */
  | { readonly kind: 'proto-port'; readonly elements: readonly ProtoPort[] }
  /** `ip daddr . meta l4proto . th dport @set`: a concatenated interval set lookup. */
  | { readonly kind: 'address-proto-port'; readonly family: Family; readonly field: AddressField; readonly set: string }
  /** `ip saddr . ip daddr @set`: the packet's (source, destination) pair is an element of the set. */
  | { readonly kind: 'address-pair'; readonly family: Family; readonly set: string }
  /** `icmp type { ... }` (implies IPv4 and ICMP) */
  | { readonly kind: 'icmp-type'; readonly types: readonly IcmpType[] }
  /** `icmpv6 type { ... }` (implies IPv6 and ICMPv6) */
  | { readonly kind: 'icmpv6-type'; readonly types: readonly Icmpv6Type[] }
  /**
   * `ip6 hoplimit 255`: neighbour discovery is sent with 255 and RFC 4861 receivers drop it
   * otherwise; a routed packet has lost at least one hop by forward.
   */
  | { readonly kind: 'hop-limit'; readonly value: number }
  /** `meta l4proto != ipv6-icmp`: any protocol but ICMPv6 (neighbour discovery among others). */
  | { readonly kind: 'not-icmpv6' }
  /**
   * `iifname "cali*"` / `oifname "cali*"`: the interface the packet came in on (`in`) or leaves
   * by (`out`); a trailing `*` matches every name with that prefix. The kernel leaves the input
   * interface unset in `output` and the output interface unset in `input`: there it never matches.
   */
  | { readonly kind: 'interface'; readonly side: InterfaceSide; readonly name: string }
  /**
   * `fib saddr . iif oif missing`: no route back to the source goes out by the interface the
   * packet came in on (reverse path filtering): a forged source address.
   */
  | { readonly kind: 'source-not-routed-back' };

/** A verdict that ends or redirects rule evaluation. */
export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string };

/** Rate units of `limit rate N/unit`. */
export type RateUnit = 'second' | 'minute' | 'hour' | 'day';

/** An action of a rule, run in order once every match holds. */
export type Statement =
  /** `counter` */
  | { readonly kind: 'counter' }
  /** `limit rate N/unit`: stops the rule (like a failed match) above the rate. */
  | { readonly kind: 'limit'; readonly rate: number; readonly unit: RateUnit }
  /** `log prefix "..."` (≤ 127 bytes, Linux commit 5ce6b04ce968). */
  | { readonly kind: 'log'; readonly prefix: string }
  /** `reject with tcp reset` (only after `meta l4proto tcp`) or `reject with icmpx type port-unreachable`. */
  | { readonly kind: 'reject'; readonly with: 'tcp-reset' | 'icmpx-port-unreachable' }
  /** `ip saddr vmap @map`: look the address up in a verdict map; a miss continues with the next rule. */
  | { readonly kind: 'vmap'; readonly family: Family; readonly field: AddressField; readonly map: string }
  | { readonly kind: 'verdict'; readonly verdict: Verdict };

/** One rule: matches, then statements, and an optional comment (≤ 128 bytes). */
export interface Rule {
  readonly matches: readonly Match[];
  readonly statements: readonly Statement[];
  readonly comment?: string;
}

/** Netfilter hooks of the base chains netpolc installs. */
export type Hook = 'prerouting' | 'forward' | 'input' | 'output';

/** A chain; base chains hook into netfilter at `priority filter` with `policy accept`. */
export interface Chain {
  readonly name: string;
  readonly hook?: Hook;
  readonly rules: readonly Rule[];
}

/** A named set of addresses of one family (`flags interval` when `interval`). */
export interface AddressSet {
  readonly kind: 'address';
  readonly name: string;
  readonly family: Family;
  readonly interval: boolean;
  readonly comment?: string;
  /** Sorted, disjoint, non-adjacent ranges (single addresses when not `interval`). */
  readonly elements: readonly Range<bigint>[];
}

/** One element of an `ipv4_addr . inet_proto . inet_service` interval set. */
export interface AddressProtoPort {
  readonly address: Range<bigint>;
  readonly protocol: L4Protocol;
  readonly ports: Range<number>;
}

/** A named concatenated set `ipvN_addr . inet_proto . inet_service` with `flags interval`. */
export interface ConcatSet {
  readonly kind: 'address-proto-port';
  readonly name: string;
  readonly family: Family;
  readonly comment?: string;
  /** Elements in a canonical order (address, protocol, ports). */
  readonly elements: readonly AddressProtoPort[];
}

/** A named set `ipvN_addr . ipvN_addr` of (source, destination) pairs of single addresses. */
export interface AddressPairSet {
  readonly kind: 'address-pair';
  readonly name: string;
  readonly family: Family;
  readonly comment?: string;
  /** `[source, destination]`, sorted by source, then destination. */
  readonly elements: readonly (readonly [bigint, bigint])[];
}

/** A named set of the table. */
export type NamedSet = AddressSet | ConcatSet | AddressPairSet;

/** A verdict map from single addresses to `jump`/`goto` a chain. */
export interface VerdictMap {
  readonly name: string;
  readonly family: Family;
  /** Sorted by address. */
  readonly elements: readonly { readonly address: bigint; readonly verdict: Extract<Verdict, { kind: 'jump' | 'goto' }> }[];
}

/** `table inet netpolc`: sets, maps and chains in printing order. */
export interface Table {
  readonly name: string;
  readonly sets: readonly NamedSet[];
  readonly maps: readonly VerdictMap[];
  readonly chains: readonly Chain[];
}

/** One node's ruleset: the table that loading the file installs in place of the previous one. */
export interface Ruleset {
  readonly node: string;
  readonly table: Table;
}

/** Name of the table netpolc owns; loading a file replaces this table and nothing else. */
export const tableName = 'netpolc';
