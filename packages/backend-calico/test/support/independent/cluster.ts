// The Calico datastore an inventory turns into under Calico's Kubernetes datastore driver, plus
// the non-Kubernetes objects a faithful translation must not select by accident. Written from
// upstream projectcalico/calico sources:
//  - libcalico-go/lib/backend/k8s/conversion/workload_endpoint_default.go: a pod's workload
//    endpoint carries the pod's labels plus projectcalico.org/namespace=<ns>,
//    projectcalico.org/orchestrator=k8s and projectcalico.org/serviceaccount=<sa> (Calico's own
//    labels are written last, over the pod's), profiles kns.<ns> and ksa.<ns>.<sa>, and the named
//    ports of its containers and init containers (projectcalico/calico#8885).
//  - libcalico-go/lib/backend/k8s/conversion/conversion.go (NamespaceToProfile,
//    ServiceAccountToProfile) and constants.go: the namespace profile kns.<ns> passes on every
//    namespace label as pcns.<key> plus pcns.projectcalico.org/name=<ns>; the service account
//    profile passes pcsa.<key> plus pcsa.projectcalico.org/name=<sa>; both profiles allow
//    everything in and out.
//  - felix/labelindex (endpoint_data.go): an endpoint's effective labels are its profiles'
//    labels overridden by its own.
//  - libcalico-go/lib/backend/syncersv1/updateprocessors/networksetprocessor.go: a namespaced
//    NetworkSet gets projectcalico.org/namespace=<ns> and the profile kns.<ns> (namespace label
//    inheritance); a GlobalNetworkSet only has its own labels (globalnetworksetprocessor.go).
//  - auto host endpoints (kube-controllers, docs "Host endpoints" / "auto host endpoints"): one
//    per node, labelled like the node, expectedIPs = the node's addresses, profile
//    projectcalico-default-allow.
import { cidrBounds, parseCidr, parseIp, type Program } from '@netpolc/ir';

export type Labels = Readonly<Record<string, string>>;

export interface NamedPort {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
}

/** Anything whose addresses a selector IP set can hold. */
export interface CalicoEndpoint {
  readonly kind: 'workload' | 'host' | 'networkset' | 'globalnetworkset';
  readonly name: string;
  readonly namespace: string | undefined;
  /** Effective labels (profile labels overridden by own labels). */
  readonly labels: Labels;
  /** CIDRs (endpoint IPs as /32 or /128). */
  readonly nets: readonly string[];
  readonly ports: readonly NamedPort[];
  /** For workloads: the node; for host endpoints: the node they stand for. */
  readonly node: string | undefined;
}

export interface CalicoCluster {
  readonly endpoints: readonly CalicoEndpoint[];
  /** Node name → addresses. */
  readonly nodes: ReadonlyMap<string, readonly string[]>;
}

export interface ExtraObjects {
  /** Extra network sets and global network sets (non-Kubernetes traps). */
  readonly networkSets?: readonly { name: string; namespace?: string; labels: Labels; nets: readonly string[] }[];
  /** Named ports declared on every auto host endpoint. */
  readonly hostEndpointPorts?: readonly NamedPort[];
  /** Service account per pod id (default: `default`). */
  readonly serviceAccounts?: Readonly<Record<string, string>>;
}

function hostNet(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** Builds the Calico view of a program's inventory (and optional extra objects). */
export function buildCluster(program: Program, extra: ExtraObjects = {}): CalicoCluster {
  const nsLabels = new Map(program.inventory.namespaces.map((n) => [n.name, n.labels] as const));
  const profileLabels = (ns: string): Record<string, string> => {
    const out: Record<string, string> = {};
    // conversion.go NamespaceToProfile: pcns.<key> for every namespace label, plus pcns.projectcalico.org/name.
    for (const [k, v] of Object.entries(nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns })) out[`pcns.${k}`] = v;
    out['pcns.projectcalico.org/name'] = ns;
    return out;
  };
  const endpoints: CalicoEndpoint[] = [];
  for (const pod of program.inventory.pods) {
    // Only pods with a workload endpoint (an IP, not host-networked, not finished) are endpoints.
    if (!pod.actionable) continue;
    const sa = extra.serviceAccounts?.[`${pod.namespace}/${pod.name}`] ?? 'default';
    const labels: Record<string, string> = {
      ...profileLabels(pod.namespace),
      // ServiceAccountToProfile: pcsa.projectcalico.org/name (no SA labels in our inventory).
      'pcsa.projectcalico.org/name': sa,
      ...pod.labels,
      'projectcalico.org/namespace': pod.namespace,
      'projectcalico.org/orchestrator': 'k8s',
      'projectcalico.org/serviceaccount': sa,
    };
    const ports: NamedPort[] = [];
    for (const p of [...pod.ports, ...(pod.initPorts ?? [])]) if (p.name) ports.push({ name: p.name, protocol: p.protocol, port: p.port });
    endpoints.push({ kind: 'workload', name: `${pod.namespace}/${pod.name}`, namespace: pod.namespace, labels, nets: pod.addresses.map((a) => hostNet(a.ip)), ports, node: pod.nodeName });
  }
  const nodes = new Map<string, string[]>();
  for (const n of program.inventory.nodes) {
    nodes.set(
      n.name,
      n.addresses.map((a) => a.ip),
    );
    endpoints.push({
      kind: 'host',
      name: `${n.name}-auto-hep`,
      namespace: undefined,
      labels: { ...n.labels, 'kubernetes.io/hostname': n.name, 'projectcalico.org/created-by': 'calico-kube-controllers' },
      nets: n.addresses.map((a) => hostNet(a.ip)),
      ports: extra.hostEndpointPorts ?? [],
      node: n.name,
    });
  }
  for (const s of extra.networkSets ?? []) {
    if (s.namespace !== undefined) {
      endpoints.push({ kind: 'networkset', name: `${s.namespace}/${s.name}`, namespace: s.namespace, labels: { ...profileLabels(s.namespace), ...s.labels, 'projectcalico.org/namespace': s.namespace }, nets: s.nets, ports: [], node: undefined });
    } else {
      endpoints.push({ kind: 'globalnetworkset', name: s.name, namespace: undefined, labels: { ...s.labels }, nets: s.nets, ports: [], node: undefined });
    }
  }
  return { endpoints, nodes };
}

/** Whether `ip` is inside `cidr` (a CIDR or a bare IP, as Calico's ParseCIDROrIP reads them). */
export function inNet(ip: string, cidr: string): boolean {
  const addr = parseIp(ip);
  const net = parseCidr(cidr.includes('/') ? cidr : hostNet(cidr));
  if (!addr || !net || addr.family !== net.family) return false;
  const [lo, hi] = cidrBounds(net);
  return addr.value >= lo && addr.value <= hi;
}

export function familyOf(ipOrCidr: string): 4 | 6 {
  return ipOrCidr.includes(':') ? 6 : 4;
}
