// Typed model of the Calico `projectcalico.org/v3` objects netpolc emits. Field names and
// shapes follow the Calico CRDs (api/config/crd/projectcalico.org_{networkpolicies,tiers}.yaml);
// only the fields a NetworkPolicy v1 translation needs are modelled. Selectors are kept as
// syntax trees (see selector.ts) so the model can be evaluated without re-parsing text.
import type { Selector } from './selector.js';

/** `apiVersion` of every emitted object. */
export const calicoApiVersion = 'projectcalico.org/v3';

/** Rule actions (`Rule.action`). `Log` is non-terminal; the others end evaluation of the tier. */
export type CalicoAction = 'Allow' | 'Deny' | 'Log' | 'Pass';

/**
 * Protocols netpolc writes: those with ports, and ICMP/ICMPv6 for the `icmp-essentials` profile
 * (Calico also knows UDPLite; NetworkPolicy v1 does not).
 */
export type CalicoProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** Policy directions (`spec.types`). */
export type PolicyType = 'Ingress' | 'Egress';

/** One entry of `ports`: a number, an inclusive range `from:to`, or a named port. */
export type CalicoPort =
  | { readonly kind: 'number'; readonly port: number }
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'named'; readonly name: string };

/** `source` / `destination` of a rule (`EntityRule`); absent fields match everything. */
export interface EntityRule {
  readonly nets?: readonly string[];
  readonly notNets?: readonly string[];
  readonly selector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ports?: readonly CalicoPort[];
}

/** One rule of a policy. */
export interface CalicoRule {
  readonly action: CalicoAction;
  readonly protocol?: CalicoProtocol;
  /** `icmp: {type: N}` (with protocol ICMP or ICMPv6): one ICMP type, every code. */
  readonly icmp?: { readonly type: number };
  readonly source?: EntityRule;
  readonly destination?: EntityRule;
}

/** Object metadata (only what netpolc writes). */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `kind: NetworkPolicy` (namespaced): applies to endpoints of its own namespace only. */
export interface CalicoNetworkPolicy {
  readonly kind: 'NetworkPolicy';
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly tier?: string;
    /** Absent: "infinite", applied after every ordered policy of the tier. */
    readonly order?: number;
    readonly selector: Selector;
    readonly types: readonly PolicyType[];
    readonly ingress?: readonly CalicoRule[];
    readonly egress?: readonly CalicoRule[];
  };
}

/** What a tier does with traffic of an endpoint it applies to when no policy decides. */
export type TierDefaultAction = 'Deny' | 'Pass';

/** `kind: Tier` (cluster-wide). */
export interface CalicoTier {
  readonly kind: 'Tier';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly order?: number; readonly defaultAction?: TierDefaultAction };
}

/** Every object kind netpolc emits. */
export type CalicoObject = CalicoNetworkPolicy | CalicoTier;

/** Tiers that exist in every Calico cluster, with their fixed order and default action (tier CRD CEL rules). */
export const builtinTiers: Readonly<Record<string, { readonly order: number; readonly defaultAction: TierDefaultAction }>> = {
  'kube-admin': { order: 1_000, defaultAction: 'Pass' },
  default: { order: 1_000_000, defaultAction: 'Deny' },
  'kube-baseline': { order: 10_000_000, defaultAction: 'Pass' },
  // The same two tiers under the names of releases before the ClusterNetworkPolicy rename
  // (libcalico-go lib/names AdminNetworkPolicyTierName / BaselineAdminNetworkPolicyTierName,
  // tigera/docs#2416): emitting them as tiers of our own would try to rewrite built-in tiers.
  adminnetworkpolicy: { order: 1_000, defaultAction: 'Pass' },
  baselineadminnetworkpolicy: { order: 10_000_000, defaultAction: 'Pass' },
};

/** Built-in tiers that hold cluster-wide admin policies, not NetworkPolicies. */
export const adminTiers: ReadonlySet<string> = new Set(['kube-admin', 'kube-baseline', 'adminnetworkpolicy', 'baselineadminnetworkpolicy']);
