// An independent interpreter of Cilium policy enforcement for pods, reading CiliumNetworkPolicy
// objects as plain data (parsed YAML), written from upstream Cilium sources and documentation
// only. It deliberately shares nothing with the backend's lowering or its own test evaluator.
//
// Upstream references (cilium/cilium unless noted):
//  [utils]    pkg/k8s/apis/cilium.io/utils/utils.go  ParseToCiliumRule, getEndpointSelector
//  [filter]   pkg/labelsfilter/filter.go             defaultLabelPrefixCfg, filterLabels
//  [sanitize] pkg/k8s/utils/utils.go                 SanitizePodLabels, filterPodLabels
//  [entity]   pkg/policy/api/entity.go               EntitySelectorMapping, InitEntities
//  [valid]    pkg/policy/api/rule_validation.go      Rule.Sanitize, IngressRule/EgressRule.sanitize
//  [ingress]  pkg/policy/api/ingress.go              GetSourceEndpointSelectorsWithRequirements
//  [l3doc]    Documentation/security/policy/language.rst / docs.cilium.io "Layer 3 Examples"
//  [l4doc]    docs.cilium.io "Layer 4 Examples"
//  [intro]    docs.cilium.io "Policy Enforcement Modes" (default mode)
//  [np]       pkg/k8s/network_policy.go (how Cilium itself reads Kubernetes NetworkPolicies)
import { cidrBounds, parseCidr, parseIp, type Family } from '@netpolc/ir';
import { parseL4, type PortProto } from './l4.js';
import { type IdLabel, type CiliumModelOptions, agentAcceptsKey, atLeast, reservedIdentity, type Selector, parseSelector, hasKey, hasKeyPrefix, addMatch, selectorMatches } from './identities.js';

// ---------------------------------------------------------------------------------------------
// Policies

const knownEntities = new Set<string>(['all', 'world', 'cluster', 'host', 'remote-node', 'init', 'health', 'unmanaged', 'none', 'kube-apiserver', 'ingress', 'world-ipv4', 'world-ipv6']);

interface CidrRule {
  readonly family: Family;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly prefix: number;
  readonly except: readonly { lo: bigint; hi: bigint }[];
}

/** One ingress/egress (or deny) rule, peers already namespace-injected [utils]. */
interface PeerRule {
  /** undefined: no L3 field at all. */
  readonly endpoints: readonly Selector[] | undefined;
  readonly entities: readonly string[] | undefined;
  readonly cidrs: readonly CidrRule[] | undefined;
  /** undefined or empty: every port. */
  readonly ports: readonly PortProto[][] | undefined;
}

export interface ParsedRule {
  readonly policy: string;
  readonly namespace: string;
  readonly subject: Selector;
  readonly ingress: readonly PeerRule[];
  readonly egress: readonly PeerRule[];
  readonly ingressDeny: readonly PeerRule[];
  readonly egressDeny: readonly PeerRule[];
  readonly defaultDenyIngress: boolean;
  readonly defaultDenyEgress: boolean;
}

function parseCidrRule(text: string, except: readonly string[]): CidrRule {
  const c = parseCidr(text);
  if (!c || c.hadHostBits) throw new Error(`bad CIDR ${text}`);
  const [lo, hi] = cidrBounds(c);
  const ex = except.map((e) => {
    const p = parseCidr(e);
    if (!p) throw new Error(`bad except ${e}`);
    const [elo, ehi] = cidrBounds(p);
    // [valid] CIDRRule.sanitize: every except must be inside its CIDR (same family).
    if (p.family !== c.family || elo < lo || elo > hi) throw new Error(`except ${e} outside ${text}`);
    return { lo: elo, hi: ehi };
  });
  return { family: c.family, lo, hi, prefix: c.prefix, except: ex };
}

/**
 * [utils] getEndpointSelector for a namespaced CNP: a peer selector naming a reserved label is
 * left alone; one without `k8s:`/`any:io.kubernetes.pod.namespace` gets the policy namespace,
 * except (newer releases) when it names a namespace label.
 */
function injectPeerNamespace(sel: Selector, namespace: string, o: CiliumModelOptions): Selector {
  if (sel.reqs.some((r) => r.source === 'reserved')) return sel;
  if (hasKey(sel, 'k8s', 'io.kubernetes.pod.namespace') || hasKey(sel, 'any', 'io.kubernetes.pod.namespace')) return sel;
  if (o.nsLabelsSkipInjection && (hasKeyPrefix(sel, 'k8s', 'io.cilium.k8s.namespace.labels') || hasKeyPrefix(sel, 'any', 'io.cilium.k8s.namespace.labels'))) return sel;
  return { reqs: [...sel.reqs, { source: 'k8s', key: 'io.kubernetes.pod.namespace', op: 'In', values: [namespace] }] };
}

function parsePeerRule(raw: Record<string, unknown>, dir: 'ingress' | 'egress', namespace: string, o: CiliumModelOptions): PeerRule {
  const f = dir === 'ingress' ? { ep: 'fromEndpoints', ent: 'fromEntities', cidr: 'fromCIDR', set: 'fromCIDRSet' } : { ep: 'toEndpoints', ent: 'toEntities', cidr: 'toCIDR', set: 'toCIDRSet' };
  const known = new Set([f.ep, f.ent, f.cidr, f.set, 'toPorts', 'icmps']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new Error(`interpreter does not model rule field ${k}`);
  const eps = raw[f.ep] as unknown[] | undefined;
  const ents = raw[f.ent] as string[] | undefined;
  const cidr = raw[f.cidr] as string[] | undefined;
  const set = raw[f.set] as { cidr: string; except?: string[] }[] | undefined;
  // [valid] IngressRule/EgressRule.sanitize: releases before the selector rework reject a rule
  // combining two L3 members ("Combining %s and %s is not supported yet").
  const l3 = [eps, ents, cidr, set].filter((x) => x !== undefined && x.length > 0).length;
  if (l3 > 1) throw new Error('Combining L3 members is not supported (rule_validation.go)');
  for (const e of ents ?? []) if (!knownEntities.has(e)) throw new Error(`unsupported entity: ${e}`);
  const cidrs = cidr === undefined && set === undefined ? undefined : [...(cidr ?? []).map((c) => parseCidrRule(c, [])), ...(set ?? []).map((c) => parseCidrRule(c.cidr, c.except ?? []))];
  return {
    endpoints: eps?.map((e) => injectPeerNamespace(parseSelector(e), namespace, o)),
    entities: ents,
    cidrs,
    ports: parseL4(raw['toPorts'], raw['icmps']),
  };
}

/**
 * Parses one CiliumNetworkPolicy object (plain data) into rules, applying [utils]
 * ParseToCiliumRule: the subject selector always gets `k8s:io.kubernetes.pod.namespace=<ns>`;
 * peers get the namespace as described in {@link injectPeerNamespace}. Default deny per
 * direction follows [valid] Rule.Sanitize: unless `enableDefaultDeny` says otherwise, a rule with
 * any (allow or deny) rules in a direction puts the subject in default deny for it.
 */
export function parseCnp(obj: Record<string, unknown>, o: CiliumModelOptions): ParsedRule[] {
  if (obj['apiVersion'] !== 'cilium.io/v2' || obj['kind'] !== 'CiliumNetworkPolicy') throw new Error(`not a CNP: ${String(obj['kind'])}`);
  const meta = obj['metadata'] as { name: string; namespace: string };
  if (typeof meta?.namespace !== 'string' || typeof meta.name !== 'string') throw new Error('CNP without a string name/namespace');
  const specs: Record<string, unknown>[] = [];
  if (obj['spec']) specs.push(obj['spec'] as Record<string, unknown>);
  for (const s of (obj['specs'] as Record<string, unknown>[] | undefined) ?? []) specs.push(s);
  return specs.map((spec) => {
    const known = new Set(['endpointSelector', 'ingress', 'egress', 'ingressDeny', 'egressDeny', 'enableDefaultDeny', 'description', 'labels']);
    for (const k of Object.keys(spec)) if (!known.has(k)) throw new Error(`interpreter does not model spec field ${k}`);
    if (spec['endpointSelector'] === undefined) throw new Error('rule must have an endpointSelector');
    const subject = addMatch(parseSelector(spec['endpointSelector']), 'k8s', 'io.kubernetes.pod.namespace', meta.namespace);
    const list = (k: string, dir: 'ingress' | 'egress') => ((spec[k] as Record<string, unknown>[] | undefined) ?? []).map((r) => parsePeerRule(r ?? {}, dir, meta.namespace, o));
    const ingress = list('ingress', 'ingress');
    const egress = list('egress', 'egress');
    const ingressDeny = list('ingressDeny', 'ingress');
    const egressDeny = list('egressDeny', 'egress');
    for (const sel of [subject, ...[ingress, egress, ingressDeny, egressDeny].flat().flatMap((r) => r.endpoints ?? [])]) {
      for (const r of sel.reqs) if (!agentAcceptsKey(r.source, r.key, o)) throw new Error(`the agent rejects the whole policy: selector key ${r.source}:${r.key} is too long for Cilium ${o.version.join('.')}`);
    }
    const edd = (spec['enableDefaultDeny'] as { ingress?: boolean; egress?: boolean } | undefined) ?? {};
    return {
      policy: `${meta.namespace}/${meta.name}`,
      namespace: meta.namespace,
      subject,
      ingress,
      egress,
      ingressDeny,
      egressDeny,
      defaultDenyIngress: edd.ingress ?? (ingress.length > 0 || ingressDeny.length > 0),
      defaultDenyEgress: edd.egress ?? (egress.length > 0 || egressDeny.length > 0),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The cluster as Cilium sees it

export interface CiliumEndpoint {
  readonly id: string; // ns/name (plus @cluster for remote ones)
  readonly cluster: string;
  readonly namespace: string;
  readonly node: string | undefined;
  readonly ips: readonly string[];
  readonly identity: readonly IdLabel[];
  /** Named ports of `spec.containers` only (pkg/k8s GetPodMetadata reads containers). */
  readonly namedPorts: readonly { name: string; port: number; protocol: string }[];
  readonly local: boolean;
}

export interface CiliumCluster {
  readonly options: CiliumModelOptions;
  readonly endpoints: readonly CiliumEndpoint[];
  readonly nodes: readonly { name: string; ips: readonly string[]; local: boolean }[];
}

/** What a packet's peer address is to Cilium: an endpoint's identity, a node, or the world. */
export type Peer =
  | { kind: 'endpoint'; ep: CiliumEndpoint; ip: string }
  | { kind: 'host'; node: string; ip: string }
  | { kind: 'remote-node'; node: string; ip: string }
  | { kind: 'world'; ip: string };

/**
 * Identity of an address seen from an endpoint on `fromNode` (the ipcache): a running endpoint's
 * IP is that endpoint; an address of the local node is `host`, of another node `remote-node`
 * [l3doc "Entities based": host = the local host, remote-node = every other node]; anything
 * else is `world` (CIDR identities are world identities).
 */
export function peerOf(cluster: CiliumCluster, ip: string, fromNode: string | undefined): Peer {
  const ep = cluster.endpoints.find((e) => e.ips.includes(ip));
  if (ep) return { kind: 'endpoint', ep, ip };
  const node = cluster.nodes.find((n) => n.ips.includes(ip));
  if (node) return node.local && node.name === fromNode ? { kind: 'host', node: node.name, ip } : { kind: 'remote-node', node: node.name, ip };
  return { kind: 'world', ip };
}

function peerLabels(peer: Peer, o: CiliumModelOptions): IdLabel[] {
  switch (peer.kind) {
    case 'endpoint':
      return [...peer.ep.identity];
    case 'host':
      return reservedIdentity('host');
    case 'remote-node':
      return reservedIdentity('remote-node');
    case 'world': {
      // 1.15+ splits world into world-ipv4 / world-ipv6 in dual-stack clusters; the `world`
      // entity selects all of them (entity.go, cilium/cilium#28383). Label selectors never name
      // these in our output, so one `reserved:world` label stands for both.
      void o;
      return reservedIdentity('world');
    }
  }
}

function ipValue(ip: string): { family: Family; value: bigint } {
  const p = parseIp(ip);
  if (!p) throw new Error(`bad IP ${ip}`);
  return p;
}

function entityMatches(entity: string, peer: Peer, cluster: CiliumCluster, labels: readonly IdLabel[]): boolean {
  switch (entity) {
    case 'all':
      // [entity] EntityAll -> WildcardEndpointSelector: every identity.
      return true;
    case 'world':
      return peer.kind === 'world';
    case 'world-ipv4':
      return peer.kind === 'world' && ipValue(peer.ip).family === 4;
    case 'world-ipv6':
      return peer.kind === 'world' && ipValue(peer.ip).family === 6;
    case 'host':
      // [entity] InitEntities: host is reserved:host only (remote-node too only with the legacy
      // treat-remote-node-as-host, off by default since 1.7).
      return peer.kind === 'host';
    case 'remote-node':
      return peer.kind === 'remote-node';
    case 'cluster':
      // [entity] InitEntities: host, remote-node, init, health, unmanaged, and every endpoint
      // labelled k8s:io.cilium.k8s.policy.cluster=<this cluster>.
      return peer.kind === 'host' || peer.kind === 'remote-node' || labels.some((l) => l.source === 'k8s' && l.key === 'io.cilium.k8s.policy.cluster' && l.value === cluster.options.clusterName);
    default:
      return false;
  }
}

/**
 * CIDR rules select CIDR/world identities only: "Only connections which do *not* originate
 * from the cluster or from the local host are subject to CIDR rules" ([ingress] FromCIDR doc;
 * [l3doc] "IP/CIDR based": not applied to traffic where both sides are managed by Cilium or use
 * a node IP; cilium/cilium#9209). Before 1.15, a `/0` without except became `reserved:world`,
 * which matched both families (cilium/cilium#22610, fixed by #22625).
 */
function cidrMatches(c: CidrRule, peer: Peer, o: CiliumModelOptions): boolean {
  if (peer.kind !== 'world') return false;
  if (c.prefix === 0 && c.except.length === 0 && !atLeast(o, 1, 15)) return true;
  const { family, value } = ipValue(peer.ip);
  if (family !== c.family || value < c.lo || value > c.hi) return false;
  return !c.except.some((e) => value >= e.lo && value <= e.hi);
}

function peerMatches(rule: PeerRule, peer: Peer, cluster: CiliumCluster): boolean {
  const o = cluster.options;
  const noL3 = rule.endpoints === undefined && rule.entities === undefined && rule.cidrs === undefined;
  if (noL3) {
    // An empty rule `{}` selects no peer (it only turns on default deny: [valid] Sanitize); an
    // L4-only rule (toPorts without L3) allows those ports from/to every peer [l4doc "Limit
    // ingress/egress ports": "... allowed to communicate with any endpoint ... on port 80"].
    return rule.ports !== undefined && rule.ports.length > 0;
  }
  const labels = peerLabels(peer, o);
  for (const sel of rule.endpoints ?? []) {
    let s = sel;
    if (o.defaultLocalCluster && !hasKey(s, 'k8s', 'io.cilium.k8s.policy.cluster') && !hasKey(s, 'any', 'io.cilium.k8s.policy.cluster')) {
      s = { reqs: [...s.reqs, { source: 'k8s', key: 'io.cilium.k8s.policy.cluster', op: 'In', values: [o.clusterName] }] };
    }
    if (selectorMatches(s, labels)) return true;
  }
  for (const e of rule.entities ?? []) if (entityMatches(e, peer, cluster, labels)) return true;
  for (const c of rule.cidrs ?? []) if (cidrMatches(c, peer, o)) return true;
  return false;
}

/** Cluster-wide named-port lookup used on egress (pkg/policy NamedPortMultiMap). */
function egressNamedPort(cluster: CiliumCluster, name: string, protocol: string): number | undefined {
  const numbers = new Set<number>();
  for (const ep of cluster.endpoints) {
    if (!ep.local) continue;
    for (const p of ep.namedPorts) if (p.name === name && (protocol === 'ANY' || p.protocol === protocol)) numbers.add(p.port);
  }
  // Conflicting numbers: the rule entry is skipped (cilium/cilium#12567 "for egress the policy
  // rule using the conflicting port is now ignored"; #30003, fixed per identity only in 2026 by
  // #44429 / #45601).
  return numbers.size === 1 ? [...numbers][0] : undefined;
}

function portMatches(rule: PeerRule, dir: 'ingress' | 'egress', subject: CiliumEndpoint, protocol: string, port: number, cluster: CiliumCluster): boolean {
  if (rule.ports === undefined || rule.ports.length === 0) return true; // no L4: every port
  const o = cluster.options;
  for (const pr of rule.ports) {
    // A PortRule with an empty `ports` list: every port (no L4 restriction in it).
    if (pr.length === 0) return true;
    for (const pp of pr) {
      // ANY: TCP, UDP and SCTP (pkg/policy/api/l4.go ProtoAny; SCTP with --enable-sctp), never ICMP.
      if (pp.protocol === 'ANY' ? !['TCP', 'UDP', 'SCTP'].includes(protocol) : pp.protocol !== protocol) continue;
      if (pp.protocol === 'ICMP' || pp.protocol === 'ICMPV6') {
        // ICMP rules are enforced by default from 1.12 (cilium/cilium#20174).
        if (atLeast(o, 1, 12) && Number(pp.port) === port) return true;
        continue;
      }
      if (protocol === 'SCTP' && !atLeast(o, 1, 13)) continue; // SCTP enforcement from 1.13 (cilium/cilium#20033)
      if (/^\d+$/.test(pp.port)) {
        const n = Number(pp.port);
        if (n === 0) return true; // port "0": every port of the protocol ([np] parsePorts)
        // endPort honoured from 1.16 (cilium/cilium#32807); older releases read `port` alone.
        const end = pp.endPort !== undefined && atLeast(o, 1, 16) ? pp.endPort : n;
        if (port >= n && port <= end) return true;
        continue;
      }
      // Named ports: ingress resolves on the selected endpoint's own pod ("Ingress only needs the
      // ports of the POD itself", pkg/endpoint GetNamedPort); egress uses the cluster-wide map.
      if (dir === 'ingress') {
        const hit = subject.namedPorts.find((p) => p.name === pp.port && (pp.protocol === 'ANY' || p.protocol === pp.protocol));
        if (hit && hit.port === port && hit.protocol === protocol) return true;
      } else {
        const n = egressNamedPort(cluster, pp.port, pp.protocol);
        if (n !== undefined && n === port) return true;
      }
    }
  }
  return false;
}

export interface SideResult {
  readonly allowed: boolean;
  readonly reason: string;
}

/** Policy verdict of one endpoint for one direction [intro] default mode. */
export function sideVerdict(rules: readonly ParsedRule[], cluster: CiliumCluster, subject: CiliumEndpoint, dir: 'ingress' | 'egress', peer: Peer, protocol: string, port: number): SideResult {
  const selecting = rules.filter((r) => selectorMatches(r.subject, subject.identity));
  // Deny rules take precedence over allow rules (docs "Deny Policies").
  for (const r of selecting) {
    for (const d of dir === 'ingress' ? r.ingressDeny : r.egressDeny) {
      if (peerMatches(d, peer, cluster) && portMatches(d, dir, subject, protocol, port, cluster)) return { allowed: false, reason: `denied by ${r.policy}` };
    }
  }
  // "If multiple policies apply to an endpoint, that endpoint's default deny will be enabled if
  // any policy requests it" (CRD doc of enableDefaultDeny, pkg/policy/api/rule.go).
  const enforced = selecting.some((r) => (dir === 'ingress' ? r.defaultDenyIngress : r.defaultDenyEgress));
  if (!enforced) return { allowed: true, reason: 'not enforced' };
  for (const r of selecting) {
    for (const a of dir === 'ingress' ? r.ingress : r.egress) {
      if (peerMatches(a, peer, cluster) && portMatches(a, dir, subject, protocol, port, cluster)) return { allowed: true, reason: `allowed by ${r.policy}` };
    }
  }
  return { allowed: false, reason: 'default deny' };
}

export interface ConnVerdict {
  readonly allowed: boolean;
  readonly egress: SideResult;
  readonly ingress: SideResult;
}

/**
 * A connection from `srcIp` to `dstIp`: egress of the source endpoint (if it is a local
 * endpoint), then ingress of the destination endpoint (if local). Endpoints of other clusters
 * are enforced by their own cluster's agents, which this model does not know (allowed).
 */
export function evaluateCilium(rules: readonly ParsedRule[], cluster: CiliumCluster, srcIp: string, dstIp: string, protocol: string, port: number): ConnVerdict {
  const srcEp = cluster.endpoints.find((e) => e.ips.includes(srcIp));
  const dstEp = cluster.endpoints.find((e) => e.ips.includes(dstIp));
  // A pod reaching itself never leaves the pod's network namespace (loopback/hairpin inside the
  // pod); Cilium's datapath does not see it.
  if (srcEp && srcEp === dstEp) return { allowed: true, egress: { allowed: true, reason: 'self' }, ingress: { allowed: true, reason: 'self' } };
  let egress: SideResult = { allowed: true, reason: 'not an endpoint' };
  if (srcEp?.local) egress = sideVerdict(rules, cluster, srcEp, 'egress', peerOf(cluster, dstIp, srcEp.node), protocol, port);
  let ingress: SideResult = { allowed: true, reason: 'not an endpoint' };
  if (dstEp?.local) {
    const peer = peerOf(cluster, srcIp, dstEp.node);
    // allow-localhost (default `auto` = always in Kubernetes): traffic from the local host to
    // its endpoints is always allowed (Documentation "Policy Enforcement Modes"/agent flag
    // --allow-localhost; cilium/cilium pkg/policy AllowLocalhost).
    if (peer.kind === 'host') ingress = { allowed: true, reason: 'allow-localhost' };
    else ingress = sideVerdict(rules, cluster, dstEp, 'ingress', peer, protocol, port);
  }
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}
