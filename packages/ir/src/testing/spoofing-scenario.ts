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
