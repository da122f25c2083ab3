import fc from 'fast-check';
import type { GeneratedCluster, Manifest } from '../../src/testing/index.js';

/**
 * Now and then, new labels for one pod of the cluster (which: any number, taken modulo the pods),
 * and sometimes a move to another node: with node-local ingress, the node an isolated pod is on
 * decides which node address reaches it.
 */
export const relabelArb = fc.option(
  fc.record({
    which: fc.nat(),
    labels: fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('a', 'b')),
    node: fc.option(fc.constantFrom('node-1', 'node-2'), { nil: undefined }),
  }),
  { nil: undefined },
);

type Relabel = NonNullable<typeof relabelArb extends fc.Arbitrary<infer T> ? T : never>;

/** The cluster's manifests, with one pod relabelled (and moved) when `relabel` says so (a HEAD inventory). */
export function relabelled(cluster: GeneratedCluster, relabel: Relabel | undefined): Manifest[] {
  if (!relabel) return [...cluster.manifests];
  const which = relabel.which % cluster.pods.length;
  let podIndex = -1;
  return cluster.manifests.map((m) => {
    if (m['kind'] !== 'Pod' || ++podIndex !== which) return m;
    const spec = m['spec'] as Record<string, unknown>;
    // A hostNetwork pod has its node's address: moving it alone would make the inventory lie.
    const moved = relabel.node && !spec['hostNetwork'] ? { spec: { ...spec, nodeName: relabel.node } } : {};
    return { ...m, metadata: { ...(m['metadata'] as object), labels: relabel.labels }, ...moved };
  });
}
