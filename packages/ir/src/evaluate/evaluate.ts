// The reference evaluator: the meaning of a policy set, written straight from the Kubernetes
// NetworkPolicy documentation and API comments (semantics.md §2). It is the oracle every
// backend and the resolver are tested against, so it deliberately shares no code with the
// resolver: it scans policies and matches labels and CIDRs directly, one connection at a time.
import ipaddr from 'ipaddr.js';
import type { Labels, Pod } from '../model/inventory.js';
import type { Direction, Peer, Policy, PortMatch, Rule } from '../model/policy.js';
import type { Program } from '../model/program.js';
import type { LabelSelector } from '../model/selector.js';
import { bindConnection, type BoundEndpoint, type Connection } from './connection.js';

/** A rule (and the peer and port entries in it) that allows one side of a connection. */
export interface RuleMatch {
  readonly policy: Policy;
  readonly rule: Rule;
  /** Index in `from`/`to`, or null when the rule has no peers (any peer). */
  readonly peer: number | null;
  /** Index in `ports`, or null when the rule has no ports (any port). */
  readonly port: number | null;
}

/** Why one side allows or denies. */
export type SideReason =
  | 'not-a-pod'
  | 'not-isolated'
  | 'self'
  | 'node-local'
  /** An ICMP echo request to or from an isolated pod that no rule admits, under the `icmp-essentials` profile (kube-router's common ICMP rules). */
  | 'icmp-essentials'
  | 'allowed-by-rule'
  | 'no-rule-allows';

/** The verdict of one side (egress of the source, ingress of the destination). */
export interface SideVerdict {
  readonly direction: Direction;
  readonly allowed: boolean;
  readonly reason: SideReason;
  /** Policies that select the pod and isolate it in this direction. */
  readonly isolatedBy: readonly Policy[];
  /** Every rule that allows this side (empty unless `reason` is `allowed-by-rule`). */
  readonly allowedBy: readonly RuleMatch[];
}

/** The verdict for a connection, with reasons. */
export interface Verdict {
  readonly allowed: boolean;
  readonly src: BoundEndpoint;
  readonly dst: BoundEndpoint;
  readonly egress: SideVerdict;
  readonly ingress: SideVerdict;
}

/** Evaluation failed because the connection cannot be bound to addresses. */
export interface EvaluationError {
  readonly error: string;
}

/**
 * Decides whether `conn` is allowed by the program's policies: both the source's egress and the
 * destination's ingress must allow it (semantics.md §2.4).
 */
export function evaluate(program: Program, conn: Connection): Verdict | EvaluationError {
  const bound = bindConnection(program, conn);
  if ('error' in bound) return bound;
  const { src, dst } = bound;
  const self = program.semantics.allowSelf && src.pod !== undefined && src.pod === dst.pod;
  const egress = side(program, 'egress', src.pod, dst, conn, self, false);
  // An address the destination's node lists is node-local, whichever other node lists it too.
  const dstNode = dst.pod?.nodeName;
  const nodeLocal =
    program.semantics.allowNodeLocalIngress && dstNode !== undefined && program.inventory.nodes.some((n) => n.name === dstNode && n.addresses.some((a) => a.ip === src.ip));
  const ingress = side(program, 'ingress', dst.pod, src, conn, self, nodeLocal);
  return { allowed: egress.allowed && ingress.allowed, src, dst, egress, ingress };
}

function side(
  program: Program,
  direction: Direction,
  pod: Pod | undefined,
  peer: BoundEndpoint,
  conn: Connection,
  self: boolean,
  nodeLocal: boolean,
): SideVerdict {
  if (!pod) return { direction, allowed: true, reason: 'not-a-pod', isolatedBy: [], allowedBy: [] };
  const isolatedBy = program.policies.filter(
    (p) => p.namespace === pod.namespace && selects(p.subject, pod.labels) && p[direction] !== null,
  );
  if (self) return { direction, allowed: true, reason: 'self', isolatedBy, allowedBy: [] };
  if (nodeLocal) return { direction, allowed: true, reason: 'node-local', isolatedBy, allowedBy: [] };
  if (isolatedBy.length === 0) return { direction, allowed: true, reason: 'not-isolated', isolatedBy, allowedBy: [] };
  // The destination pod is where named ports are looked up: the subject for ingress, the peer
  // for egress (semantics.md §2.3).
  const dstPod = direction === 'ingress' ? pod : peer.pod;
  const allowedBy: RuleMatch[] = [];
  for (const policy of isolatedBy) {
    for (const rule of policy[direction]!) {
      const peerIndex = matchingPeer(program, policy, rule, peer);
      if (peerIndex === undefined) continue;
      const portIndex = matchingPort(rule, conn, dstPod);
      if (portIndex === undefined) continue;
      allowedBy.push({ policy, rule, peer: peerIndex, port: portIndex });
    }
  }
  const allowed = allowedBy.length > 0;
  // The profile admits what no rule does (a rule that admits it is named instead).
  if (!allowed && conn.protocol === 'ICMP' && program.semantics.allowIcmpEssentials) return { direction, allowed: true, reason: 'icmp-essentials', isolatedBy, allowedBy };
  return { direction, allowed, reason: allowed ? 'allowed-by-rule' : 'no-rule-allows', isolatedBy, allowedBy };
}

/** Index of the first peer entry that matches, null for "any peer", undefined for none. */
function matchingPeer(program: Program, policy: Policy, rule: Rule, peer: BoundEndpoint): number | null | undefined {
  if (rule.peers === 'any') return null;
  const i = rule.peers.findIndex((p) => peerMatches(program, policy, p, peer));
  return i < 0 ? undefined : i;
}

function peerMatches(program: Program, policy: Policy, peer: Peer, ep: BoundEndpoint): boolean {
  if (peer.kind === 'ip-block') {
    if (ep.pod && !program.semantics.ipBlockMatchesPods) return false;
    // By address, as the resolution subtracts them: a hostNetwork pod on a node has its address.
    if (!program.semantics.ipBlockMatchesNodes && program.inventory.nodes.some((n) => n.addresses.some((a) => a.ip === ep.ip))) return false;
    const addr = ipaddr.parse(ep.ip);
    if (!cidrContains(peer.cidr, addr)) return false;
    return !peer.except.some((e) => cidrContains(e, addr));
  }
  // Selector peers match pods only, never bare addresses.
  const pod = ep.pod;
  if (!pod) return false;
  if (peer.namespaces.kind === 'policy-namespace') {
    if (pod.namespace !== policy.namespace) return false;
  } else {
    const ns = program.inventory.namespaces.find((n) => n.name === pod.namespace);
    if (!ns || !selects(peer.namespaces.selector, ns.labels)) return false;
  }
  return selects(peer.pods, pod.labels);
}

function cidrContains(cidr: string, addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const [net, bits] = ipaddr.parseCIDR(cidr);
  return net.kind() === addr.kind() && addr.match(net, bits);
}

/** Index of the first port entry that matches, null for "any port", undefined for none. */
function matchingPort(rule: Rule, conn: Connection, dstPod: Pod | undefined): number | null | undefined {
  if (rule.ports === 'any') return null;
  const i = rule.ports.findIndex((p) => portMatches(p, conn, dstPod));
  return i < 0 ? undefined : i;
}

function portMatches(p: PortMatch, conn: Connection, dstPod: Pod | undefined): boolean {
  if (p.protocol !== conn.protocol) return false;
  switch (p.kind) {
    case 'all':
      return true;
    case 'range':
      return conn.port >= p.from && conn.port <= p.to;
    case 'named':
      // Unresolvable on a non-pod destination: matches nothing (semantics.md §2.3).
      return dstPod !== undefined && dstPod.ports.some((c) => c.name === p.name && c.protocol === p.protocol && c.port === conn.port);
  }
}

/** Label selector semantics: every requirement must hold; NotIn/DoesNotExist hold for absent keys. */
export function selects(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(value!);
      case 'NotIn':
        return !has || !r.values.includes(value!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}
