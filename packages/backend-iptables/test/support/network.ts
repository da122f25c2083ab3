// The network a connection crosses, for checking the backend's model against the reference
// evaluator: which nodes' FORWARD and INPUT hooks see a connection, and what the node rulesets
// decide.
import { bindConnection, type Connection, type Diagnostic, type Program } from '@netpolc/ir';
import type { BuiltinChain, CtState, NodeRules, Ruleset } from '../../src/model.js';
import { setMap, validateRuleset, walk, type Packet, type Verdict } from './interpret.js';

/** One hook of one node that a connection's first packet crosses, and what it decided. */
export interface Traversal {
  readonly node: string;
  readonly hook: BuiltinChain;
  readonly verdict: Verdict;
  /** FORWARD must decide pod traffic (ACCEPT); INPUT lets allowed traffic fall back to the host (CONTINUE). */
  readonly passed: boolean;
}

/** The backend's decision for one connection, with the per-node walks behind it. */
export interface NetworkVerdict {
  readonly allowed: boolean;
  /** Hooks that see the connection, with their verdicts. */
  readonly traversed: readonly Traversal[];
  /** LOG/NFLOG prefixes hit on the way. */
  readonly logs: readonly string[];
  /** Node of the source / destination pod, when it is a pod. */
  readonly srcNode: string | undefined;
  readonly dstNode: string | undefined;
}

/**
 * Decides a connection on the emitted rulesets. Routed topology (Calico-style, as the netns
 * harness builds it):
 *
 * - a packet from a pod crosses its node's FORWARD, unless it is addressed to that node itself;
 * - a packet to a pod crosses the pod's node's FORWARD, unless it comes from that node itself
 *   (then it leaves through OUTPUT, which netpolc does not hook);
 * - a packet to an address of a node enters that node's INPUT;
 * - a pod reaching itself is modelled as hairpinned through its node.
 *
 * The connection is allowed iff every FORWARD it crosses accepts it and no INPUT drops or rejects
 * it. Invariants checked on the way: FORWARD decides every packet from or to a local pod; INPUT
 * never accepts (allowed traffic falls back to the host) and leaves packets not from a local pod
 * alone; FORWARD of a node that no endpoint lives on leaves the packet alone.
 */
export function networkVerdict(program: Program, nodes: readonly NodeRules[], conn: Connection, state: CtState = 'NEW'): NetworkVerdict | undefined {
  const bound = bindConnection(program, conn);
  if ('error' in bound) return undefined;
  const { src, dst } = bound;
  const family = src.ip.includes(':') ? 6 : 4;
  // An ICMP connection is an echo request (type 8, or 128 for ICMPv6), without a port.
  let packet: Packet =
    conn.protocol === 'ICMP'
      ? { src: src.ip, dst: dst.ip, protocol: family === 4 ? 'icmp' : 'ipv6-icmp', icmpType: family === 4 ? 8 : 128, state }
      : { src: src.ip, dst: dst.ip, protocol: conn.protocol === 'TCP' ? 'tcp' : conn.protocol === 'UDP' ? 'udp' : 'sctp', dport: conn.port, state };
  // A pod's connection to itself crosses the node only hairpinned through a Service: DNATed.
  if (src.pod !== undefined && src.pod === dst.pod) packet = { ...packet, dnat: true };
  const srcNode = src.pod?.nodeName;
  const dstNode = dst.pod?.nodeName;
  const forwarding = new Set<string>();
  if (srcNode !== undefined && dst.node !== srcNode) forwarding.add(srcNode);
  if (dstNode !== undefined && src.node !== dstNode) forwarding.add(dstNode);
  const traversed: Traversal[] = [];
  const logs: string[] = [];
  for (const n of nodes) {
    const rs: Ruleset | undefined = family === 4 ? n.v4 : n.v6;
    const local = srcNode === n.node || dstNode === n.node;
    if (!rs) {
      if (local && (forwarding.has(n.node) || dst.node === n.node)) throw new Error(`node ${n.node} has a local IPv${family} endpoint but no IPv${family} ruleset`);
      continue;
    }
    const sets = setMap(n.ipsets?.sets);
    // A pod's packet arrives on its interface at its own node (named as Calico names them, so
    // `--pod-interface cali*` rules see it) and on the uplink elsewhere.
    const arriving: Packet = { ...packet, inInterface: srcNode === n.node ? 'cali0123456789a' : 'eth0' };
    // What arrives passes the raw table's PREROUTING first (--pod-interface: reverse path filter).
    if (forwarding.has(n.node) || dst.node === n.node) {
      const pre = walk(rs, sets, arriving, 'PREROUTING');
      if (pre.verdict !== 'CONTINUE') {
        traversed.push({ node: n.node, hook: 'PREROUTING', verdict: pre.verdict, passed: false });
        continue;
      }
    }
    const w = walk(rs, sets, arriving, 'FORWARD');
    if (forwarding.has(n.node)) {
      if (w.verdict === 'CONTINUE') throw new Error(`node ${n.node} left pod traffic ${src.ip} -> ${dst.ip} undecided`);
      traversed.push({ node: n.node, hook: 'FORWARD', verdict: w.verdict, passed: w.verdict === 'ACCEPT' });
      logs.push(...w.logs);
    } else if (!local && w.verdict !== 'CONTINUE') {
      throw new Error(`node ${n.node} decided transit traffic ${src.ip} -> ${dst.ip}: ${w.verdict}`);
    }
    // Only the destination node's INPUT sees the packet; walking every node's INPUT also checks
    // that packets not from a local pod are left alone wherever they would arrive.
    const input = walk(rs, sets, arriving, 'INPUT');
    if (input.verdict === 'ACCEPT') throw new Error(`INPUT of ${n.node} accepted ${src.ip} -> ${dst.ip}`);
    if (srcNode !== n.node && input.verdict !== 'CONTINUE') throw new Error(`INPUT of ${n.node} decided ${src.ip} -> ${dst.ip}, which is not from a local pod: ${input.verdict}`);
    if (dst.node === n.node) {
      traversed.push({ node: n.node, hook: 'INPUT', verdict: input.verdict, passed: input.verdict === 'CONTINUE' });
      logs.push(...input.logs);
    }
  }
  return { allowed: traversed.every((t) => t.passed), traversed, logs, srcNode, dstNode };
}

/** Validates every ruleset of the output against kernel limits and netpolc's invariants. */
export function validateAll(nodes: readonly NodeRules[]): void {
  for (const n of nodes) {
    const sets = setMap(n.ipsets?.sets);
    validateRuleset(n.v4, sets);
    if (n.v6) validateRuleset(n.v6, sets);
  }
}

/** Codes of a diagnostic list. */
export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}
