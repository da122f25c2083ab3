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
 * Sends each datagram from its pod as a raw frame addressed to the pod's gateway (the node side
 * of its veth), as a pod with CAP_NET_RAW can, and returns for each watched pod the markers that
 * reached its eth0: what the nodes' firewalls let through, whatever the pod's own kernel then
 * makes of the source.
 */
export function sendForged(topology: Topology, datagrams: readonly ForgedDatagram[], watch: readonly string[], timeoutMs = 700): string[][] {
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
  const answer = runPython('forge.py', { watch: watch.map((pod) => ({ ns: topology.podNamespace(pod) })), send, timeoutMs }) as { seen: string[][] };
  return answer.seen;
}

/**
 * The markers of `datagrams` (each watched by its pod `to`) that reached their pods, sorted: one
 * round of {@link sendForged}.
 */
export function forgedArrivals(topology: Topology, datagrams: readonly (ForgedDatagram & { readonly to: string })[]): string[] {
  const watched = [...new Set(datagrams.map((d) => d.to))];
  const seen = sendForged(topology, datagrams, watched);
  return datagrams.filter((d) => seen[watched.indexOf(d.to)]!.includes(d.marker)).map((d) => d.marker).sort();
}
