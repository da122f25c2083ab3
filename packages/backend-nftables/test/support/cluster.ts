// Where a connection's first packet meets netfilter on each node, and what every node's
// ruleset decides. Routed pods (Calico style): traffic between two pods, or between a pod and
// anything else, crosses the FORWARD hook of the pod's node; a connection to an address of the
// node itself ends in its INPUT hook; the node's own connections start in its OUTPUT hook. A
// pod reaching its own address never leaves its network namespace. Some topologies put the
// node's host stack behind the node's router (a separate namespace, as a test harness may): then
// node-originated and node-bound traffic crosses FORWARD too (`hostBehindForward`).
import { bindConnection, parseIp, type Connection, type Program } from '@netpolc/ir';
import type { Hook, Ruleset } from '../../src/model.js';
import { runHook, type Outcome, type Packet } from './interpret.js';

/** The decision of every node for one connection. */
export interface ClusterOutcome {
  /** True when every node lets the first packet through. */
  readonly allowed: boolean;
  /** True when the source and destination are one pod. */
  readonly self: boolean;
  /** Nodes that check this connection (the source pod's and the destination pod's). */
  readonly involved: readonly string[];
  /** Per node: hook and outcome. */
  readonly nodes: ReadonlyMap<string, { readonly hook: Hook; readonly outcome: Outcome }>;
}

const l4 = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' } as const;

/** The node-side interface of a local pod, Calico-style (`--pod-interface 'cali*'` names it). */
export const podInterface = 'cali0123456789a';
/** The node's interface towards everything that is not one of its pods. */
export const uplinkInterface = 'eth0';

/** Runs the first packet of `conn` through each node's ruleset; undefined when it cannot be bound. */
export function clusterDecision(
  program: Program,
  rulesets: ReadonlyMap<string, Ruleset>,
  conn: Connection,
  { limitPasses = true, hostBehindForward = false, hairpin = false }: { readonly limitPasses?: boolean; readonly hostBehindForward?: boolean; readonly hairpin?: boolean } = {},
): ClusterOutcome | undefined {
  const bound = bindConnection(program, conn);
  if ('error' in bound) return undefined;
  const { src, dst } = bound;
  const s = parseIp(src.ip)!;
  const d = parseIp(dst.ip)!;
  const involved = new Set<string>();
  const self = src.pod !== undefined && src.pod === dst.pod;
  if (!self || hairpin) {
    if (src.pod?.nodeName !== undefined) involved.add(src.pod.nodeName);
    if (dst.pod?.nodeName !== undefined) involved.add(dst.pod.nodeName);
  }
  // An ICMP connection is an echo request, without a port.
  const packet: Packet =
    conn.protocol === 'ICMP'
      ? { family: s.family, saddr: s.value, daddr: d.value, dport: 0, ct: 'new', ...(s.family === 4 ? { l4: 'icmp', icmpType: 'echo-request' } : { l4: 'icmpv6', icmpv6Type: 'echo-request' }) }
      : { family: s.family, saddr: s.value, daddr: d.value, l4: l4[conn.protocol], dport: conn.port, ct: 'new' };
  const nodes = new Map<string, { hook: Hook; outcome: Outcome }>();
  let allowed = true;
  for (const [name, ruleset] of rulesets) {
    if (self && !(hairpin && involved.has(name))) continue;
    const own = new Set(program.inventory.nodes.find((n) => n.name === name)?.addresses.map((a) => a.ip) ?? []);
    const hook: Hook = hostBehindForward || self ? 'forward' : own.has(src.ip) ? 'output' : own.has(dst.ip) ? 'input' : 'forward';
    // A local pod's packets come in (or go out) on its own interface, anything else on the
    // uplink; the kernel has no input interface in output and no output interface in input.
    const iif = hook === 'output' ? undefined : src.pod?.nodeName === name ? podInterface : uplinkInterface;
    const oif = hook === 'input' ? undefined : dst.pod?.nodeName === name ? podInterface : uplinkInterface;
    // A pod's connection to itself crosses a node only hairpinned through a Service: DNATed.
    const incoming: Packet = { ...packet, ...(self ? { dnat: true } : {}), ...(iif !== undefined ? { iif } : {}) };
    const arriving: Packet = oif !== undefined ? { ...incoming, oif } : incoming;
    // What arrives passes prerouting first (anti-spoofing), its output interface not known yet.
    const pre = hook === 'output' ? undefined : runHook(ruleset.table, 'prerouting', incoming, { limitPasses });
    const outcome = pre !== undefined && pre.verdict !== 'accept' ? pre : runHook(ruleset.table, hook, arriving, { limitPasses });
    nodes.set(name, { hook, outcome });
    if (outcome.verdict !== 'accept') allowed = false;
  }
  return { allowed, self, involved: [...involved].sort(), nodes };
}
