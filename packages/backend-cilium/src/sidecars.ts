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

/** One declaration of a named port: its protocol and number. */
export interface Declaration {
  readonly protocol: Protocol;
  readonly port: number;
}

/**
 * The pods (by index) whose containers declare a name more than once with different ports or
 * protocols, with those declarations in order, by name. An endpoint's named-port map holds one
 * port per name, the last declared (pkg/policy/types NamedPortMap.AddPort: `npm[name] = pp`), where
 * Kubernetes matches every declaration. Sidecar ports, which Cilium never reads, come after the
 * containers' in Pod.ports and are left out.
 */
export function repeatedNamesOf(pods: readonly Pod[]): ReadonlyMap<string, ReadonlyMap<number, readonly Declaration[]>> {
  const out = new Map<string, Map<number, readonly Declaration[]>>();
  pods.forEach((pod, i) => {
    // Most pods have a few ports: a name seen twice is found by comparing pairs, without a set
    // per pod; pods with many ports (hundreds of named ones) take a set.
    const ports = pod.ports;
    let repeated: Set<string> | undefined;
    if (ports.length <= 16) {
      for (let a = 0; a < ports.length; a++) {
        const name = ports[a]!.name;
        if (name === undefined) continue;
        for (let b = a + 1; b < ports.length; b++) if (ports[b]!.name === name) (repeated ??= new Set()).add(name);
      }
    } else {
      const seen = new Set<string>();
      for (const { name } of ports) {
        if (name === undefined) continue;
        if (seen.has(name)) (repeated ??= new Set()).add(name);
        else seen.add(name);
      }
    }
    for (const name of repeated ?? []) {
      const all = ports.filter((c) => c.name === name).map((c) => ({ protocol: c.protocol, port: c.port }));
      const sidecars = (pod.sidecarPorts ?? []).filter((s) => s.name === name).length;
      const list = all.slice(0, all.length - sidecars);
      if (!list.some((d) => d.protocol !== list[0]!.protocol || d.port !== list[0]!.port)) continue;
      let byPod = out.get(name);
      if (!byPod) out.set(name, (byPod = new Map()));
      byPod.set(i, list);
    }
  });
  return out;
}

/** Whether Cilium's one port for the name (the last declaration) misses some of `protocol`'s. */
export function narrowedByLastDeclaration(list: readonly Declaration[], protocol: Protocol): boolean {
  const last = list[list.length - 1]!;
  const same = list.filter((d) => d.protocol === protocol);
  return same.length > 0 && !(last.protocol === protocol && same.every((d) => d.port === last.port));
}
