// An evaluator of Cilium's policy semantics over the typed model, written from Cilium's
// documentation and source (each rule cites where it comes from). It shares nothing with the
// Kubernetes reference evaluator: it sees a cluster the way a Cilium agent does (endpoints with
// identity labels, node addresses, the rest of the world) and CiliumNetworkPolicy objects.
import { cidrBounds, formatIp, parseCidr, parseIp, type Connection, type ParsedCidr, type Endpoint, type Pod, type Program, type Protocol } from '@netpolc/ir';
import type { CiliumCidrRule, CiliumEntity, CiliumIcmpRule, CiliumPolicy, CiliumPortRule, CiliumRule, CiliumSelector } from '../../src/model.js';

/** Agent and release facts the evaluation depends on. */
export interface CiliumEvalOptions {
  /** Target release as [major, minor]: endPort needs 1.16 (cilium/cilium#32807), SCTP 1.13 (#20033). */
  readonly version: readonly [number, number];
  /**
   * Newer releases skip namespace injection when a peer selector names a namespace label
   * (pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector); older ones inject anyway.
   */
  readonly namespaceLabelsSuppressInjection: boolean;
  /** The local agent's `--cluster-name` (Cilium's default is `default`). */
  readonly clusterName?: string;
  /**
   * Another cluster of a ClusterMesh: its pods are endpoints with identities (its own namespace
   * labels and cluster name) that the local agent knows as peers. Releases up to 1.18 match a
   * selector naming no cluster against them too (Documentation/network/clustermesh/policy.rst).
   */
  readonly remote?: { readonly program: Program; readonly clusterName: string };
}

/** Default: a current release. */
export const defaultEvalOptions: CiliumEvalOptions = { version: [1, 17], namespaceLabelsSuppressInjection: true };

interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** What Cilium knows about the other side of a connection. */
type Identity =
  | { readonly kind: 'endpoint'; readonly pod: Pod; readonly labels: readonly Label[] }
  | { readonly kind: 'host' | 'remote-node'; readonly labels: readonly Label[] }
  | { readonly kind: 'world'; readonly ip: string; readonly labels: readonly Label[] };

// Cilium's default identity label filter (pkg/labelsfilter/filter.go defaultLabelPrefixCfg):
// io.kubernetes.pod.namespace, namespace labels and app.kubernetes.io are kept; other
// io.kubernetes / kubernetes.io / k8s.io keys, *beta.kubernetes.io, pod-template-hash,
// pod-template-generation, controller-revision-hash, annotation* and etcd_node are dropped. Every
// pattern is anchored at the key start, so later releases name keys under other kubernetes.io
// subdomains one by one: StatefulSet and indexed-Job keys from 1.15 (cilium/cilium#28003,
// #28897), controller-uid keys from 1.16 (#31964), topology.kubernetes.io from January 2026
// (#43725; in 1.19, and in 1.18 patch releases as a release blocker, #43723).
const ignoredSince: readonly (readonly [RegExp, number, number])[] = [
  [/^io\.kubernetes/, 1, 10],
  [/^kubernetes\.io/, 1, 10],
  [/^.*beta\.kubernetes\.io/, 1, 10],
  [/^k8s\.io/, 1, 10],
  [/^pod-template-generation/, 1, 10],
  [/^pod-template-hash/, 1, 10],
  [/^controller-revision-hash/, 1, 10],
  [/^annotation.*/, 1, 10],
  [/^etcd_node/, 1, 10],
  [/^statefulset\.kubernetes\.io\/pod-name/, 1, 15],
  [/^apps\.kubernetes\.io\/pod-index/, 1, 15],
  [/^batch\.kubernetes\.io\/job-completion-index/, 1, 15],
  [/^batch\.kubernetes\.io\/controller-uid/, 1, 16],
  [/^controller-uid/, 1, 16],
  [/^topology\.kubernetes\.io/, 1, 18],
];

function keptInIdentity(key: string, [major, minor]: readonly [number, number]): boolean {
  const include = ['io.kubernetes.pod.namespace', 'io.cilium.k8s.namespace.labels', 'app.kubernetes.io'];
  const ignore = ignoredSince.filter(([, ma, mi]) => major > ma || (major === ma && minor >= mi)).map(([r]) => r);
  const included = Math.max(0, ...include.filter((p) => key.startsWith(p)).map((p) => p.length));
  const ignoredLengths = ignore.map((r) => r.exec(key)?.[0].length).filter((n): n is number => n !== undefined);
  return ignoredLengths.length === 0 || included > Math.min(...ignoredLengths);
}

/** The evaluator for one cluster and one set of Cilium objects. */
export class CiliumEvaluator {
  private readonly endpointsByIp = new Map<string, Pod>();
  private readonly nodeByIp = new Map<string, string>();
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();
  private readonly identities = new Map<Pod, Label[]>();
  private readonly remoteByIp = new Map<string, Pod>();
  private readonly remoteNsLabels = new Map<string, Readonly<Record<string, string>>>();

  /** The policies the agent accepts. */
  private readonly policies: readonly CiliumPolicy[];
  /** The one family of a single-stack cluster (its node and pod addresses), which the agent runs alone. */
  private readonly singleFamily: 4 | 6 | undefined;

  constructor(
    private readonly program: Program,
    policies: readonly CiliumPolicy[],
    private readonly options: CiliumEvalOptions = defaultEvalOptions,
  ) {
    this.policies = policies.filter((p) => selectorsOf(p.spec).every((s) => selectorKeysValid(s, options.version)));
    for (const ns of program.inventory.namespaces) this.nsLabels.set(ns.name, ns.labels);
    // Cilium manages the network of running, scheduled, non-hostNetwork pods with an IP: those
    // are its endpoints (a hostNetwork pod shares its node's identity, layer3.rst "host").
    for (const pod of program.inventory.pods) if (pod.actionable) for (const a of pod.addresses) if (!this.endpointsByIp.has(a.ip)) this.endpointsByIp.set(a.ip, pod);
    for (const n of program.inventory.nodes) for (const a of n.addresses) if (!this.nodeByIp.has(a.ip)) this.nodeByIp.set(a.ip, n.name);
    const families = new Set([...program.inventory.nodes, ...program.inventory.pods].flatMap((o) => o.addresses.map((a) => a.family)));
    this.singleFamily = families.size === 1 ? [...families][0] : undefined;
    const remote = options.remote?.program.inventory;
    for (const ns of remote?.namespaces ?? []) this.remoteNsLabels.set(ns.name, ns.labels);
    for (const pod of remote?.pods ?? []) if (pod.actionable) for (const a of pod.addresses) if (!this.endpointsByIp.has(a.ip)) this.remoteByIp.set(a.ip, pod);
  }

  /**
   * Pod identity labels (Documentation/security/policy/kubernetes.rst, "Namespaces"): the pod's
   * labels and `io.kubernetes.pod.namespace` with source `k8s`, the namespace's labels as
   * `io.cilium.k8s.namespace.labels.<key>`, the service account and the cluster name.
   */
  private podLabels(pod: Pod, remote = false): Label[] {
    const known = this.identities.get(pod);
    if (known) return known;
    const nsLabels = remote ? this.remoteNsLabels : this.nsLabels;
    const cluster = remote ? this.options.remote!.clusterName : (this.options.clusterName ?? 'default');
    const out: Label[] = [];
    // SanitizePodLabels (pkg/k8s/utils/utils.go): a pod's own labels under io.cilium.k8s are
    // dropped (cilium/cilium#31395; releases before it kept those Cilium does not write, which
    // the output never relies on) and io.kubernetes.pod.namespace is Cilium's, set below.
    for (const [k, v] of Object.entries(pod.labels)) {
      if (k.startsWith('io.cilium.k8s') || k === 'io.kubernetes.pod.namespace') continue;
      if (keptInIdentity(k, this.options.version)) out.push({ source: 'k8s', key: k, value: v });
    }
    out.push({ source: 'k8s', key: 'io.kubernetes.pod.namespace', value: pod.namespace });
    for (const [k, v] of Object.entries(nsLabels.get(pod.namespace) ?? {})) {
      const key = `io.cilium.k8s.namespace.labels.${k}`;
      if (keptInIdentity(key, this.options.version)) out.push({ source: 'k8s', key, value: v });
    }
    out.push({ source: 'k8s', key: 'io.cilium.k8s.policy.serviceaccount', value: 'default' });
    out.push({ source: 'k8s', key: 'io.cilium.k8s.policy.cluster', value: cluster });
    this.identities.set(pod, out);
    return out;
  }

  /**
   * Identity of an address as seen by an endpoint on node `localNode`: a Cilium endpoint, the
   * local host or a remote node (node addresses never get CIDR identities by default,
   * layer3.rst "IP/CIDR based"), else the world with its address.
   */
  private identityOf(ip: string, localNode: string | undefined): Identity {
    const pod = this.endpointsByIp.get(ip);
    if (pod) return { kind: 'endpoint', pod, labels: this.podLabels(pod) };
    const remotePod = this.remoteByIp.get(ip);
    if (remotePod) return { kind: 'endpoint', pod: remotePod, labels: this.podLabels(remotePod, true) };
    const node = this.nodeByIp.get(ip);
    if (node !== undefined) {
      const kind = node === localNode ? 'host' : 'remote-node';
      return { kind, labels: [{ source: 'reserved', key: kind, value: '' }] };
    }
    return { kind: 'world', ip, labels: [{ source: 'reserved', key: 'world', value: '' }] };
  }

  /** Decides a connection; undefined when it cannot be bound to addresses of one family. */
  allowed(conn: Connection): boolean | undefined {
    const bound = this.bind(conn.src, conn.dst);
    if (!bound) return undefined;
    const [srcIp, dstIp] = bound;
    // An ICMP connection is an echo request: type 8, or 128 for ICMPv6.
    const v6 = srcIp.includes(':');
    const flow: Flow = conn.protocol === 'ICMP' ? { protocol: 'ICMP', family: v6 ? 'IPv6' : 'IPv4', port: v6 ? 128 : 8 } : { protocol: conn.protocol, port: conn.port };
    const srcPod = this.endpointsByIp.get(srcIp);
    const dstPod = this.endpointsByIp.get(dstIp);
    // A pod talking to itself stays inside its network namespace: Cilium's programs sit on the
    // pod's host-side interface and never see it.
    if (srcPod && srcPod === dstPod) return true;
    if (srcPod && !this.direction('egress', srcPod, this.identityOf(dstIp, srcPod.nodeName), flow)) return false;
    if (!dstPod) return true; // no host firewall: traffic to nodes and the world is not enforced at the receiver
    const peer = this.identityOf(srcIp, dstPod.nodeName);
    // "Kubernetes will automatically allow all communication from the local host of all local
    // endpoints" unless --allow-localhost=policy (layer3.rst, "Access to/from local host").
    if (peer.kind === 'host') return true;
    return this.direction('ingress', dstPod, peer, flow);
  }

  private bind(src: Endpoint, dst: Endpoint): [string, string] | undefined {
    const ips = (e: Endpoint): string[] => {
      if (e.kind === 'ip') return [canonical(e.ip)];
      const pod = this.program.inventory.pods.find((p) => p.namespace === e.namespace && p.name === e.name && p.actionable);
      if (!pod) return [];
      return e.ip !== undefined ? [canonical(e.ip)] : pod.addresses.map((a) => a.ip);
    };
    const s = ips(src);
    const d = ips(dst);
    for (const v6 of [false, true]) {
      const a = s.find((ip) => ip.includes(':') === v6);
      const b = d.find((ip) => ip.includes(':') === v6);
      if (a !== undefined && b !== undefined) return [a, b];
    }
    return undefined;
  }

  /** One direction of one endpoint: default deny, deny rules first, then the union of allow rules. */
  private direction(direction: 'ingress' | 'egress', pod: Pod, peer: Identity, flow: Flow): boolean {
    const selecting = this.policies.filter((p) => this.selectsSubject(p, pod));
    // enableDefaultDeny defaults to "the rule has rules in this direction" and one policy asking
    // for default deny is enough (pkg/policy/api/rule.go EnableDefaultDeny; rule_validation.go Sanitize).
    const defaultDeny = selecting.some((p) => {
      const explicit = p.spec.enableDefaultDeny?.[direction];
      if (explicit !== undefined) return explicit;
      return rulesOf(p.spec, direction).length > 0 || rulesOf(p.spec, direction, true).length > 0;
    });
    // Deny rules take precedence over allow rules from any policy (Documentation/security/policy/deny.rst).
    for (const p of selecting) for (const r of rulesOf(p.spec, direction, true)) if (this.ruleMatches(p, r, direction, pod, peer, flow)) return false;
    if (!defaultDeny) return true;
    // Allow rules of every selecting policy are unioned (layer3.rst "at least one ingress rule exists").
    return selecting.some((p) => rulesOf(p.spec, direction).some((r) => this.ruleMatches(p, r, direction, pod, peer, flow)));
  }

  /** Subject selection: a CiliumNetworkPolicy only ever applies in its own namespace (utils.go ParseToCiliumRule). */
  private selectsSubject(p: CiliumPolicy, pod: Pod): boolean {
    if (p.kind === 'CiliumNetworkPolicy' && pod.namespace !== p.metadata.namespace) return false;
    return selectorMatches(p.spec.endpointSelector, this.podLabels(pod));
  }

  private ruleMatches(p: CiliumPolicy, r: GenericRule, direction: 'ingress' | 'egress', pod: Pod, peer: Identity, flow: Flow): boolean {
    const hasL3 = (r.endpoints?.length ?? 0) + (r.cidrs?.length ?? 0) + (r.entities?.length ?? 0) > 0;
    const hasPorts = (r.toPorts?.length ?? 0) > 0;
    const hasIcmps = (r.icmps?.length ?? 0) > 0;
    // pkg/policy/rule.go mergeIngress/mergeEgress: an L3-only rule needs a selector; a rule with
    // ports (ICMP fields are merged as ports) but no L3 selects every peer
    // (WildcardEndpointSelector); an empty rule selects nothing.
    if (!hasL3 && !hasPorts && !hasIcmps) return false;
    if (hasL3 && !this.l3Matches(p, r, peer)) return false;
    // L3 only: every protocol, ICMP included.
    if (!hasPorts && !hasIcmps) return true;
    // ICMP fields admit their (family, type) only; ports admit TCP, UDP and SCTP only.
    if (flow.protocol === 'ICMP') return hasIcmps && r.icmps!.some((ir) => ir.fields.some((f) => f.family === flow.family && f.type === flow.port));
    return hasPorts && r.toPorts!.some((pr) => this.portRuleMatches(pr, direction, pod, peer, flow.protocol, flow.port));
  }

  private l3Matches(p: CiliumPolicy, r: GenericRule, peer: Identity): boolean {
    if ((r.entities ?? []).some((e) => entityMatches(e, peer))) return true;
    if ((r.cidrs ?? []).some((c) => (this.atLeast(1, 17) || (c.except ?? []).length === 0 ? cidrMatches(c, peer) : expandedMatches(c, peer)))) return true;
    // Before 1.15 a /0 without except in a rule's CIDRs added `reserved:world`, which then
    // matched the world of both families (cilium/cilium#22610, fixed by #22625).
    if (!this.atLeast(1, 15) && peer.kind === 'world' && (r.cidrs ?? []).some((c) => (c.except ?? []).length === 0 && parseCidr(c.cidr)!.prefix === 0)) return true;
    // An agent that is not dual-stack labels a CIDR rule of either family's /0 `reserved:world`
    // (pkg/policy/api/cidr.go, CIDRRuleSlice.GetAsEndpointSelectors: worldLabelNonDualStack), the
    // world of the family it runs; the other family's excepts carve nothing out of it.
    if (this.singleFamily !== undefined && peer.kind === 'world' && (r.cidrs ?? []).some((c) => parseCidr(c.cidr)!.prefix === 0 && parseCidr(c.cidr)!.family !== this.singleFamily)) return true;
    return (r.endpoints ?? []).some((s) => peer.kind === 'endpoint' && selectorMatches(this.scopedPeer(p, s), peer.labels));
  }

  /**
   * Peer selectors of a namespaced policy are limited to its namespace unless they name the
   * namespace label (or, in newer releases, a namespace-label key); clusterwide policies instead
   * require the namespace label to exist (pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector).
   */
  private scopedPeer(p: CiliumPolicy, s: CiliumSelector): CiliumSelector {
    const keys = [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)].map(parseKey);
    if (keys.some((k) => k.key.startsWith('reserved') || k.source === 'reserved')) return s;
    const namesNamespace = keys.some((k) => k.key === 'io.kubernetes.pod.namespace' && (k.source === 'k8s' || k.source === 'any'));
    if (namesNamespace) return s;
    if (p.kind === 'CiliumClusterwideNetworkPolicy') return { ...s, matchExpressions: [...(s.matchExpressions ?? []), { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] };
    if (this.options.namespaceLabelsSuppressInjection && keys.some((k) => k.key.startsWith('io.cilium.k8s.namespace.labels.') && (k.source === 'k8s' || k.source === 'any'))) return s;
    return { ...s, matchLabels: { ...(s.matchLabels ?? {}), 'k8s:io.kubernetes.pod.namespace': p.metadata.namespace! } };
  }

  private portRuleMatches(pr: CiliumPortRule, direction: 'ingress' | 'egress', pod: Pod, peer: Identity, protocol: Protocol, port: number): boolean {
    return pr.ports.some((pp) => {
      // ANY covers TCP, UDP and SCTP (pkg/policy/rule.go mergeIngress); SCTP needs 1.13.
      if (pp.protocol !== 'ANY' && pp.protocol !== protocol) return false;
      if (protocol === 'SCTP' && !this.atLeast(1, 13)) return false;
      let from: number;
      if (/^\d+$/.test(pp.port)) from = Number(pp.port);
      else {
        const resolved = this.namedPort(pp.port.toLowerCase(), protocol, direction, pod, peer);
        if (resolved === undefined) return false;
        from = resolved;
      }
      // Port 0 is every port (pkg/k8s/network_policy.go parsePorts writes "0" for "all ports").
      if (from === 0) return true;
      // endPort: honoured from 1.16; before, only `port` is enforced (cilium/cilium#28684).
      const to = pp.endPort !== undefined && this.atLeast(1, 16) ? pp.endPort : from;
      return port >= from && port <= to;
    });
  }

  /**
   * Named ports (pkg/endpoint GetNamedPort): ingress looks at the selected pod's own container
   * ports; egress at a cluster-wide map of all pods' named ports, where a name mapping to
   * more than one number is skipped (cilium/cilium#30003). Both maps hold the ports of
   * spec.containers only (pkg/k8s/labels.go GetPodMetadata, pkg/k8s/watchers/pod.go
   * updatePodHostData): no init container, neither plain (Pod.initPorts) nor sidecar.
   */
  private namedPort(name: string, protocol: Protocol, direction: 'ingress' | 'egress', pod: Pod, _peer: Identity): number | undefined {
    if (direction === 'ingress') {
      // One entry per name in the endpoint's map: the last declaration (NamedPortMap.AddPort).
      const last = containerPorts(pod).filter((c) => c.name === name).at(-1);
      return last?.protocol === protocol ? last.port : undefined;
    }
    const numbers = new Set<number>();
    for (const p of new Set(this.endpointsByIp.values())) for (const c of containerPorts(p)) if (c.name === name && c.protocol === protocol) numbers.add(c.port);
    return numbers.size === 1 ? [...numbers][0] : undefined;
  }

  private atLeast(major: number, minor: number): boolean {
    const [a, b] = this.options.version;
    return a > major || (a === major && b >= minor);
  }
}

/** The ports Cilium reads: Pod.ports (containers and sidecars) without the sidecars' ones. */
function containerPorts(pod: Pod): Pod['ports'] {
  const sidecars = pod.sidecarPorts ?? [];
  if (sidecars.length === 0) return pod.ports;
  return pod.ports.filter((c) => !sidecars.some((s) => s.name === c.name && s.protocol === c.protocol && s.port === c.port));
}

interface GenericRule {
  readonly endpoints?: readonly CiliumSelector[] | undefined;
  readonly cidrs?: readonly CiliumCidrRule[] | undefined;
  readonly entities?: readonly CiliumEntity[] | undefined;
  readonly toPorts?: readonly CiliumPortRule[] | undefined;
  readonly icmps?: readonly CiliumIcmpRule[] | undefined;
}

/** What a rule is matched on besides the peer: a transport and port, or an ICMP type of a family. */
type Flow = { readonly protocol: Protocol; readonly port: number } | { readonly protocol: 'ICMP'; readonly family: 'IPv4' | 'IPv6'; readonly port: number };

function rulesOf(spec: CiliumRule, direction: 'ingress' | 'egress', deny = false): GenericRule[] {
  if (direction === 'ingress') {
    return (deny ? spec.ingressDeny : spec.ingress)?.map((r) => ({ endpoints: r.fromEndpoints, cidrs: r.fromCIDRSet, entities: r.fromEntities, toPorts: r.toPorts, icmps: r.icmps })) ?? [];
  }
  return (deny ? spec.egressDeny : spec.egress)?.map((r) => ({ endpoints: r.toEndpoints, cidrs: r.toCIDRSet, entities: r.toEntities, toPorts: r.toPorts, icmps: r.icmps })) ?? [];
}

/** `source:key` → parts; a key without source matches any source (pkg/labels GetExtendedKeyFrom). */
function parseKey(k: string): { source: string; key: string } {
  const i = k.indexOf(':');
  return i < 0 ? { source: 'any', key: k } : { source: k.slice(0, i), key: k.slice(i + 1) };
}

/** Kubernetes label selector semantics over source-qualified labels; `reserved:all` matches anything. */
export function selectorMatches(s: CiliumSelector, labels: readonly Label[]): boolean {
  const find = (rawKey: string): Label | undefined => {
    const { source, key } = parseKey(rawKey);
    return labels.find((l) => l.key === key && (source === 'any' || l.source === source));
  };
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
    if (k === 'reserved:all') return true;
    if (find(k)?.value !== v) return false;
  }
  for (const e of s.matchExpressions ?? []) {
    const l = find(e.key);
    const values = e.values ?? [];
    const ok = e.operator === 'In' ? l !== undefined && values.includes(l.value) : e.operator === 'NotIn' ? l === undefined || !values.includes(l.value) : e.operator === 'Exists' ? l !== undefined : l === undefined;
    if (!ok) return false;
  }
  return true;
}

/** Every endpoint selector of a policy: its subject and its rules' peers. */
function selectorsOf(spec: CiliumRule): CiliumSelector[] {
  const out = [spec.endpointSelector];
  for (const direction of ['ingress', 'egress'] as const) for (const deny of [false, true]) for (const r of rulesOf(spec, direction, deny)) out.push(...(r.endpoints ?? []));
  return out;
}

/**
 * The agent parses a CiliumNetworkPolicy and drops all of it when a selector key is not a valid
 * Kubernetes qualified name (pkg/k8s/apis/cilium.io/v2 cnp_types.go Parse → Sanitize;
 * pkg/policy/api/selector.go sanitize). The key it checks is the extended one, `source.key`
 * (pkg/labels GetExtendedKeyFrom), until 1.20 drops the source (cilium/cilium#43536); a
 * namespace label keeps Cilium's `io.cilium.k8s.namespace.labels.` prefix until 1.21
 * (cilium/cilium#47817, fixed by #47845).
 */
function selectorKeysValid(s: CiliumSelector, [major, minor]: readonly [number, number]): boolean {
  const from = (ma: number, mi: number): boolean => major > ma || (major === ma && minor >= mi);
  const keys = [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)];
  return keys.every((raw) => {
    const { source, key } = parseKey(raw);
    let checked = from(1, 20) ? key : source === 'any' ? key : `${source}.${key}`;
    const nsPrefix = 'io.cilium.k8s.namespace.labels.';
    if (from(1, 21) && checked.startsWith(nsPrefix)) checked = checked.slice(nsPrefix.length);
    return qualifiedName(checked);
  });
}

/** k8s.io/apimachinery validation IsQualifiedName: `[prefix/]name`, a DNS subdomain prefix and a name part of at most 63. */
function qualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1]!;
  if (name.length === 0 || name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) return false;
  if (parts.length === 1) return true;
  const prefix = parts[0]!;
  return prefix.length > 0 && prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix);
}

/** Entities (layer3.rst "Entities based"); `cluster` is everything but the world. */
function entityMatches(e: CiliumEntity, peer: Identity): boolean {
  switch (e) {
    case 'all':
      return true;
    case 'world':
      return peer.kind === 'world';
    case 'cluster':
      return peer.kind !== 'world';
    case 'host':
      return peer.kind === 'host';
    case 'remote-node':
      return peer.kind === 'remote-node';
    default:
      return false;
  }
}

/**
 * CIDR rules select only addresses without an endpoint or node identity (layer3.rst "IP/CIDR
 * based": they "do not apply to traffic where both sides of the connection are either managed by
 * Cilium or use an IP belonging to a node"); `except` removes addresses from this rule only.
 */
function cidrMatches(c: CiliumCidrRule, peer: Identity): boolean {
  if (peer.kind !== 'world') return false;
  const addr = parseIp(peer.ip)!;
  const inside = (cidr: string): boolean => {
    const c = parseCidr(cidr)!;
    const [lo, hi] = cidrBounds(c);
    return c.family === addr.family && addr.value >= lo && addr.value <= hi;
  };
  return inside(c.cidr) && !(c.except ?? []).some(inside);
}

/**
 * Before 1.17 the agent expanded excepts itself (ComputeResultantCIDRSet: the prefixes around each
 * except, one except after the other) and printed each prefix with Go's net.IPNet.String, which
 * prints a prefix inside ::ffff:0:0/96 as IPv4 (`::ffff:0:0/96` as 0.0.0.0/0). The rule then
 * matches the prefixes as printed.
 */
function expandedMatches(c: CiliumCidrRule, peer: Identity): boolean {
  if (peer.kind !== 'world') return false;
  let prefixes = [parseCidr(c.cidr)!];
  for (const e of c.except ?? []) {
    const ex = parseCidr(e)!;
    prefixes = prefixes.flatMap((p) => around(p, ex));
  }
  const addr = parseIp(peer.ip)!;
  return prefixes.some((p) => {
    const printed = p.family === 6 && p.prefix >= 96 && p.network >> 32n === 0xffffn ? { family: 4 as const, network: p.network & 0xffff_ffffn, prefix: p.prefix - 96, hadHostBits: false } : p;
    const [lo, hi] = cidrBounds(printed);
    return printed.family === addr.family && addr.value >= lo && addr.value <= hi;
  });
}

/** The prefixes of `p` outside `ex`: `p` itself when they are apart, none when `ex` covers it. */
function around(p: ParsedCidr, ex: ParsedCidr): ParsedCidr[] {
  const bits = p.family === 4 ? 32 : 128;
  const [plo, phi] = cidrBounds(p);
  const [elo, ehi] = cidrBounds(ex);
  if (p.family !== ex.family || ehi < plo || elo > phi) return [p];
  if (elo <= plo && ehi >= phi) return [];
  const out: ParsedCidr[] = [];
  for (let len = p.prefix + 1; len <= ex.prefix; len++) {
    // The sibling, at this length, of the prefix of `ex`.
    const bit = 1n << BigInt(bits - len);
    const mine = ex.network & ~((1n << BigInt(bits - len + 1)) - 1n) & ((1n << BigInt(bits)) - 1n);
    const sibling = (ex.network & bit) === 0n ? mine | bit : mine;
    out.push({ family: p.family, network: sibling, prefix: len, hadHostBits: false });
  }
  return out;
}

function canonical(ip: string): string {
  const p = parseIp(ip)!;
  return formatIp(p.family, p.value);
}
