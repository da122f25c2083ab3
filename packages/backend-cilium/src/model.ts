// Typed model of the `cilium.io/v2` policy objects netpolc emits. Field names and meaning follow
// cilium/cilium `pkg/policy/api` (rule.go, ingress.go, egress.go, l4.go, cidr.go, selector.go) and
// the CRD schema `pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml`. Only the
// subset netpolc writes is modelled, but every field keeps Cilium's meaning so that the model can be
// evaluated (test/support/cilium-eval.ts) and parsed back from YAML.

/** Label selector operators of a Cilium `EndpointSelector` (a Kubernetes LabelSelector). */
/** A model object under construction: its fields set one by one, then handed out read-only. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

export type CiliumOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** `{key, operator, values}`; keys carry a label source prefix such as `k8s:`. */
export interface CiliumRequirement {
  readonly key: string;
  readonly operator: CiliumOperator;
  /** Present (non-empty) for In/NotIn only. */
  readonly values?: readonly string[];
}

/** An `EndpointSelector`: `matchLabels` and `matchExpressions` are ANDed; `{}` selects everything. */
export interface CiliumSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly CiliumRequirement[];
}

/** Entities of `fromEntities`/`toEntities` (Documentation/security/policy/layer3.rst "Entities based"). */
export type CiliumEntity = 'all' | 'world' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'init' | 'ingress' | 'health' | 'unmanaged' | 'none';

/** A `CIDRRule` of `fromCIDRSet`/`toCIDRSet`: `except` is scoped to this rule's `cidr` only. */
export interface CiliumCidrRule {
  readonly cidr: string;
  readonly except?: readonly string[];
}

/** Transport protocols of a `PortProtocol` (`ANY` = TCP, UDP and SCTP; pkg/policy/rule.go mergeIngress). */
export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

/** A `PortProtocol`: `port` is a number (`"0"` = every port) or a named container port. */
export interface CiliumPortProtocol {
  readonly port: string;
  /** Last port of an inclusive range (Cilium >= 1.16, cilium/cilium#32807). */
  readonly endPort?: number;
  readonly protocol: CiliumProtocol;
}

/** A `PortRule`: at most 40 `ports` (pkg/policy/api/rule_validation.go `maxPorts`). */
export interface CiliumPortRule {
  readonly ports: readonly CiliumPortProtocol[];
}

/** An `ICMPField`: one ICMP type of one family (pkg/policy/api/icmp.go); Cilium enforces it like a port. */
export interface CiliumIcmpField {
  readonly family: 'IPv4' | 'IPv6';
  readonly type: number;
}

/** An `ICMPRule`: at most 40 `fields` (CRD maxItems). */
export interface CiliumIcmpRule {
  readonly fields: readonly CiliumIcmpField[];
}

/**
 * One ingress rule. netpolc writes at most one L3 field per rule: Cilium releases before the
 * aggregated-selector rework reject combinations ("Combining %s and %s is not supported yet",
 * pkg/policy/api/rule_validation.go). An L3 field absent and `toPorts` present means every peer.
 */
export interface CiliumIngressRule {
  readonly fromEndpoints?: readonly CiliumSelector[];
  readonly fromCIDRSet?: readonly CiliumCidrRule[];
  readonly fromEntities?: readonly CiliumEntity[];
  readonly toPorts?: readonly CiliumPortRule[];
  /** ICMP types (`--semantics icmp-essentials`); without an L3 field, from every peer. */
  readonly icmps?: readonly CiliumIcmpRule[];
}

/** One egress rule (same shape as {@link CiliumIngressRule}). */
export interface CiliumEgressRule {
  readonly toEndpoints?: readonly CiliumSelector[];
  readonly toCIDRSet?: readonly CiliumCidrRule[];
  readonly toEntities?: readonly CiliumEntity[];
  readonly toPorts?: readonly CiliumPortRule[];
  readonly icmps?: readonly CiliumIcmpRule[];
}

/** Explicit default-deny switches (`spec.enableDefaultDeny`, Cilium >= 1.15). */
export interface CiliumDefaultDeny {
  readonly ingress?: boolean;
  readonly egress?: boolean;
}

/** A policy `Rule` (`spec`). */
export interface CiliumRule {
  readonly description?: string;
  readonly endpointSelector: CiliumSelector;
  readonly enableDefaultDeny?: CiliumDefaultDeny;
  readonly ingress?: readonly CiliumIngressRule[];
  readonly ingressDeny?: readonly CiliumIngressRule[];
  readonly egress?: readonly CiliumEgressRule[];
  readonly egressDeny?: readonly CiliumEgressRule[];
}

/** Object metadata written by netpolc. */
export interface CiliumMetadata {
  readonly name: string;
  /** Absent for `CiliumClusterwideNetworkPolicy`. */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy`. */
export interface CiliumPolicy {
  readonly apiVersion: 'cilium.io/v2';
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly metadata: CiliumMetadata;
  readonly spec: CiliumRule;
}

/** Label keys of Cilium identities (Documentation/security/policy/kubernetes.rst). */
export const ciliumLabel = {
  /** Source prefix of labels derived from Kubernetes objects. */
  k8sSource: 'k8s:',
  /** The pod's namespace, set on every pod identity. */
  podNamespace: 'k8s:io.kubernetes.pod.namespace',
  /** Prefix of the namespace's own labels on every pod identity. */
  namespaceLabels: 'k8s:io.cilium.k8s.namespace.labels.',
  /** The agent's cluster name (`--cluster-name`, `default` unless set), on every pod identity. */
  cluster: 'k8s:io.cilium.k8s.policy.cluster',
} as const;
