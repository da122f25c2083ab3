import fc from 'fast-check';
import type { GeneratedCluster, Manifest } from '../../src/testing/index.js';

/** Now and then, new labels for one pod of the cluster (which: any number, taken modulo the pods). */
export const relabelArb = fc.option(fc.record({ which: fc.nat(), labels: fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('a', 'b')) }), { nil: undefined });

/** The cluster's manifests, with one pod relabelled when `relabel` says so (a HEAD inventory). */
export function relabelled(cluster: GeneratedCluster, relabel: { readonly which: number; readonly labels: Readonly<Record<string, string>> } | undefined): Manifest[] {
  if (!relabel) return [...cluster.manifests];
  const which = relabel.which % cluster.pods.length;
  let podIndex = -1;
  return cluster.manifests.map((m) => (m['kind'] !== 'Pod' || ++podIndex !== which ? m : { ...m, metadata: { ...(m['metadata'] as object), labels: relabel.labels } }));
}
