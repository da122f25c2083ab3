// An independent oracle for NetworkPolicy (networking.k8s.io/v1) connection semantics.
//
// Written from /work/shared/reference/semantics.md (§1–§4) and the upstream Kubernetes docs only,
// without reading the project's lowering or evaluator. It works on the RAW manifests (plain
// objects as a user writes them) and does its own API defaulting, selector matching, CIDR
// matching and named-port resolution. It implements the DEFAULT profile of semantics.md §3:
//   * ipBlock matches any address by IP, pod and node addresses included (§3 rows 1–2, §4 row 3);
//   * ingress whose source is the destination pod's own node is always allowed (§2.5, §4 row 8);
//   * hostNetwork pods are not subjects or selector peers, their IP is node traffic (§2.1, §4 row 9);
//   * a pod can always reach itself (§2.5, §4 row 13).
// Inputs are assumed to be valid (the project's loader rejects invalid ones); no validation here.
import ipaddr from 'ipaddr.js';

type Obj = Record<string, unknown>;

export type OracleEndpoint = { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly ip: string } | { readonly kind: 'ip'; readonly ip: string };

export interface OracleConnection {
  readonly src: OracleEndpoint;
  readonly dst: OracleEndpoint;
  readonly protocol: string;
  readonly port: number;
}

/** §1.1: the namespace used when `metadata.namespace` is omitted. */
export const DEFAULT_NAMESPACE = 'default';
/** §1.1: the label the API server puts on every namespace. */
const NAME_LABEL = 'kubernetes.io/metadata.name';

interface OPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ips: readonly string[];
  readonly nodeName: string | undefined;
  readonly ports: readonly { name: string | undefined; port: number; protocol: string }[];
}

interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: { cidr: string; except?: readonly string[] };
}

interface PortEntry {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

interface Rule {
  readonly peers: readonly Peer[];
  readonly ports: readonly PortEntry[];
}

interface OPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: Selector;
  readonly ingress: readonly Rule[] | null; // null: Ingress not in policyTypes
  readonly egress: readonly Rule[] | null; // null: Egress not in policyTypes
}

const asObj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const labelsOf = (meta: Obj): Record<string, string> => ({ ...(asObj(meta['labels']) as Record<string, string>) });
/** §1.1: an omitted (or empty, which the API treats as unset) namespace is `default`. */
const namespaceOf = (meta: Obj): string => (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : DEFAULT_NAMESPACE);

/** Flattens `kind: List` (and any nesting of it) into plain objects. */
function flatten(objects: readonly unknown[]): Obj[] {
  return objects.flatMap((o) => {
    const obj = asObj(o);
    const isList = typeof obj['kind'] === 'string' && obj['kind'].endsWith('List') && Array.isArray(obj['items']); // List, PodList, ...
    return isList ? flatten(asList(obj['items'])) : [obj];
  });
}

// ---- label selectors (§2.2) ----

/** All matchLabels AND all matchExpressions; NotIn / DoesNotExist match a missing key; {} matches all. */
export function selectorMatches(sel: Selector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false; // invalid operator: the loader rejects it; match nothing here
    }
  }
  return true;
}

// ---- CIDRs (§2.2 ipBlock, §2.6 an ipBlock only matches its own family) ----

const cidrCache = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number]>();
export function inCidr(ip: string, cidr: string): boolean {
  const addr = ipaddr.parse(ip);
  let net = cidrCache.get(cidr);
  if (!net) cidrCache.set(cidr, (net = ipaddr.parseCIDR(cidr))); // host bits are ignored by match(): masked (§1.2)
  return addr.kind() === net[0].kind() && addr.match(net[0], net[1]);
}

/** `cidr` minus its OWN `except` list (§2.2, §4 row 4: except is not a deny). */
export function inIpBlock(ip: string, block: { cidr: string; except?: readonly string[] }): boolean {
  return inCidr(ip, block.cidr) && !(block.except ?? []).some((e) => inCidr(ip, e));
}

/** A canonical text for an address, so that `2001:db8::a` and `2001:db8:0::a` compare equal. */
const canonical = (ip: string): string => ipaddr.parse(ip).toNormalizedString();

// ---- inventory (§1.1 defaulting, §2.1 actionable pods) ----

function readPod(o: Obj): { pod: OPod; actionable: boolean } {
  const meta = asObj(o['metadata']);
  const spec = asObj(o['spec']);
  const status = asObj(o['status']);
  const ips = asList(status['podIPs'])
    .map((e) => asObj(e)['ip'])
    .filter((ip): ip is string => typeof ip === 'string');
  if (ips.length === 0 && typeof status['podIP'] === 'string') ips.push(status['podIP']);
  // Container ports (§2.1 "every container port"), including native sidecars: init containers with
  // restartPolicy Always keep running and serve named ports (kubernetes/kubernetes#127976,
  // projectcalico/calico#8881); ordinary init containers have exited before the pod runs.
  const sidecars = asList(spec['initContainers']).filter((c) => asObj(c)['restartPolicy'] === 'Always');
  const ports = [...asList(spec['containers']), ...sidecars].flatMap((c) =>
    asList(asObj(c)['ports']).map((p) => {
      const port = asObj(p);
      return { name: port['name'] as string | undefined, port: Number(port['containerPort']), protocol: (port['protocol'] as string | undefined) ?? 'TCP' };
    }),
  );
  const nodeName = typeof spec['nodeName'] === 'string' && spec['nodeName'] !== '' ? spec['nodeName'] : undefined;
  const phase = status['phase'];
  // semantics.md §2.1 lists "scheduled"; netpolc reads an IP as proof of it (README, Input): the
  // CNI gives a pod its IP on its node, after scheduling, so only hand-written inventories have
  // pods with an IP and no nodeName, and those mean them to take part.
  const actionable = phase !== 'Succeeded' && phase !== 'Failed' && ips.length > 0 && spec['hostNetwork'] !== true;
  const pod: OPod = { namespace: namespaceOf(meta), name: meta['name'] as string, labels: labelsOf(meta), ips, nodeName, ports };
  return { pod, actionable };
}

function readRules(list: unknown, peerKey: 'from' | 'to'): Rule[] {
  return asList(list).map((r) => {
    const rule = asObj(r);
    // §1.3: omitted or [] peers = any peer; omitted or [] ports = any port, any protocol.
    return { peers: asList(rule[peerKey]) as Peer[], ports: asList(rule['ports']) as PortEntry[] };
  });
}

function readPolicy(o: Obj): OPolicy {
  const meta = asObj(o['metadata']);
  const spec = asObj(o['spec']);
  const egressRules = readRules(spec['egress'], 'to');
  // §1.1 / §4 row 1: policyTypes omitted or [] → [Ingress] + Egress iff egress has ≥ 1 rule.
  let types = asList(spec['policyTypes']) as string[];
  if (types.length === 0) types = egressRules.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  return {
    namespace: namespaceOf(meta),
    name: meta['name'] as string,
    podSelector: asObj(spec['podSelector']) as Selector, // §1.1: omitted = {} = every pod of the namespace
    ingress: types.includes('Ingress') ? readRules(spec['ingress'], 'from') : null,
    egress: types.includes('Egress') ? egressRules : null,
  };
}

// ---- the oracle ----

export interface Oracle {
  allowed(c: OracleConnection): boolean;
}

export function buildOracle(manifests: readonly unknown[]): Oracle {
  const objects = flatten(manifests);
  const nsLabels = new Map<string, Record<string, string>>();
  const nodeIps = new Map<string, Set<string>>(); // canonical addresses per node name
  const pods: OPod[] = []; // actionable pods only (§2.1)
  const policies: OPolicy[] = [];
  for (const o of objects) {
    const meta = asObj(o['metadata']);
    if (o['kind'] === 'Namespace') nsLabels.set(meta['name'] as string, labelsOf(meta));
    else if (o['kind'] === 'Node') {
      const addrs = asList(asObj(o['status'])['addresses'])
        .map((a) => asObj(a)['address'])
        .filter((a): a is string => typeof a === 'string' && ipaddr.isValid(a));
      nodeIps.set(meta['name'] as string, new Set(addrs.map(canonical)));
    } else if (o['kind'] === 'Pod') {
      const { pod, actionable } = readPod(o);
      if (actionable) pods.push(pod);
    } else if (o['kind'] === 'NetworkPolicy') policies.push(readPolicy(o));
  }
  // §1.1: the API server labels every namespace with its name.
  const namespaceLabels = (ns: string): Record<string, string> => ({ ...(nsLabels.get(ns) ?? {}), [NAME_LABEL]: ns });

  const podById = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const podByIp = new Map(pods.flatMap((p) => p.ips.map((ip) => [canonical(ip), p] as const)));
  /**
   * The actionable pod behind an endpoint: by identity for pod endpoints, by IP for address
   * endpoints (a packet from or to a pod's address is that pod's traffic; §2.4 "src is not a pod
   * in the inventory" is read as "its address belongs to no actionable pod").
   */
  const podOf = (e: OracleEndpoint): OPod | undefined => (e.kind === 'pod' ? podById.get(`${e.namespace}/${e.name}`) : podByIp.get(canonical(e.ip)));

  /** Does one peer entry (§2.2) match the other end `other` (its pod, if any, and its IP)? */
  const peerMatches = (policy: OPolicy, peer: Peer, other: OPod | undefined, ip: string): boolean => {
    if (peer.ipBlock) return inIpBlock(ip, peer.ipBlock); // by IP: pods and nodes included (§3 default)
    if (!other) return false; // selector peers match pod IPs only
    if (peer.namespaceSelector) {
      if (!selectorMatches(peer.namespaceSelector, namespaceLabels(other.namespace))) return false;
    } else if (other.namespace !== policy.namespace) return false; // podSelector alone: policy's namespace
    return peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
  };

  /** §2.3: some port entry matches protocol and destination port; named ports resolve on `dstPod`. */
  const portsMatch = (ports: readonly PortEntry[], c: OracleConnection, dstPod: OPod | undefined): boolean => {
    if (ports.length === 0) return true;
    return ports.some((p) => {
      const protocol = p.protocol ?? 'TCP'; // §1.1, §4 row 2
      if (protocol !== c.protocol) return false;
      if (p.port === undefined) return true; // every port of that protocol
      if (typeof p.port === 'string') {
        // Named port: on the destination pod's container ports, by name AND protocol; an
        // unknown destination (no pod) never matches (§2.3, §4 row 6).
        return dstPod !== undefined && dstPod.ports.some((cp) => cp.name === p.port && cp.protocol === protocol && cp.port === c.port);
      }
      return p.endPort !== undefined ? c.port >= p.port && c.port <= p.endPort : c.port === p.port; // inclusive range
    });
  };

  const selecting = (pod: OPod, dir: 'ingress' | 'egress'): OPolicy[] => policies.filter((p) => p[dir] !== null && p.namespace === pod.namespace && selectorMatches(p.podSelector, pod.labels));

  /** One side of §2.4: true when `subject` is not isolated in `dir`, or some rule allows the other end. */
  const sideAllows = (dir: 'ingress' | 'egress', subject: OPod, other: OPod | undefined, otherIp: string, c: OracleConnection, dstPod: OPod | undefined): boolean => {
    const applying = selecting(subject, dir);
    if (applying.length === 0) return true; // not isolated in this direction
    return applying.some((policy) => policy[dir]!.some((rule) => (rule.peers.length === 0 || rule.peers.some((peer) => peerMatches(policy, peer, other, otherIp))) && portsMatch(rule.ports, c, dstPod)));
  };

  return {
    allowed(c: OracleConnection): boolean {
      const srcPod = podOf(c.src);
      const dstPod = podOf(c.dst);
      if (srcPod && dstPod && srcPod === dstPod) return true; // §2.5, §4 row 13: a pod can always reach itself
      const egressOk = srcPod === undefined || sideAllows('egress', srcPod, dstPod, c.dst.ip, c, dstPod);
      let ingressOk = dstPod === undefined || sideAllows('ingress', dstPod, srcPod, c.src.ip, c, dstPod);
      // §2.5, §4 row 8: ingress whose source is the destination pod's own node is allowed.
      if (!ingressOk && dstPod?.nodeName !== undefined && srcPod === undefined && nodeIps.get(dstPod.nodeName)?.has(canonical(c.src.ip))) ingressOk = true;
      return egressOk && ingressOk;
    },
  };
}
