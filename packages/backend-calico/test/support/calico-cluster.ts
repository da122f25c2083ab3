// The cluster as Calico sees it: workload endpoints, namespace profiles and host addresses,
// built from the inventory the way Calico's Kubernetes datastore driver builds them
// (libcalico-go/lib/backend/k8s/conversion), plus the objects that are not pods but that rule
// selectors can still match: host endpoints and (global) network sets. Test support only.
import { parseCidr, parseIp, type Family, type Inventory, type Protocol } from '@netpolc/ir';

/** An address of an endpoint or host. */
export interface Address {
  readonly family: Family;
  readonly value: bigint;
  readonly text: string;
}

/** A named port of a workload endpoint (`WorkloadEndpoint.spec.ports`). */
export interface EndpointPort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

/** A Calico WorkloadEndpoint. */
export interface WorkloadEndpoint {
  readonly id: string;
  readonly namespace: string;
  readonly node: string;
  /** Effective labels: the endpoint's own labels over those its profiles apply. */
  readonly labels: ReadonlyMap<string, string>;
  readonly addresses: readonly Address[];
  readonly ports: readonly EndpointPort[];
  readonly profiles: readonly string[];
}

/** A profile: labels to apply and rules evaluated when no tier decides. */
export interface Profile {
  readonly name: string;
  readonly labelsToApply: ReadonlyMap<string, string>;
  /** The rules of a Kubernetes namespace profile are a single Allow per direction. */
  readonly ingress: readonly 'Allow'[];
  readonly egress: readonly 'Allow'[];
}

/** A HostEndpoint: its expected IPs join the IP sets of the selectors its labels match. */
export interface HostEndpoint {
  readonly name: string;
  readonly node: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly addresses: readonly Address[];
  /** `spec.ports`: named ports of the host, which feed named-port IP sets as a pod's do. */
  readonly ports: readonly EndpointPort[];
}

/** A NetworkSet (namespaced) or GlobalNetworkSet (no namespace), with its effective labels. */
export interface NetworkSet {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly nets: readonly string[];
}

/** Non-workload objects as a user writes them (labels as in `metadata.labels`). */
export interface NonWorkloadObjects {
  readonly hostEndpoints?: readonly { readonly name: string; readonly node: string; readonly labels: Readonly<Record<string, string>>; readonly expectedIPs: readonly string[]; readonly ports?: readonly EndpointPort[] }[];
  readonly networkSets?: readonly { readonly name: string; readonly namespace?: string; readonly labels: Readonly<Record<string, string>>; readonly nets: readonly string[] }[];
}

/** Everything the evaluator needs to know about the cluster. */
export interface CalicoCluster {
  readonly endpoints: readonly WorkloadEndpoint[];
  readonly hostEndpoints: readonly HostEndpoint[];
  readonly networkSets: readonly NetworkSet[];
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Host (node) addresses by canonical text -> node name. */
  readonly hostAddresses: ReadonlyMap<string, string>;
  /** Endpoint owning an address (canonical text). */
  readonly endpointByAddress: ReadonlyMap<string, WorkloadEndpoint>;
}

/** conversion.go constants: NamespaceLabelPrefix, NamespaceProfileNamePrefix, apiv3.LabelNamespace/LabelOrchestrator. */
export const namespaceLabelPrefix = 'pcns.';
export const labelNamespace = 'projectcalico.org/namespace';
export const labelOrchestrator = 'projectcalico.org/orchestrator';

function address(text: string): Address {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP: ${text}`);
  return { family: ip.family, value: ip.value, text };
}

/** Builds Calico's view of an inventory and of the non-workload objects next to it. */
export function calicoCluster(inventory: Inventory, others: NonWorkloadObjects = {}): CalicoCluster {
  const profiles = new Map<string, Profile>();
  for (const ns of inventory.namespaces) {
    // NamespaceToProfile: profile kns.<ns>, labelsToApply = namespace labels prefixed "pcns." plus
    // pcns.projectcalico.org/name = <ns>; ingress and egress rules: a single Allow each.
    const labels = new Map<string, string>(Object.entries(ns.labels).map(([k, v]) => [`${namespaceLabelPrefix}${k}`, v]));
    labels.set(`${namespaceLabelPrefix}projectcalico.org/name`, ns.name);
    profiles.set(`kns.${ns.name}`, { name: `kns.${ns.name}`, labelsToApply: labels, ingress: ['Allow'], egress: ['Allow'] });
  }
  const endpoints: WorkloadEndpoint[] = [];
  for (const pod of inventory.pods) {
    // A pod is a workload endpoint only when it is scheduled, not host-networked, not finished
    // and has an IP (conversion.go IsReadyCalicoPod / isHostNetworked / IsFinished).
    if (pod.hostNetwork || pod.nodeName === undefined || pod.addresses.length === 0) continue;
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const profile = `kns.${pod.namespace}`;
    // Endpoint labels: pod labels plus projectcalico.org/namespace and /orchestrator
    // (workload_endpoint_default.go); labels of the endpoint win over inherited profile labels
    // (felix/labelindex: an item's own labels override its parents').
    const labels = new Map<string, string>(profiles.get(profile)?.labelsToApply ?? []);
    for (const [k, v] of Object.entries(pod.labels)) labels.set(k, v);
    labels.set(labelNamespace, pod.namespace);
    labels.set(labelOrchestrator, 'k8s');
    endpoints.push({
      id: `${pod.namespace}/${pod.name}`,
      namespace: pod.namespace,
      node: pod.nodeName,
      labels,
      addresses: pod.addresses.map((a) => address(a.ip)),
      // Every init container's named ports too, sidecar or not (libcalico-go conversion
      // workload_endpoint_default.go appends pod.Spec.InitContainers' ports; calico#8885).
      ports: [...pod.ports, ...(pod.initPorts ?? [])].flatMap((p) => (p.name === undefined ? [] : [{ name: p.name, protocol: p.protocol, port: p.port }])),
      profiles: [profile],
    });
  }
  const endpointByAddress = new Map<string, WorkloadEndpoint>();
  for (const ep of endpoints) for (const a of ep.addresses) endpointByAddress.set(a.text, ep);
  const hostAddresses = new Map<string, string>();
  for (const node of inventory.nodes) for (const a of node.addresses) hostAddresses.set(a.ip, node.name);
  const hostEndpoints = (others.hostEndpoints ?? []).map((h) => ({ name: h.name, node: h.node, labels: new Map(Object.entries(h.labels)), addresses: h.expectedIPs.map(address), ports: h.ports ?? [] }));
  const networkSets = (others.networkSets ?? []).map((n): NetworkSet => {
    for (const c of n.nets) if (!parseCidr(c)) throw new Error(`not a CIDR: ${c}`);
    if (n.namespace === undefined) return { name: n.name, labels: new Map(Object.entries(n.labels)), nets: n.nets };
    // A NetworkSet gets projectcalico.org/namespace and the namespace profile kns.<ns>, so it
    // inherits the pcns.* labels like a pod does; its own labels win
    // (updateprocessors/networksetprocessor.go convertNetworkSetV2ToV1Value).
    const labels = new Map<string, string>(profiles.get(`kns.${n.namespace}`)?.labelsToApply ?? []);
    for (const [k, v] of Object.entries(n.labels)) labels.set(k, v);
    labels.set(labelNamespace, n.namespace);
    return { name: n.name, namespace: n.namespace, labels, nets: n.nets };
  });
  return { endpoints, hostEndpoints, networkSets, profiles, hostAddresses, endpointByAddress };
}

/**
 * Objects a real cluster often holds next to its pods, built to be matched by as many selectors
 * as possible: an auto host endpoint per node (node labels plus projectcalico.org/created-by,
 * expected IPs the node's addresses: kube-controllers/pkg/controllers/node/hostendpoints.go
 * generateAutoHostendpointFromNode), an unlabelled GlobalNetworkSet covering every address, and
 * in every namespace an unlabelled NetworkSet covering every address plus one carrying the labels
 * of each pod of the namespace. A translation that keeps to pods allows nothing more with them.
 */
export function bystanders(inventory: Inventory): NonWorkloadObjects {
  const everywhere = ['0.0.0.0/0', '::/0'];
  const networkSets: { name: string; namespace?: string; labels: Record<string, string>; nets: string[] }[] = [{ name: 'everything', labels: {}, nets: everywhere }];
  for (const ns of inventory.namespaces) {
    networkSets.push({ name: 'everything', namespace: ns.name, labels: {}, nets: everywhere });
    const labelSets = new Map<string, Record<string, string>>();
    for (const pod of inventory.pods.filter((p) => p.namespace === ns.name)) {
      // Calico refuses projectcalico.org/namespace on a NetworkSet (validator.go validateNetworkSet).
      const labels = Object.fromEntries(Object.entries(pod.labels).filter(([k]) => k !== labelNamespace));
      labelSets.set(JSON.stringify(Object.entries(labels).sort()), labels);
    }
    [...labelSets.keys()].sort().forEach((k, i) => networkSets.push({ name: `like-pods-${i}`, namespace: ns.name, labels: labelSets.get(k)!, nets: everywhere }));
  }
  return {
    hostEndpoints: inventory.nodes.map((n) => ({ name: `${n.name}-auto-hep`, node: n.name, labels: { ...n.labels, 'projectcalico.org/created-by': 'calico-kube-controllers' }, expectedIPs: n.addresses.map((a) => a.ip) })),
    networkSets,
  };
}
