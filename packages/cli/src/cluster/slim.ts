import { compareValues, defaultedServiceProtocol, defaultedTargetPort, namespaceNameLabel } from '@netpolc/ir';
import { storedContainerPorts, storedPolicySpec } from './api-form.js';

/** The kinds netpolc reads from a cluster, in the order snapshots list them. */
export const objectKinds = ['Namespace', 'Node', 'Pod', 'Service', 'NetworkPolicy'] as const;

/** One of {@link objectKinds}. */
export type ObjectKind = (typeof objectKinds)[number];

/** A cluster object reduced to what netpolc reads, as a plain Kubernetes manifest. */
export interface ClusterObject {
  readonly kind: ObjectKind;
  /** `''` for cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
  readonly manifest: Readonly<Record<string, unknown>>;
}

const apiVersions: Record<ObjectKind, string> = { Namespace: 'v1', Node: 'v1', Pod: 'v1', Service: 'v1', NetworkPolicy: 'networking.k8s.io/v1' };

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Copies the listed keys that are present, in that order. */
function pick(from: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

function sortedMap(v: unknown): unknown {
  if (!isMap(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
}

/** Keeps each element's listed keys; a malformed value is kept as is, for the loader to report. */
function pickEach(list: unknown, keys: readonly string[], keep: (item: Json) => boolean = () => true): unknown {
  if (!Array.isArray(list)) return list;
  return list.filter((x) => !isMap(x) || keep(x)).map((x) => (isMap(x) ? pick(x, keys) : x));
}

function containers(list: unknown, init: boolean): unknown {
  // Only restartable init containers (native sidecars, KEP-753) keep serving their ports; the
  // named ports of the others are kept too, as Calico resolves names on them (Pod.initPorts).
  const named = (c: Json): boolean => Array.isArray(c['ports']) && c['ports'].some((p) => isMap(p) && typeof p['name'] === 'string' && p['name'] !== '');
  const keep = init ? (c: Json): boolean => c['restartPolicy'] === 'Always' || named(c) : undefined;
  const out = pickEach(list, init ? ['name', 'restartPolicy', 'ports'] : ['name', 'ports'], keep);
  if (!Array.isArray(out)) return out;
  return out.map((c) => (isMap(c) && c['ports'] !== undefined ? { ...c, ports: storedContainerPorts(pickEach(c['ports'], ['name', 'containerPort', 'protocol'])) } : c));
}

function slimPod(item: Json): Json {
  const spec = isMap(item['spec']) ? item['spec'] : {};
  const status = isMap(item['status']) ? item['status'] : {};
  const outSpec = pick(spec, ['nodeName', 'hostNetwork']);
  if (outSpec['hostNetwork'] === false) delete outSpec['hostNetwork'];
  if (spec['containers'] !== undefined) outSpec['containers'] = containers(spec['containers'], false);
  const init = containers(spec['initContainers'], true);
  if (init !== undefined && !(Array.isArray(init) && init.length === 0)) outSpec['initContainers'] = init;
  const outStatus = pick(status, ['phase', 'podIP', 'podIPs']);
  if (outStatus['podIPs'] !== undefined) outStatus['podIPs'] = pickEach(outStatus['podIPs'], ['ip']);
  return { spec: outSpec, status: outStatus };
}

/** A node's addresses, each with its keys in the API's order (type, address) whatever the input's. */
function slimNodeStatus(status: unknown): Json {
  const out = pick(isMap(status) ? status : {}, ['addresses']);
  if (out['addresses'] !== undefined) out['addresses'] = pickEach(out['addresses'], ['type', 'address']);
  return out;
}

/** A Service's selector, cluster IPs and ports, with the protocol and targetPort the API server defaults. */
function slimService(item: Json): Json {
  const spec = isMap(item['spec']) ? item['spec'] : {};
  const out = pick(spec, ['type', 'selector', 'clusterIP', 'clusterIPs', 'externalTrafficPolicy', 'ports']);
  if (out['selector'] !== undefined) out['selector'] = sortedMap(out['selector']);
  const ports = pickEach(out['ports'], ['name', 'protocol', 'port', 'targetPort']);
  if (Array.isArray(ports)) {
    out['ports'] = ports.map((p) => (isMap(p) ? { ...p, protocol: defaultedServiceProtocol(p['protocol']), targetPort: defaultedTargetPort(p['port'], p['targetPort']) } : p));
  }
  return { spec: out };
}

/**
 * Reduces an object as the API server returns it to what netpolc reads and a reader of the
 * snapshot wants: name, namespace and labels; pod node, host network, container ports, phase and
 * IPs; node addresses; a Service's type, selector, cluster IPs and ports; the whole NetworkPolicy spec. What the API server defaults is filled in
 * and NetworkPolicy fields are in its order (api-form.ts), so that local files read as the
 * cluster would return them once applied. Dropped: managedFields, annotations
 * (kubectl's last-applied-configuration alone can be kilobytes), uid, resourceVersion,
 * generation and creationTimestamp (they change without changing reachability, so a
 * scheduled snapshot would never be stable), ownerReferences, the rest of spec and status.
 * List items from the API carry no apiVersion and kind; they are set from the list's kind.
 * Returns undefined for an item without a name, which the API never returns. A namespaced object
 * without a namespace (in a local file) is in `defaultNamespace`, as the loader defaults it.
 */
export function slimObject(kind: ObjectKind, item: unknown, defaultNamespace = ''): ClusterObject | undefined {
  if (!isMap(item) || !isMap(item['metadata'])) return undefined;
  const meta = item['metadata'];
  const name = meta['name'];
  if (typeof name !== 'string') return undefined;
  const namespaced = kind === 'Pod' || kind === 'Service' || kind === 'NetworkPolicy';
  const namespace = !namespaced ? '' : typeof meta['namespace'] === 'string' ? meta['namespace'] : defaultNamespace;
  const outMeta: Json = { name };
  if (namespaced) outMeta['namespace'] = namespace;
  // The API server labels every namespace with its name (SetDefaults_Namespace).
  const labels = kind === 'Namespace' && (isMap(meta['labels']) || meta['labels'] == null) ? { ...(meta['labels'] as Json | undefined), [namespaceNameLabel]: name } : meta['labels'];
  if (labels !== undefined && labels !== null) outMeta['labels'] = sortedMap(labels);
  const manifest: Json = { apiVersion: apiVersions[kind], kind, metadata: outMeta };
  if (kind === 'Pod') Object.assign(manifest, slimPod(item));
  else if (kind === 'Node') manifest['status'] = slimNodeStatus(item['status']);
  else if (kind === 'Service') Object.assign(manifest, slimService(item));
  else if (kind === 'NetworkPolicy') manifest['spec'] = storedPolicySpec(item['spec']);
  return { kind, namespace, name, manifest };
}

/** Sort order of snapshots and sources: kind (as in {@link objectKinds}), namespace, name. */
export function compareObjects(a: ClusterObject, b: ClusterObject): number {
  return objectKinds.indexOf(a.kind) - objectKinds.indexOf(b.kind) || compareValues(a.namespace, b.namespace) || compareValues(a.name, b.name);
}
