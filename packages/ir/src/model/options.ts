/**
 * Implementation-defined behaviour (semantics.md §3), as explicit knobs of the IR and of the
 * reference evaluator. Defaults follow the Kubernetes documentation and upstream e2e tests.
 */
export interface SemanticsOptions {
  /**
   * An ipBlock also matches pod IPs. Upstream e2e tests build ipBlocks around pod IPs; Calico
   * matches them (projectcalico/calico#6634); Cilium does not (cilium/cilium#9209).
   * @defaultValue true
   */
  readonly ipBlockMatchesPods: boolean;
  /**
   * An ipBlock also matches the addresses Node objects list (and so hostNetwork pods on them).
   * Upstream leaves it undefined; Calico matches them; Cilium's CIDR rules do not unless
   * `policy-cidr-match-mode` includes nodes (cilium/cilium#20550, since 1.15).
   * @defaultValue true
   */
  readonly ipBlockMatchesNodes: boolean;
  /**
   * Ingress from the destination pod's own node is always allowed ("if the traffic source is
   * the pod's local node", `NetworkPolicySpec.ingress` in k8s.io/api networking/v1 types.go).
   * @defaultValue true
   */
  readonly allowNodeLocalIngress: boolean;
  /**
   * A pod can always reach itself ("a pod cannot block access to itself", kubernetes.io
   * NetworkPolicy docs; upstream e2e `AllowLoopback`).
   * @defaultValue true
   */
  readonly allowSelf: boolean;
  /**
   * The ICMP messages kube-router admits for every pod whatever the policies say, in both
   * directions (its `utils.CommonICMPRules`, in the KUBE-NWPLCY-COMMON chain): echo request,
   * destination unreachable and time exceeded, and for IPv6 also neighbour solicitation and
   * advertisement and echo reply. NetworkPolicy v1 leaves ICMP undefined (network-policy-api#72,
   * #187); off, ICMP passes only rules without `ports`, like any protocol.
   * @defaultValue false
   */
  readonly allowIcmpEssentials: boolean;
}

/** The Kubernetes-documented profile. */
export const defaultSemantics: SemanticsOptions = Object.freeze({
  ipBlockMatchesPods: true,
  ipBlockMatchesNodes: true,
  allowNodeLocalIngress: true,
  allowSelf: true,
  allowIcmpEssentials: false,
});

/**
 * The ICMP types of the `icmp-essentials` profile, by family, as kube-router's
 * `utils.CommonICMPRules` lists them: echo request (8), destination unreachable (3), time exceeded
 * (11); for IPv6 echo request (128), destination unreachable (1), time exceeded (3), neighbour
 * solicitation (135) and advertisement (136), echo reply (129).
 */
export const icmpEssentialTypes: Readonly<Record<4 | 6, readonly number[]>> = Object.freeze({ 4: Object.freeze([8, 3, 11]), 6: Object.freeze([128, 1, 3, 135, 136, 129]) });
