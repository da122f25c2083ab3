// The network a connection crosses, for checking the backend's model against the reference
// evaluator: which nodes' FORWARD hooks see a connection, and what the node rulesets decide.
import { bindConnection, type Connection, type Diagnostic, type Program } from '@netpolc/ir';
import type { CtState, NodeRules, Ruleset } from '../../src/model.js';
import { setMap, validateRuleset, walk, type Packet, type Verdict } from './interpret.js';

/** The backend's decision for one connection, with the per-node walks behind it. */
export interface NetworkVerdict {
  readonly allowed: boolean;
  /** Nodes whose FORWARD hook sees the connection, with their verdicts. */
  readonly traversed: ReadonlyMap<string, Verdict>;
  /** LOG/NFLOG prefixes hit on the way. */
  readonly logs: readonly string[];
  /**
   * True when the source pod sends to an address of its own node: local delivery (INPUT), which
   * the FORWARD hook does not see.
   */
  readonly toOwnNode: boolean;
  /** Node of the source / destination pod, when it is a pod. */
  readonly srcNode: string | undefined;
  readonly dstNode: string | undefined;
}

/**
 * Decides a connection on the emitted rulesets. Routed topology (Calico-style): a packet from a
 * pod crosses its node's FORWARD unless it is addressed to that node itself; a packet to a pod
 * crosses the pod's node's FORWARD unless it comes from that node itself. A pod reaching itself is
 * modelled as hairpinned through its node. The connection is allowed iff every FORWARD it crosses
 * accepts it. Nodes it does not cross must leave it alone (CONTINUE) when neither end is local.
 */
export function networkVerdict(program: Program, nodes: readonly NodeRules[], conn: Connection, state: CtState = 'NEW'): NetworkVerdict | undefined {
  const bound = bindConnection(program, conn);
  if ('error' in bound) return undefined;
  const { src, dst } = bound;
  const family = src.ip.includes(':') ? 6 : 4;
  const packet: Packet = { src: src.ip, dst: dst.ip, protocol: conn.protocol === 'TCP' ? 'tcp' : conn.protocol === 'UDP' ? 'udp' : 'sctp', dport: conn.port, state };
  const srcNode = src.pod?.nodeName;
  const dstNode = dst.pod?.nodeName;
  const crossing = new Set<string>();
  const toOwnNode = srcNode !== undefined && dst.node === srcNode;
  if (srcNode !== undefined && !toOwnNode) crossing.add(srcNode);
  if (dstNode !== undefined && src.node !== dstNode) crossing.add(dstNode);
  const traversed = new Map<string, Verdict>();
  const logs: string[] = [];
  for (const n of nodes) {
    const rs: Ruleset | undefined = family === 4 ? n.v4 : n.v6;
    const local = srcNode === n.node || dstNode === n.node;
    if (!rs) {
      if (local && crossing.has(n.node)) throw new Error(`node ${n.node} has a local IPv${family} endpoint but no IPv${family} ruleset`);
      continue;
    }
    const sets = setMap(n.ipsets?.sets);
    const w = walk(rs, sets, packet);
    if (crossing.has(n.node)) {
      if (w.verdict === 'CONTINUE') throw new Error(`node ${n.node} left pod traffic ${src.ip} -> ${dst.ip} undecided`);
      traversed.set(n.node, w.verdict);
      logs.push(...w.logs);
    } else if (!local && w.verdict !== 'CONTINUE') {
      throw new Error(`node ${n.node} decided transit traffic ${src.ip} -> ${dst.ip}: ${w.verdict}`);
    }
  }
  return { allowed: [...traversed.values()].every((v) => v === 'ACCEPT'), traversed, logs, toOwnNode, srcNode, dstNode };
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
