import { yamlCommentText, type InputSource } from '@netpolc/ir';
import type { ClusterObject, ObjectKind } from './slim.js';
import { toYaml } from './to-yaml.js';
import { goJson } from './go-order.js';

const plural: Record<ObjectKind, string> = { Namespace: 'namespaces', Node: 'nodes', Pod: 'pods', Service: 'services', NetworkPolicy: 'networkpolicies' };

/**
 * The objects as loader inputs, one JSON `List` per kind and namespace, named
 * `cluster:<context>/<resource>[/<namespace>]` so a diagnostic says where the object lives.
 * Grouping keeps each text small enough for locating a diagnostic (the loader re-parses the
 * whole input with node ranges to do so) while costing ~1 input per namespace. Inventory items
 * take one line each (150k pods stay compact); NetworkPolicies are indented, so a diagnostic's
 * code frame shows the offending field.
 */
export function clusterSources(context: string, objects: readonly ClusterObject[]): InputSource[] {
  const groups = new Map<string, ClusterObject[]>();
  for (const o of objects) {
    const key = `cluster:${context}/${plural[o.kind]}${o.namespace === '' ? '' : `/${o.namespace}`}`;
    const list = groups.get(key);
    if (list) list.push(o);
    else groups.set(key, [o]);
  }
  return [...groups].map(([path, list]) => {
    const pretty = list[0]!.kind === 'NetworkPolicy';
    const items = list.map((o) => (pretty ? JSON.stringify(o.manifest, null, 2) : JSON.stringify(o.manifest)));
    return { path, content: `{"apiVersion": "v1", "kind": "List", "items": [\n${items.join(',\n')}\n]}\n` };
  });
}

/** Output format of a snapshot. */
export type SnapshotFormat = 'yaml' | 'json';

/**
 * A snapshot as a plain `kind: List` (what `kubectl get -o yaml` prints for several objects),
 * which every netpolc command and kubectl read back. YAML starts with a comment naming the
 * source; there is no timestamp, so a snapshot of an unchanged cluster is byte-identical. JSON
 * has one item per line: a line-based diff shows the objects that changed, and the loader reads
 * it at the speed of compact JSON (kube-scale reduced from kubectl's 1.8 GB dump: 184 MB and a
 * 9.6 s nftables compile indented, 82 MB and 7.5 s one item per line).
 */
export function renderSnapshot(objects: readonly ClusterObject[], format: SnapshotFormat, header: readonly string[]): string {
  if (format === 'json') return `{"apiVersion":"v1","kind":"List","items":[\n${objects.map((o) => goJson(o.manifest)).join(',\n')}\n]}\n`;
  return header.map((h) => `# ${yamlCommentText(h)}\n`).join('') + toYaml({ apiVersion: 'v1', kind: 'List', items: objects.map((o) => o.manifest) });
}
