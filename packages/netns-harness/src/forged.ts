import type { Topology } from './topology.js';
import { runPython } from './tools.js';

/** A UDP datagram a pod writes on its eth0 with any source address, marked to be found. */
export interface ForgedDatagram {
  /** The pod that sends it (`namespace/name`). */
  readonly from: string;
  readonly src: string;
  readonly dst: string;
  readonly port: number;
  /** Unique text of the payload, by which the watched pods report it. */
  readonly marker: string;
  /**
   * The frame's destination MAC: by default the pod's gateway (routed by its node); on a
   * bridged node, the MAC of a pod of that node sends the datagram across the bridge instead.
   */
  readonly dmac?: string;
}

/**
 * Where forged datagrams are looked for: a pod (`namespace/name`), on its eth0, or a UDP socket
 * bound to the wildcard address and `udp` port of a node's namespace. A packet socket sees what
 * arrives before netfilter, so only a socket shows what a node's firewall delivers to itself.
 */
export type ForgedWatch = string | { readonly node: string; readonly udp: number; readonly family: 4 | 6 };

/**
 * Sends each datagram from its pod as a raw frame addressed to the pod's gateway (the node side
 * of its veth), as a pod with CAP_NET_RAW can, and returns for each watch the markers that
 * reached it: for a pod, what the nodes' firewalls let through, whatever the pod's own kernel
 * then makes of the source; for a node's socket, what its kernel and firewall delivered.
 */
export function sendForged(topology: Topology, datagrams: readonly ForgedDatagram[], watch: readonly ForgedWatch[], timeoutMs = 700): string[][] {
  const gateway = new Map<string, string>();
  const macOf = (pod: string): string => {
    let mac = gateway.get(pod);
    if (mac === undefined) {
      const peer = topology.exec(topology.podNamespace(pod), ['cat', '/sys/class/net/eth0/iflink']).trim();
      const node = topology.spec.pods.find((p) => p.id === pod)!.node;
      const line = topology.exec(topology.nodeNamespace(node), ['ip', '-o', 'link']).split('\n').find((l) => l.startsWith(`${peer}: `));
      const found = line && /link\/ether ([0-9a-f:]{17})/.exec(line);
      if (!found) throw new Error(`no gateway interface for ${pod}`);
      mac = found[1]!;
      gateway.set(pod, mac);
    }
    return mac;
  };
  const send = datagrams.map((d) => ({ ns: topology.podNamespace(d.from), dmac: d.dmac ?? macOf(d.from), src: d.src, dst: d.dst, port: d.port, marker: d.marker }));
  const watches = watch.map((w) => (typeof w === 'string' ? { ns: topology.podNamespace(w) } : { ns: topology.nodeNamespace(w.node), udp: w.udp, family: w.family }));
  const answer = runPython('forge.py', { watch: watches, send, timeoutMs }) as { seen: string[][] };
  return answer.seen;
}

/**
 * The markers of `datagrams` (each watched at its `to`) that arrived there, sorted: one round of
 * {@link sendForged}.
 */
export function forgedArrivals(topology: Topology, datagrams: readonly (ForgedDatagram & { readonly to: ForgedWatch })[]): string[] {
  // Equal watches share one socket: two UDP sockets cannot bind the same port.
  const key = (w: ForgedWatch): string => (typeof w === 'string' ? w : `${w.node} udp/${w.udp} IPv${w.family}`);
  const watched = new Map(datagrams.map((d) => [key(d.to), d.to]));
  const keys = [...watched.keys()];
  const seen = sendForged(topology, datagrams, [...watched.values()]);
  return datagrams.filter((d) => seen[keys.indexOf(key(d.to))]!.includes(d.marker)).map((d) => d.marker).sort();
}

/**
 * The markers of `datagrams` that `node` itself received (addressed to one of its addresses, sent
 * by pods with {@link sendForged}), sorted: each is watched by a UDP socket of the node on its
 * port and family, which only what the node's kernel and firewall deliver reaches.
 */
export function forgedNodeArrivals(topology: Topology, node: string, datagrams: readonly ForgedDatagram[]): string[] {
  return forgedArrivals(topology, datagrams.map((d) => ({ ...d, to: { node, udp: d.port, family: d.dst.includes(':') ? 6 : 4 } as const })));
}
