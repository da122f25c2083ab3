// Forged source addresses for the host firewall kernel tests: a pod writing raw frames (which
// CAP_NET_RAW, a default container capability, allows) claims another pod, its node, or the
// victim itself on both sides. What reaches the victims says which the firewall stops.
import type { Manifest } from './builders.js';
import { namespace, networkPolicy, node, pod } from './builders.js';

/** The scenario's nodes and pods, by id, with (IPv4, IPv6) addresses. */
export const spoofingNodes = { 'node-1': ['198.19.0.1', '2001:db8:ff::1'], 'node-2': ['198.19.0.2', '2001:db8:ff::2'] } as const;
export const spoofingPods = {
  'x/attacker': ['198.18.0.10', '2001:db8::10'],
  'y/friend': ['198.18.0.20', '2001:db8::20'],
  'z/victim': ['198.18.0.30', '2001:db8::30'],
  'y/closed': ['198.18.0.40', '2001:db8::40'],
} as const;
export const spoofingPort = 9099;

/** x/attacker may send nothing; z/victim hears y/friend only (UDP); y/closed hears no one. */
export function spoofingObjects(): Manifest[] {
  const placed: Record<keyof typeof spoofingPods, string> = { 'x/attacker': 'node-1', 'y/friend': 'node-2', 'z/victim': 'node-2', 'y/closed': 'node-1' };
  return [
    ...Object.entries(spoofingNodes).map(([name, ips]) => node(name, [...ips])),
    ...['x', 'y', 'z'].map((n) => namespace(n)),
    ...Object.entries(spoofingPods).map(([id, ips]) => {
      const [ns, name] = id.split('/') as [string, string];
      return pod(ns, name, { app: name }, [...ips], { node: placed[id as keyof typeof spoofingPods] });
    }),
    networkPolicy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    networkPolicy('z', 'friend-only', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { app: 'friend' } } }], ports: [{ protocol: 'UDP', port: spoofingPort }] }],
    }),
    networkPolicy('y', 'closed', { podSelector: { matchLabels: { app: 'closed' } }, policyTypes: ['Ingress'] }),
  ];
}

/** One datagram: who sends it, the addresses it carries, which pod watches for it, its marker. */
export interface SpoofingDatagram {
  readonly from: string;
  readonly src: string;
  readonly dst: string;
  readonly port: number;
  readonly to: string;
  readonly marker: string;
}

/**
 * Each datagram in both families: y/friend's own (legitimate), and x/attacker's as y/friend, as
 * z/victim on both sides, and as node-1 to y/closed. Markers are `v4-legit`, `v6-as-node`, ...
 */
export function spoofingDatagrams(): SpoofingDatagram[] {
  return ([0, 1] as const).flatMap((family) => {
    const a = (id: keyof typeof spoofingPods): string => spoofingPods[id][family];
    return [
      { kind: 'legit', from: 'y/friend', src: a('y/friend'), dst: a('z/victim'), to: 'z/victim' },
      { kind: 'as-friend', from: 'x/attacker', src: a('y/friend'), dst: a('z/victim'), to: 'z/victim' },
      { kind: 'as-victim', from: 'x/attacker', src: a('z/victim'), dst: a('z/victim'), to: 'z/victim' },
      { kind: 'as-node', from: 'x/attacker', src: spoofingNodes['node-1'][family], dst: a('y/closed'), to: 'y/closed' },
    ].map(({ kind, ...d }) => ({ ...d, port: spoofingPort, marker: `v${family === 0 ? 4 : 6}-${kind}` }));
  });
}

/** Where a datagram to a node is watched: a UDP socket on the wildcard address of that node. */
export interface NodeSocket {
  readonly node: string;
  readonly udp: number;
  readonly family: 4 | 6;
}

/**
 * Datagrams from the unspecified address (0.0.0.0, ::) to x/attacker's own node, node-1, each
 * watched by a UDP socket there. x/attacker may send nothing, but a node judges egress by the
 * source address, and no pod has the unspecified one. Markers:
 * - `v4-unspecified`: to 255.255.255.255, the only destination but 0.0.0.0 the kernel takes
 *   that source for; `v4-unspecified-unicast`: to the node's pod-facing 169.254.1.1 (the
 *   harness's pod gateway), which the kernel drops as a martian source whatever the firewall.
 * - `v4-dhcp`: a DHCP request (to port 67 by broadcast), the unspecified source's one use.
 * - `v6-unspecified`, `v6-unspecified-multicast`: to the node's pod-facing fe80::1 (the
 *   harness's IPv6 gateway) and to all-nodes ff02::1; IPv6 has no martian check for it.
 * - `v4-own`, `v6-own`: the same from x/attacker's own address, which its policy drops.
 */
export function unspecifiedDatagrams(): (Omit<SpoofingDatagram, 'to'> & { readonly to: NodeSocket })[] {
  const [own4, own6] = spoofingPods['x/attacker'];
  const at = (udp: number, family: 4 | 6): NodeSocket => ({ node: 'node-1', udp, family });
  const datagram = (marker: string, src: string, dst: string, port = spoofingPort) => ({ from: 'x/attacker', src, dst, port, marker, to: at(port, src.includes(':') ? 6 : 4) });
  return [
    datagram('v4-unspecified', '0.0.0.0', '255.255.255.255'),
    datagram('v4-unspecified-unicast', '0.0.0.0', '169.254.1.1'),
    datagram('v4-dhcp', '0.0.0.0', '255.255.255.255', 67),
    datagram('v4-own', own4, '255.255.255.255'),
    datagram('v6-unspecified', '::', 'fe80::1'),
    datagram('v6-unspecified-multicast', '::', 'ff02::1'),
    datagram('v6-own', own6, 'fe80::1'),
  ];
}
