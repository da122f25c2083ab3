// Identities and selectors of the independent Cilium interpreter (see cilium.ts for the
// references): identity labels of pods and reserved identities, Cilium's default identity-label
// filter, and endpoint selectors over identity labels.
/** A label of an identity: source (k8s, reserved, ...), key and value. */
export interface IdLabel {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** Options describing the Cilium release and agent configuration being modelled. */
export interface CiliumModelOptions {
  /** Release as [major, minor]. */
  readonly version: readonly [number, number];
  /** The agent's --cluster-name ("default" when unset, pkg/option default). */
  readonly clusterName: string;
  /**
   * [utils] getEndpointSelector: current releases do not inject the policy namespace into a peer
   * selector that names a namespace label (`k8s:io.cilium.k8s.namespace.labels.*`, HasKeyPrefix);
   * older ones did (docs of 2023, cilium/cilium#26134: namespace labels in a CNP's
   * from/toEndpoints "supported only for a CiliumClusterwideNetworkPolicy"). Both are modelled;
   * callers check the output under both. HasKey/HasKeyPrefix look at matchLabels and
   * matchExpressions alike (pkg/policy/api/selector.go, every version read).
   */
  readonly nsLabelsSkipInjection: boolean;
  /**
   * Cilium 1.19 `policy-default-local-cluster`: a peer selector naming no cluster only selects
   * the local cluster. Up to 1.18 (false) it selects endpoints of every cluster in the mesh.
   */
  readonly defaultLocalCluster: boolean;
}

export const defaultModelOptions: CiliumModelOptions = {
  version: [1, 17],
  clusterName: 'default',
  nsLabelsSkipInjection: true,
  defaultLocalCluster: false,
};

export function atLeast(o: CiliumModelOptions, major: number, minor: number): boolean {
  return o.version[0] > major || (o.version[0] === major && o.version[1] >= minor);
}

// ---------------------------------------------------------------------------------------------
// Identities

/**
 * Default identity-label filter [filter] defaultLabelPrefixCfg: include patterns and ignore
 * patterns (regular expressions matched at the start of the key). A label is kept when no
 * include pattern exists and no ignore pattern matches, or when the longest include match is
 * longer than the shortest ignore match (filterLabels). The default config has no whitelist
 * flag set, so keys matching nothing are kept.
 */
const includeKeyPatterns: RegExp[] = [
  /io\.kubernetes\.pod\.namespace/,
  /io\.cilium\.k8s\.namespace\.labels/,
  /app\.kubernetes\.io/,
  /io\.cilium\.k8s\.policy\.cluster/,
];
const ignoreKeyPatterns: RegExp[] = [
  /io\.kubernetes/,
  /kubernetes\.io/,
  /statefulset\.kubernetes\.io\/pod-name/,
  /apps\.kubernetes\.io\/pod-index/,
  /batch\.kubernetes\.io\/job-completion-index/,
  /.*beta\.kubernetes\.io/,
  /k8s\.io/,
  /pod-template-generation/,
  /pod-template-hash/,
  /controller-revision-hash/,
  /annotation.*/,
  /etcd_node/,
  // Later additions (1.16: controller-uid, batch.kubernetes.io/controller-uid, cilium/cilium#31964)
  // are covered by the anchored patterns above or added here; they only grow the ignore list.
  /controller-uid/,
  /batch\.kubernetes\.io\/controller-uid/,
];

/** Length of a match of `re` starting at position 0 of `s`, or 0. */
function matchAtStart(re: RegExp, s: string): number {
  const m = new RegExp(re.source, 'g').exec(s);
  if (!m || m.index !== 0) {
    // FindStringIndex returns the leftmost match; only a match at 0 counts [filter] matches().
    return 0;
  }
  return m[0].length;
}

/** [filter] filterLabels on one k8s-source label key. */
export function keptInIdentity(key: string): boolean {
  let included = 0;
  let ignored = 0;
  for (const re of includeKeyPatterns) {
    const n = matchAtStart(re, key);
    if (n > included) included = n;
  }
  for (const re of ignoreKeyPatterns) {
    const n = matchAtStart(re, key);
    if (n > 0 && (ignored === 0 || n < ignored)) ignored = n;
  }
  return ignored === 0 || included > ignored;
}

/**
 * The identity labels of a pod [sanitize] SanitizePodLabels: the pod's own labels except those
 * under `io.cilium.k8s` (filterPodLabels), the namespace labels as
 * `io.cilium.k8s.namespace.labels.<key>`, `io.kubernetes.pod.namespace`, the service account
 * and `io.cilium.k8s.policy.cluster`; all with source `k8s`, then filtered [filter].
 */
export function podIdentity(
  podLabels: Readonly<Record<string, string>>,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
  clusterName: string,
  serviceAccount = 'default',
): IdLabel[] {
  const raw = new Map<string, string>();
  for (const [k, v] of Object.entries(podLabels)) if (!k.startsWith('io.cilium.k8s')) raw.set(k, v);
  for (const [k, v] of Object.entries(namespaceLabels)) raw.set(`io.cilium.k8s.namespace.labels.${k}`, v);
  raw.set('io.kubernetes.pod.namespace', namespace);
  raw.set('io.cilium.k8s.policy.serviceaccount', serviceAccount);
  raw.set('io.cilium.k8s.policy.cluster', clusterName);
  const out: IdLabel[] = [];
  for (const [key, value] of raw) if (keptInIdentity(key)) out.push({ source: 'k8s', key, value });
  return out;
}

/** Reserved identities [entity]: each carries one `reserved:<name>` label. */
export function reservedIdentity(name: 'host' | 'remote-node' | 'world' | 'world-ipv4' | 'world-ipv6'): IdLabel[] {
  return [{ source: 'reserved', key: name, value: '' }];
}

// ---------------------------------------------------------------------------------------------
// Endpoint selectors

interface SelReq {
  readonly source: string; // 'any' when the key names no source
  readonly key: string;
  readonly op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
  /** From matchLabels (AddMatch replaces such an entry). */
  readonly ml?: boolean;
}

/** An endpoint selector in Cilium's internal form (keys split into source and key). */
export interface Selector {
  readonly reqs: readonly SelReq[];
}

/**
 * Keys of a Cilium selector are `source:key`; a key without a source means any source
 * (pkg/labels ParseSelectLabel / GetExtendedKeyFrom: `k8s:foo` -> `k8s.foo`, `foo` -> `any.foo`).
 */
function splitKey(k: string): { source: string; key: string } {
  const i = k.indexOf(':');
  if (i > 0) return { source: k.slice(0, i), key: k.slice(i + 1) };
  return { source: 'any', key: k };
}

/**
 * Whether the agent accepts a selector key (pkg/policy/api/selector.go sanitize runs Kubernetes
 * ValidateLabelSelector on the stored, extended key `source.key`; Cilium 1.20 checks it without
 * the source, cilium/cilium#43536; 1.21 strips the namespace-label prefix, #47845). A rejected key
 * makes the agent drop the whole policy (#47817), which this interpreter refuses to read.
 */
export function agentAcceptsKey(source: string, key: string, o: CiliumModelOptions): boolean {
  let checked = atLeast(o, 1, 20) || source === 'any' ? key : `${source}.${key}`;
  if (atLeast(o, 1, 21)) checked = checked.replace(/^io\.cilium\.k8s\.namespace\.labels\./, '');
  const slash = checked.lastIndexOf('/');
  const name = checked.slice(slash + 1);
  const prefix = slash < 0 ? '' : checked.slice(0, slash);
  return name.length > 0 && name.length <= 63 && prefix.length <= 253 && !prefix.includes('/');
}

export function parseSelector(raw: unknown): Selector {
  if (raw === null || raw === undefined) return { reqs: [] };
  if (typeof raw !== 'object') throw new Error(`bad selector ${JSON.stringify(raw)}`);
  const r = raw as { matchLabels?: Record<string, unknown>; matchExpressions?: { key: string; operator: string; values?: unknown[] }[] };
  const reqs: SelReq[] = [];
  // The CRD schema types label values as strings: a YAML scalar read as a number, boolean or null
  // would be rejected by the API server (or mean something else), so it is an error here.
  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string') throw new Error(`${what} is not a string in the YAML: ${JSON.stringify(v)}`);
    return v;
  };
  for (const [k, v] of Object.entries(r.matchLabels ?? {})) reqs.push({ ...splitKey(k), op: 'In', values: [str(v, `matchLabels[${k}]`)], ml: true });
  for (const e of r.matchExpressions ?? []) {
    const op = e.operator as SelReq['op'];
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op)) throw new Error(`bad operator ${e.operator}`);
    // Kubernetes label-selector validation: In/NotIn need values, Exists/DoesNotExist none.
    if ((op === 'In' || op === 'NotIn') !== (e.values !== undefined && e.values.length > 0)) throw new Error(`bad values for ${op}`);
    reqs.push({ ...splitKey(str(e.key, 'key')), op, values: (e.values ?? []).map((x) => str(x, `values of ${e.key}`)) });
  }
  return { reqs };
}

export function hasKey(s: Selector, source: string, key: string): boolean {
  return s.reqs.some((r) => r.source === source && r.key === key);
}

export function hasKeyPrefix(s: Selector, source: string, prefix: string): boolean {
  return s.reqs.some((r) => r.source === source && r.key.startsWith(prefix));
}

export function addMatch(s: Selector, source: string, key: string, value: string): Selector {
  // AddMatch sets matchLabels[key] = value: a previous matchLabels entry for the key is replaced,
  // match expressions stay.
  const reqs = s.reqs.filter((r) => !(r.source === source && r.key === key && r.ml === true));
  return { reqs: [...reqs, { source, key, op: 'In', values: [value], ml: true }] };
}

/** Label-selector semantics over identity labels; a requirement on `any` matches every source. */
export function selectorMatches(s: Selector, labels: readonly IdLabel[]): boolean {
  return s.reqs.every((r) => {
    const found = labels.filter((l) => l.key === r.key && (r.source === 'any' || l.source === r.source));
    switch (r.op) {
      case 'In':
        return found.some((l) => r.values.includes(l.value));
      case 'NotIn':
        return !found.some((l) => r.values.includes(l.value));
      case 'Exists':
        return found.length > 0;
      case 'DoesNotExist':
        return found.length === 0;
    }
  });
}
