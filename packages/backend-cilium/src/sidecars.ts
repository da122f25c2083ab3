// Named ports of native sidecars, which Kubernetes resolves and Cilium does not.
//
// Kubernetes resolves a NetworkPolicy named port on the destination pod's containers and native
// sidecars (init containers with restartPolicy: Always; kubernetes/kubernetes#127958). Cilium
// reads the named ports of `spec.containers` only, for the endpoint's own map used by ingress
// (pkg/k8s/labels.go GetPodMetadata → pkg/endpoint Endpoint.SetK8sMetadata) and for the
// cluster-wide map used by egress (pkg/k8s/watchers/pod.go updatePodHostData, "Store Named
// ports, if any"): the same loop in every version read, from 2020 sources to current main. Init containers, plain or
// restartable, are never read. So plain init containers (Pod.initPorts) behave as in Kubernetes,
// and a name declared on a sidecar does not resolve in Cilium: an ingress rule naming it allows
// nothing on that pod (narrower than Kubernetes). Egress names are resolved by netpolc into
// numbers (lower-rule.ts egressNamed), so sidecar ports need nothing there.
import type { Pod, Protocol } from '@netpolc/ir';

/** `protocol/name` of a named port. */
export const namedPortKey = (protocol: Protocol, name: string): string => `${protocol}/${name}`;

/**
 * Which pods (by index) declare each `protocol/name` on a sidecar, and on which sidecar. Empty
 * (the common case) when no pod has sidecar ports, so that lowering does no work for them.
 */
export function sidecarNamesOf(pods: readonly Pod[]): ReadonlyMap<string, ReadonlyMap<number, string>> {
  const out = new Map<string, Map<number, string>>();
  pods.forEach((pod, i) => {
    for (const s of pod.sidecarPorts ?? []) {
      const key = namedPortKey(s.protocol, s.name);
      let byPod = out.get(key);
      if (!byPod) out.set(key, (byPod = new Map()));
      if (!byPod.has(i)) byPod.set(i, s.container);
    }
  });
  return out;
}
