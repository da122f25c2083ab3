// What the API server stores for an object a file spells out: its defaults filled in and the
// fields in the order of the Go types it serialises from. A snapshot of local files then holds
// what a snapshot of the cluster would hold once the files were applied, and two spellings of
// one policy (a default written out or left implied, keys in another order) give the same bytes.
// For objects read from a cluster this changes nothing: the server did it already.

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Field order of the NetworkPolicy types (k8s.io/api/networking/v1 types.go: spec, rules, ports,
 * peers, ipBlock) and of metav1.LabelSelector. No two of these types share a field name in a
 * different order, so one rank serves them all.
 */
const fieldRank = new Map(
  ['podSelector', 'namespaceSelector', 'ipBlock', 'ingress', 'egress', 'policyTypes', 'ports', 'from', 'to', 'protocol', 'port', 'endPort', 'cidr', 'except', 'matchLabels', 'matchExpressions', 'key', 'operator', 'values'].map(
    (k, i) => [k, i],
  ),
);

/** Map fields written only when not empty (`podSelector: {}` and `namespaceSelector: {}` are written: they select). */
const omitEmpty = new Set(['matchLabels']);

/** A struct in field order (unknown fields, which the loader refuses, last by name); maps by key, as Go writes them. */
function ordered(value: unknown, isGoMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v));
  if (!isMap(value)) return value;
  const rank = (k: string): number => (isGoMap ? 0 : (fieldRank.get(k) ?? fieldRank.size));
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Json = {};
  for (const k of keys) {
    const v = value[k];
    // Go writes neither a nil pointer nor an empty list or map of an omitempty field (every list
    // and map here); each reads back as the same policy (`from: []` is no `from`).
    if (v === null || (!isGoMap && (Array.isArray(v) ? v.length === 0 : isMap(v) && omitEmpty.has(k) && Object.keys(v).length === 0))) continue;
    out[k] = ordered(v, k === 'matchLabels');
  }
  return out;
}

/** Ports without a protocol are TCP (SetDefaults_NetworkPolicyPort, SetDefaults_ContainerPort). */
function withProtocols(ports: unknown): unknown {
  if (!Array.isArray(ports)) return ports;
  return ports.map((p) => (isMap(p) && p['protocol'] === undefined ? { ...p, protocol: 'TCP' } : p));
}

/** A NetworkPolicy spec as stored (SetDefaults_NetworkPolicy): podSelector, policyTypes and port protocols filled in. */
export function storedPolicySpec(spec: unknown): Json {
  const s: Json = isMap(spec) ? { ...spec } : {};
  s['podSelector'] ??= {};
  for (const direction of ['ingress', 'egress']) {
    const rules = s[direction];
    if (Array.isArray(rules)) s[direction] = rules.map((r) => (isMap(r) && r['ports'] !== undefined ? { ...r, ports: withProtocols(r['ports']) } : r));
  }
  const types = s['policyTypes'];
  if (!Array.isArray(types) || types.length === 0) {
    const egress = s['egress'];
    s['policyTypes'] = Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  return ordered(s) as Json;
}

/** Container ports as stored: a protocol on each. */
export function storedContainerPorts(ports: unknown): unknown {
  return withProtocols(ports);
}
