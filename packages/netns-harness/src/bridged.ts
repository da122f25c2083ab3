import type { Probe } from './probe.js';
import type { PodSpec, TopologySpec } from './spec.js';
import type { Topology } from './topology.js';

/** What {@link bridgedPairs} found. */
export interface BridgedPairs {
  /** Ordered (pod, peer, family) triples of one node found bridged. */
  readonly bridged: number;
  /** Each triple that is not: a gateway route, or no resolved neighbour entry with the peer's MAC. */
  readonly problems: readonly string[];
}

// Entries that hold a MAC the kernel learnt from an answer (INCOMPLETE and FAILED hold none).
const resolved = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT']);

interface Neighbour {
  readonly dst: string;
  readonly lladdr?: string;
  readonly state?: readonly string[];
}

interface Route {
  readonly dst: string;
  readonly dev?: string;
  readonly gateway?: string;
}

/**
 * Whether the pods of each node of a bridged topology really reach each other at layer 2:
 * for every ordered pair of pods of one node and each family both have, the source has an
 * on-link route to the peer (no gateway) and a resolved neighbour entry holding the peer's
 * eth0 MAC. Call it after traffic between them (neighbours are learnt, not planted). A routed
 * topology yields only problems. `only` narrows the triples looked at.
 */
export function bridgedPairs(topology: Topology, only: (pod: string, peer: string, address: string) => boolean = () => true): BridgedPairs {
  const pods = topology.spec.pods;
  const seen = new Map(
    pods.map((pod) => {
      const [mac, neigh, routes4, routes6] = topology
        .exec(topology.podNamespace(pod.id), ['sh', '-c', 'cat /sys/class/net/eth0/address; ip -j neigh show dev eth0; ip -j -4 route show; ip -j -6 route show'])
        .split('\n');
      const parse = <T>(text: string | undefined): T[] => (text ? (JSON.parse(text) as T[]) : []);
      return [pod.id, { mac: mac!.trim(), neighbours: parse<Neighbour>(neigh), routes: [...parse<Route>(routes4), ...parse<Route>(routes6)] }] as const;
    }),
  );
  let bridged = 0;
  const problems: string[] = [];
  for (const pod of pods) {
    const own = seen.get(pod.id)!;
    for (const peer of pods) {
      if (peer === pod || peer.node !== pod.node) continue;
      const peerMac = seen.get(peer.id)!.mac;
      for (const address of peer.addresses) {
        if (!pod.addresses.some((a) => a.includes(':') === address.includes(':')) || !only(pod.id, peer.id, address)) continue;
        const route = own.routes.find((r) => r.dst === address);
        const entry = own.neighbours.find((n) => n.dst === address);
        const label = `${pod.id} -> ${peer.id} ${address}`;
        if (route === undefined || route.gateway !== undefined || route.dev !== 'eth0') {
          problems.push(`${label}: no on-link route (${JSON.stringify(route ?? null)})`);
        } else if (entry?.lladdr !== peerMac || !(entry.state ?? []).some((s) => resolved.has(s))) {
          problems.push(`${label}: neighbour entry ${JSON.stringify(entry ?? null)}, expected ${peerMac}`);
        } else {
          bridged++;
        }
      }
    }
  }
  return { bridged, problems };
}

/** The pod of a spec that has `address`. */
export function podAt(spec: TopologySpec, address: string): PodSpec | undefined {
  return spec.pods.find((p) => p.addresses.includes(address));
}

/** Whether a probe goes between two pods of one node: on a bridged node, one bridged at layer 2. */
export function sameNodePair(spec: TopologySpec, probe: Probe): boolean {
  const from = 'pod' in probe.from ? spec.pods.find((q) => q.id === (probe.from as { pod: string }).pod) : undefined;
  const to = podAt(spec, probe.to);
  return from !== undefined && to !== undefined && from !== to && from.node === to.node;
}

/** Sets reverse path filtering on every node (the kernel takes the larger of `all` and the interface's value). */
export function setRpFilter(topology: Topology, value: 0 | 1): void {
  for (const n of topology.spec.nodes) topology.exec(topology.nodeNamespace(n.name), ['sysctl', '-qw', `net.ipv4.conf.all.rp_filter=${value}`]);
}

/**
 * Forged datagrams as `sendForged` takes them: one marked `bridged` is addressed to the MAC
 * of its watched pod `to` (a pod of the sender's node), so it crosses the bridge instead of
 * being routed by the gateway.
 */
export function acrossBridge<T extends { readonly to: string; readonly bridged: boolean }>(topology: Topology, datagrams: readonly T[]): (Omit<T, 'bridged'> & { readonly dmac?: string })[] {
  const mac = (pod: string): string => topology.exec(topology.podNamespace(pod), ['cat', '/sys/class/net/eth0/address']).trim();
  return datagrams.map(({ bridged, ...d }) => ({ ...d, ...(bridged ? { dmac: mac(d.to) } : {}) }));
}
