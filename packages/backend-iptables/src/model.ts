// The typed model of what the iptables backend emits: one `filter` table ruleset per node and
// address family (an `iptables-restore` file) and the ipsets it references (an `ipset restore`
// file). Lowering builds it, the printers turn it into text, and the test interpreter walks it.

/** Address family of a ruleset or set. */
export type Family = 4 | 6;

/**
 * Protocols a rule can match with `-p`: the transports, and ICMP for neighbour discovery in INPUT
 * and the `icmp-essentials` profile.
 */
export type L4Protocol = 'tcp' | 'udp' | 'sctp' | 'icmp' | 'ipv6-icmp';

/**
 * Connection tracking states (`-m conntrack --ctstate`); `DNAT` is the "virtual state" of a
 * connection whose destination was rewritten (a Service hairpin).
 */
export type CtState = 'INVALID' | 'NEW' | 'RELATED' | 'ESTABLISHED' | 'DNAT';

/** An inclusive destination port range; `from === to` for a single port. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Which address of the packet a match looks at. */
export type Side = 'src' | 'dst';

/** A match extension of a rule, printed in order after `-s`/`-d`/`-p`. */
export type Match =
  /** `-m conntrack --ctstate A,B`, or `-m conntrack ! --ctstate A,B` when negated. */
  | { readonly kind: 'conntrack'; readonly states: readonly CtState[]; readonly negated?: true }
  /** `-m set --match-set NAME src|dst` */
  | { readonly kind: 'set'; readonly set: string; readonly side: Side }
  /** `-m iprange --src-range A-B` / `--dst-range A-B` (canonical addresses). */
  | { readonly kind: 'iprange'; readonly side: Side; readonly from: string; readonly to: string }
  /**
   * Destination ports of the rule's protocol: one range prints as `-m tcp --dport A[:B]`, several
   * as `-m multiport --dports ...` (at most 15 ports, a range counting two).
   */
  | { readonly kind: 'ports'; readonly ports: readonly PortRange[] }
  /** `-m icmp --icmp-type N` (with `-p icmp`; numeric, as iptables-save prints it). */
  | { readonly kind: 'icmp'; readonly type: number }
  /** `-m icmp6 --icmpv6-type N` (with `-p ipv6-icmp`; numeric, as ip6tables-save prints it). */
  | { readonly kind: 'icmp6'; readonly type: number }
  /**
   * `-m hl --hl-eq N`: the IPv6 hop limit. Neighbour discovery is sent with 255 and RFC 4861
   * receivers drop it otherwise; a routed packet has lost at least one hop by FORWARD.
   */
  | { readonly kind: 'hop-limit'; readonly value: number }
  /** `-m limit --limit RATE` (rate in iptables-save spelling, e.g. `10/sec`). */
  | { readonly kind: 'limit'; readonly rate: string }
  /** `-m comment --comment "TEXT"` */
  | { readonly kind: 'comment'; readonly text: string }
  /**
   * `-m rpfilter --invert`: no route back to the source goes out by the interface the packet came
   * in on (a forged source). The kernel takes it in the raw and mangle tables' PREROUTING only.
   */
  | { readonly kind: 'rpfilter-fails' };

/** How a REJECT answers. */
export type RejectWith = 'tcp-reset' | 'icmp-port-unreachable' | 'icmp6-port-unreachable';

/** What a rule does when it matches. */
export type Target =
  | { readonly kind: 'ACCEPT' }
  | { readonly kind: 'DROP' }
  | { readonly kind: 'RETURN' }
  | { readonly kind: 'REJECT'; readonly with: RejectWith }
  /** `-j CHAIN`: call, come back after it on RETURN. */
  | { readonly kind: 'jump'; readonly chain: string }
  /** `-g CHAIN`: continue there; its RETURN goes back to whoever `-j`-called this chain. */
  | { readonly kind: 'goto'; readonly chain: string }
  /** `-j LOG` (non-terminating). */
  | { readonly kind: 'LOG'; readonly prefix: string; readonly level: number }
  /** `-j NFLOG` (non-terminating). */
  | { readonly kind: 'NFLOG'; readonly prefix: string; readonly group: number };

/** One rule: `[-s CIDR] [-d CIDR] [-i IFACE] [[!] -p PROTO] MATCHES... -j|-g TARGET`. */
export interface Rule {
  /** Canonical CIDR (`198.18.0.10/32`). */
  readonly source?: string;
  readonly destination?: string;
  /**
   * Incoming interface (`-i`), in iptables spelling: a trailing `+` matches every name with that
   * prefix. Only the link-local rule of `--pod-interface` matches interfaces; pods are matched by
   * address.
   */
  readonly inInterface?: string;
  readonly protocol?: L4Protocol;
  /** `! -p PROTO`: every protocol but this one (never together with `protocol`). */
  readonly exceptProtocol?: L4Protocol;
  readonly matches: readonly Match[];
  readonly target: Target;
}

/** A user-defined chain, owned by netpolc (its name has the fixed prefix). */
export interface Chain {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/**
 * Built-in chains netpolc hooks: routed pod traffic, and traffic addressed to the node itself
 * (filter table); what arrives, before routing (raw table, `--pod-interface` only).
 */
export type BuiltinChain = 'FORWARD' | 'INPUT' | 'PREROUTING';

/** A rule placed into a built-in chain (`-I FORWARD 1 ...`): the hook into netpolc's chains. */
export interface Hook {
  readonly chain: BuiltinChain;
  /** 1-based insert position. */
  readonly position: number;
  readonly rule: Rule;
}

/** The `filter` table content of one node for one family: an `iptables-restore` file. */
export interface Ruleset {
  readonly node: string;
  readonly family: Family;
  /** Chains in file order. */
  readonly chains: readonly Chain[];
  readonly hooks: readonly Hook[];
  /** The `raw` table, before `filter` in the file: reverse path filtering of pod interfaces (`--pod-interface`). */
  readonly raw?: RawTable;
}

/** netpolc's chain in the `raw` table and its hook into PREROUTING. */
export interface RawTable {
  readonly chains: readonly Chain[];
  readonly hooks: readonly Hook[];
}

/** An ipset (`hash:net`); its name is derived from its family and members. */
export interface IpSet {
  readonly name: string;
  readonly family: Family;
  readonly type: 'hash:net';
  readonly hashsize: number;
  readonly maxelem: number;
  /** Canonical members in address order: a bare address for a host, else a CIDR. */
  readonly members: readonly string[];
}

/** The sets one node references, both families: an `ipset restore` file. */
export interface IpSetFile {
  readonly node: string;
  /** Sorted by name. */
  readonly sets: readonly IpSet[];
}

/** Everything emitted for one node. */
export interface NodeRules {
  readonly node: string;
  readonly v4: Ruleset;
  /** Present when the node has pods with IPv6 addresses, and on every node with `--pod-interface`. */
  readonly v6: Ruleset | undefined;
  /** Present when the rules reference ipsets. */
  readonly ipsets: IpSetFile | undefined;
}
