// The live-cluster reader's public face. Nothing here imports @kubernetes/client-node at load
// time: read-cluster.ts loads it with import() on the first read.
import { loadProgram, type InputSource, type Program } from '@netpolc/ir';
import type { Values } from '../command.js';
import type { Io } from '../io.js';
import { clusterOptions, wantsCluster } from './options.js';
import { readCluster, type ClusterRead } from './read-cluster.js';
import { clusterSources } from './render.js';
import type { ClusterObject } from './slim.js';

export { ClusterError, readerClusterRole } from './errors.js';
export { clusterOptions, parseDuration, wantsCluster, type ClusterOptions } from './options.js';
export { readCluster, type ClusterRead, type ReadOverrides } from './read-cluster.js';
export { clusterSources, renderSnapshot, type SnapshotFormat } from './render.js';
export { compareObjects, objectKinds, slimObject, type ClusterObject, type ObjectKind } from './slim.js';

/** Which objects of a read to turn into loader inputs. */
export type ClusterSelection = 'all' | 'inventory' | 'policies';

/**
 * The objects of a read that `select` names, minus those `replacedBy` (a program loaded from
 * local files) also defines: the same kind, namespace and name, as `kubectl apply` of the local
 * files would replace them. Namespaces a local file only implies (by a pod or policy in them)
 * replace nothing.
 */
export function selectObjects(read: ClusterRead, select: ClusterSelection = 'all', replacedBy?: Program): ClusterObject[] {
  const local = new Set<string>();
  if (replacedBy) {
    for (const ns of replacedBy.inventory.namespaces) if (ns.declared) local.add(`Namespace//${ns.name}`);
    for (const n of replacedBy.inventory.nodes) local.add(`Node//${n.name}`);
    for (const p of replacedBy.inventory.pods) local.add(`Pod/${p.namespace}/${p.name}`);
    for (const s of replacedBy.inventory.services ?? []) local.add(`Service/${s.namespace}/${s.name}`);
    for (const p of replacedBy.policies) local.add(`NetworkPolicy/${p.namespace}/${p.name}`);
  }
  return read.objects.filter((o) => {
    if (select === 'policies' && o.kind !== 'NetworkPolicy') return false;
    if (select === 'inventory' && o.kind === 'NetworkPolicy') return false;
    return !local.has(`${o.kind}/${o.namespace}/${o.name}`);
  });
}

/**
 * Reads the cluster a command line names (`--context`, `--kubeconfig`, `--namespace`,
 * `--request-timeout`) and returns the read plus loader inputs for the selected objects.
 * For `diff --base cluster --head DIR`: `base` = `readClusterSources(values, io, 'all')`,
 * `head` = local files + `clusterSources(read.context, selectObjects(read, 'inventory'))`.
 * Throws {@link ClusterError} (exit 2, message ready to print) for cluster problems.
 */
export async function readClusterSources(
  values: Values,
  io: Io,
  select: ClusterSelection = 'all',
  replacedBy?: Program,
): Promise<{ read: ClusterRead; sources: InputSource[] }> {
  const read = await readCluster(clusterOptions(values, true), io);
  return { read, sources: clusterSources(read.context, selectObjects(read, select, replacedBy)) };
}

/**
 * The program of local sources whose objects replace the cluster's (see {@link selectObjects}),
 * or undefined for none. Their namespaces are defaulted as the real load will default them.
 */
export function replacingProgram(values: Values, local: readonly InputSource[]): Program | undefined {
  if (local.length === 0) return undefined;
  const defaultNamespace = values['default-namespace'] as string | undefined;
  return loadProgram(local, defaultNamespace ? { defaultNamespace } : {}).program;
}

/**
 * `loadInputs`' hook: with `--from-cluster`, the local sources followed by the cluster's
 * (minus objects the local files replace), and the cluster read; without it, the local sources
 * unchanged, after rejecting cluster-only flags.
 */
export async function withCluster(io: Io, values: Values, local: InputSource[]): Promise<{ sources: InputSource[]; read?: ClusterRead }> {
  if (!wantsCluster(values)) {
    clusterOptions(values);
    return { sources: local };
  }
  const { read, sources } = await readClusterSources(values, io, 'all', replacingProgram(values, local));
  return { sources: [...local, ...sources], read };
}
