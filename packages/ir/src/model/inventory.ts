import type { SourceRef } from '../diagnostics/diagnostic.js';
import type { Family } from '../net/ip.js';
import type { Protocol } from './policy.js';

/** Labels of an object. */
export type Labels = Readonly<Record<string, string>>;

/** A namespace; `kubernetes.io/metadata.name` is always present, as the API server sets it. */
export interface Namespace {
  readonly name: string;
  readonly labels: Labels;
  /** False when the namespace was only implied by a pod or policy. */
  readonly declared: boolean;
  readonly origin: SourceRef | undefined;
}

/** A container port (`spec.containers[].ports[]`). */
export interface ContainerPort {
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: Protocol;
}

/** A named port of a native sidecar (an init container with restartPolicy: Always), with its container. */
export interface SidecarPort extends ContainerPort {
  readonly name: string;
  readonly container: string;
}

/** One address of a pod or node. */
export interface Address {
  readonly family: Family;
  /** Canonical text. */
  readonly ip: string;
  readonly value: bigint;
}

/** A pod of the inventory. */
export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly nodeName: string | undefined;
  readonly hostNetwork: boolean;
  readonly phase: string | undefined;
  /** Every entry of `status.podIPs` (or `status.podIP`), canonical. */
  readonly addresses: readonly Address[];
  readonly ports: readonly ContainerPort[];
  /**
   * Named ports of init containers that are no sidecars (absent when there are none). Kubernetes
   * never resolves a named port on them (kubernetes/kubernetes#127958), but Calico does
   * (libcalico-go conversion workload_endpoint_default.go, projectcalico/calico#8885), so a
   * backend for Calico must know them.
   */
  readonly initPorts?: readonly ContainerPort[];
  /**
   * The named ports of native sidecars, which are in `ports` too (absent when there are none).
   * Kubernetes resolves names on them; Cilium reads `spec.containers` only (pkg/k8s/labels.go
   * GetPodMetadata), so a backend for Cilium must know them.
   */
  readonly sidecarPorts?: readonly SidecarPort[];
  /** False for pods that take no part in policy (no IP, finished, hostNetwork). */
  readonly actionable: boolean;
  readonly origin: SourceRef;
}

/** A node and its addresses. */
export interface Node {
  readonly name: string;
  readonly labels: Labels;
  readonly addresses: readonly Address[];
  readonly origin: SourceRef;
}

/** A port of a Service (`spec.ports[]`): what clients connect to, and the pod port it forwards to. */
export interface ServicePort {
  readonly port: number;
  readonly protocol: Protocol;
  /** `targetPort`: a number, or a container port name looked up on each pod; defaults to `port`. */
  readonly targetPort: number | string;
}

/**
 * A Service, read only to warn about policies written against it (semantics.md §4 row 7): a
 * policy sees the pod's address and port after the Service's DNAT, never the Service's own.
 */
export interface Service {
  readonly namespace: string;
  readonly name: string;
  /** `spec.selector`; undefined when absent or empty (no pods are selected for it). */
  readonly selector: Labels | undefined;
  /** None for a headless or ExternalName Service: nothing translates their ports. */
  readonly ports: readonly ServicePort[];
  /** `spec.clusterIPs` (or `spec.clusterIP`), without `None`. */
  readonly clusterIPs: readonly Address[];
  /**
   * How outside clients reach a Service with `externalTrafficPolicy: Cluster` (the default), whom
   * kube-proxy masquerades to a node address before their packets reach a pod: `NodePort`,
   * `LoadBalancer` or `externalIPs`; undefined for a Service outside clients do not reach.
   */
  readonly masqueradesClients: string | undefined;
  readonly origin: SourceRef;
}

/** The cluster a policy set is resolved against. Lists are sorted by namespace and name. */
export interface Inventory {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly nodes: readonly Node[];
  /** Services of the input, for lint warnings only; absent when none were read. */
  readonly services?: readonly Service[];
}

/** `namespace/name` of a pod. */
export function podId(p: { readonly namespace: string; readonly name: string }): string {
  return `${p.namespace}/${p.name}`;
}
