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

/**
 * The markers of `datagrams` that a node's own stack accepted (addressed to one of its
 * addresses, sent by pods with {@link sendForged}), sorted: counted by a chain of a scratch
 * table on the input hook at a priority after every filter chain, so a datagram counts only
 * if the firewall under test let it through. Datagrams are told apart by their (source,
 * destination) pair, which must be unique.
 */
export function forgedNodeArrivals(topology: Topology, node: string, datagrams: readonly ForgedDatagram[]): string[] {
  const key = (d: ForgedDatagram): string => `${d.src} ${d.dst}`;
  if (new Set(datagrams.map(key)).size !== datagrams.length) throw new Error('forgedNodeArrivals: two datagrams share source and destination');
  const ns = topology.nodeNamespace(node);
  const rules = datagrams.map((d) => {
    const family = d.dst.includes(':') ? 'ip6' : 'ip';
    return `\t\t${family} saddr ${d.src} ${family} daddr ${d.dst} udp dport ${d.port} counter comment "${d.marker}"\n`;
  });
  topology.exec(ns, ['nft', '-f', '-'], `table inet netns_harness_watch {\n\tchain input {\n\t\ttype filter hook input priority 1000; policy accept;\n${rules.join('')}\t}\n}\n`);
  try {
    sendForged(topology, datagrams, [], 300);
    const listed = JSON.parse(topology.exec(ns, ['nft', '-j', 'list', 'table', 'inet', 'netns_harness_watch'])) as { nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[] };
    return listed.nftables
      .flatMap((o) => (o.rule?.comment !== undefined && o.rule.expr.some((e) => (e.counter?.packets ?? 0) > 0) ? [o.rule.comment] : []))
      .sort();
  } finally {
    topology.exec(ns, ['nft', 'delete', 'table', 'inet', 'netns_harness_watch']);
  }
}
