// What both host firewall backends (iptables, nftables) do on their own, before any policy,
// described once so that the two cannot drift: a docs review found they had (router
// advertisements taken from pods by one only, a hop limit check in one only).

/**
 * ICMPv6 neighbour discovery (RFC 4861): router solicitation (133), router advertisement (134),
 * neighbour solicitation (135) and advertisement (136). It is not tracked by conntrack and goes to
 * the node's own multicast addresses, so without it an egress-isolated pod loses IPv6 to its
 * gateway (cloudnativelabs/kube-router#1895), and on a bridge with br_netfilter it crosses
 * forwarding between pods (a review found neighbour entries stuck INCOMPLETE).
 */
export const neighbourDiscovery = Object.freeze({
  /** What pods send (forwarded, or to the node): no router advertisement, as a pod is no router. */
  fromPods: Object.freeze([133, 135, 136]),
  /** What the node sends its pods, router advertisements included. */
  fromNode: Object.freeze([133, 134, 135, 136]),
  /**
   * The hop limit neighbour discovery is sent with and RFC 4861 receivers require; no routed
   * packet keeps it. Without the check an isolated pod sent data in these types to any routed
   * destination (a review read it on a raw ICMPv6 socket).
   */
  hopLimit: 255,
});

/**
 * One check on what arrives on a pod interface (`--pod-interface`), in the order they run:
 * `dhcp-request` is from the unspecified address to UDP port {@link dhcpServerPort},
 * `unspecified-source` from the unspecified address, `not-routed-back` from an address the
 * interface does not route back (reverse path filtering, either family).
 */
export type AntiSpoofingCheck = (
  | { readonly match: 'dhcp-request'; readonly family: 4 }
  | { readonly match: 'unspecified-source'; readonly family: 4 | 6 }
  | { readonly match: 'not-routed-back'; readonly family?: undefined }
) & {
  readonly verdict: 'accept' | 'drop';
  /**
   * ICMPv6 passes: neighbour discovery and duplicate address detection send from the unspecified
   * and link-local addresses.
   */
  readonly exceptIcmpv6: boolean;
  readonly comment: string;
};

/** The DHCP server port a lease request goes to. */
export const dhcpServerPort = 67;

/**
 * What `--pod-interface` checks, in prerouting, before forwarding and input judge a packet. Pods are
 * known by their source addresses, so a pod that writes another's (a raw socket needs only
 * CAP_NET_RAW, which containers have by default) would be judged as that pod, or as the node: an
 * audit's forged datagrams reached pods the policies close to the sender, in IPv6 whatever
 * `rp_filter` says. So a packet that comes in on a pod interface must come from an address routed
 * back by that interface, as Calico requires of its workload interfaces; this holds for pods
 * created since the compile too. Reverse path filtering lets `0.0.0.0` to the limited broadcast
 * through (iptables' rpfilter and nftables' fib alike; the kernel drops it to any unicast address as
 * a martian), and rpfilter lets `::` through (fib finds no route back to it, so there the IPv6 check
 * only repeats its verdict): from them a pod isolated for egress reached the node's and the
 * bridge's UDP listeners. Both are dropped, but for a DHCP request, the unspecified source's one
 * use (the bridge plugin's dhcp IPAM). Measured by the backends' kernel-spoofing tests.
 */
export const antiSpoofingChecks: readonly AntiSpoofingCheck[] = Object.freeze([
  { match: 'dhcp-request', family: 4, verdict: 'accept', exceptIcmpv6: false, comment: 'a DHCP request' },
  { match: 'unspecified-source', family: 4, verdict: 'drop', exceptIcmpv6: false, comment: 'no pod sends from the unspecified address' },
  { match: 'unspecified-source', family: 6, verdict: 'drop', exceptIcmpv6: true, comment: 'no pod sends from the unspecified address' },
  { match: 'not-routed-back', verdict: 'drop', exceptIcmpv6: true, comment: 'a pod sends from its own addresses only' },
] as const);

/** A unit of a log rate limit (`--log-rate N/UNIT`). */
export type LogRateUnit = 'second' | 'minute' | 'hour' | 'day';

/** Every spelling of a unit the host firewalls take: nft's names and iptables' abbreviations. */
const logRateSpellings: Readonly<Record<string, LogRateUnit>> = Object.freeze({ s: 'second', sec: 'second', second: 'second', m: 'minute', min: 'minute', minute: 'minute', h: 'hour', hour: 'hour', d: 'day', day: 'day' });

/** The unit a `--log-rate` spelling names, or undefined. */
export function logRateUnit(spelling: string): LogRateUnit | undefined {
  return Object.hasOwn(logRateSpellings, spelling) ? logRateSpellings[spelling] : undefined;
}
