import type { Family, RawTable, Rule } from './model.js';
import { chains, hookComment } from './names.js';
import type { IptablesOptions } from './options.js';
import { comment } from './lower.js';

/**
 * Pods are known by their source addresses, so a pod that writes another's (a raw socket needs
 * only CAP_NET_RAW, which containers have by default) is judged as that pod, or as the node: an
 * audit's forged datagrams reached pods the policies close to the sender, in IPv6 whatever
 * `rp_filter` says. With `--pod-interface`, what comes in on a pod interface from an address not
 * routed back by that interface is dropped (reverse path filtering, as Calico does for its
 * workload interfaces), which holds for pods created since the compile too. `rpfilter` is a raw
 * (or mangle) PREROUTING match only: the raw table gets a chain and a hook of its own. ICMPv6 is
 * left alone: neighbour discovery and duplicate address detection send from the unspecified and
 * link-local addresses.
 */
export function antiSpoofingTable(options: IptablesOptions, family: Family): RawTable | undefined {
  if (options.podInterfaces.length === 0) return undefined;
  return {
    chains: [
      {
        name: chains.prerouting,
        rules: options.podInterfaces.flatMap((name): Rule[] => {
          const except = family === 6 ? { exceptProtocol: 'ipv6-icmp' as const } : {};
          const drop = { kind: 'DROP' } as const;
          // rpfilter lets the unspecified source through, which reached the node's and the
          // bridge's UDP listeners by broadcast from a pod isolated for egress. A DHCP request
          // (to port 67) is its one use: it passes, for CNIs whose pods take a lease (bridge
          // with dhcp IPAM).
          const unspecified = family === 4 ? '0.0.0.0/32' : '::/128';
          const dhcp: Rule[] = family === 4 ? [{ inInterface: name, source: unspecified, protocol: 'udp', matches: [{ kind: 'ports', ports: [{ from: 67, to: 67 }] }, comment('a DHCP request')], target: { kind: 'RETURN' } }] : [];
          return [
            ...dhcp,
            { inInterface: name, source: unspecified, ...except, matches: [comment('no pod sends from the unspecified address')], target: drop },
            { inInterface: name, ...except, matches: [{ kind: 'rpfilter-fails' }, comment('a pod sends from its own addresses only')], target: drop },
          ];
        }),
      },
    ],
    hooks: [{ chain: 'PREROUTING', position: 1, rule: { matches: [comment(hookComment)], target: { kind: 'jump', chain: chains.prerouting } } }],
  };
}
