// The cluster as Calico sees it: workload endpoints, namespace profiles and host addresses,
// built from the inventory the way Calico's Kubernetes datastore driver builds them
// (libcalico-go/lib/backend/k8s/conversion). Test support only.
import { parseIp, type Family, type Inventory, type Protocol } from '@netpolc/ir';

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

/** Everything the evaluator needs to know about the cluster. */
export interface CalicoCluster {
  readonly endpoints: readonly WorkloadEndpoint[];
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

/** Builds Calico's view of an inventory. */
export function calicoCluster(inventory: Inventory): CalicoCluster {
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
      ports: pod.ports.flatMap((p) => (p.name === undefined ? [] : [{ name: p.name, protocol: p.protocol, port: p.port }])),
      profiles: [profile],
    });
  }
  const endpointByAddress = new Map<string, WorkloadEndpoint>();
  for (const ep of endpoints) for (const a of ep.addresses) endpointByAddress.set(a.text, ep);
  const hostAddresses = new Map<string, string>();
  for (const node of inventory.nodes) for (const a of node.addresses) hostAddresses.set(a.ip, node.name);
  return { endpoints, profiles, hostAddresses, endpointByAddress };
}
