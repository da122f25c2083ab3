// Kubernetes label selectors → Cilium endpoint selectors, and Cilium's identity label filter.
import { compareValues, namespaceNameLabel, type LabelSelector, type Requirement } from '@netpolc/ir';
import { ciliumLabel, type CiliumRequirement, type CiliumSelector, type Writable } from './model.js';
import { atLeast, ciliumFeatures, type CiliumVersion } from './options.js';

/** One entry of Cilium's default identity label filter. */
interface FilterEntry {
  readonly ignore: boolean;
  readonly expr: RegExp;
  /** First release whose default list has the entry; absent: every release netpolc accepts. */
  readonly since?: CiliumVersion;
  /** For diagnostics: from when, and the upstream change that added it. */
  readonly added?: string;
}

/**
 * Cilium's default identity label filter (cilium/cilium pkg/labelsfilter/filter.go,
 * `defaultLabelPrefixCfg`): a label takes part in a pod's security identity unless an ignore
 * prefix matches it and no longer include prefix does. Prefixes are regular expressions that must
 * match at the start of the label key (`LabelPrefix.matches`), so `kubernetes\.io` does not reach
 * `statefulset.kubernetes.io/...`: later releases list such keys one by one
 * (Documentation/operations/performance/scalability/identity-relevant-labels.rst). Only
 * `k8s`-source labels matter here.
 */
const labelFilter: readonly FilterEntry[] = [
  { ignore: false, expr: /io\.kubernetes\.pod\.namespace/ },
  { ignore: false, expr: /io\.cilium\.k8s\.namespace\.labels/ },
  { ignore: false, expr: /app\.kubernetes\.io/ },
  { ignore: true, expr: /io\.kubernetes/ },
  { ignore: true, expr: /kubernetes\.io/ },
  { ignore: true, expr: /.*beta\.kubernetes\.io/ },
  { ignore: true, expr: /k8s\.io/ },
  { ignore: true, expr: /pod-template-generation/ },
  { ignore: true, expr: /pod-template-hash/ },
  { ignore: true, expr: /controller-revision-hash/ },
  { ignore: true, expr: /annotation.*/ },
  { ignore: true, expr: /etcd_node/ },
  // Merged in September and October 2023, before the 1.15 branch (1.15.0: January 2024).
  { ignore: true, expr: /statefulset\.kubernetes\.io\/pod-name/, since: { major: 1, minor: 15 }, added: 'from Cilium 1.15 on (cilium/cilium#28003)' },
  { ignore: true, expr: /apps\.kubernetes\.io\/pod-index/, since: { major: 1, minor: 15 }, added: 'from Cilium 1.15 on (cilium/cilium#28003)' },
  { ignore: true, expr: /batch\.kubernetes\.io\/job-completion-index/, since: { major: 1, minor: 15 }, added: 'from Cilium 1.15 on (cilium/cilium#28897)' },
  // Merged in April 2024, after the 1.15 branch.
  { ignore: true, expr: /batch\.kubernetes\.io\/controller-uid/, since: { major: 1, minor: 16 }, added: 'from Cilium 1.16 on (cilium/cilium#31964)' },
  { ignore: true, expr: /controller-uid/, since: { major: 1, minor: 16 }, added: 'from Cilium 1.16 on (cilium/cilium#31964)' },
  // Merged in January 2026 for Kubernetes 1.35, which copies node topology labels onto pods; the
  // issue was a 1.18 release blocker (cilium/cilium#43723), so 1.18 patch releases carry it too.
  { ignore: true, expr: /topology\.kubernetes\.io/, since: { major: 1, minor: 18 }, added: 'in releases from January 2026 on, 1.18 patch releases included (cilium/cilium#43725)' },
];

/**
 * True when a label key (without source prefix) is part of Cilium identities under the default
 * filter of every release from the target on. The list only ever grew, and the output must keep
 * its meaning on every later release (`--cilium-version` is the oldest release the output must
 * work on), so an entry counts whatever the target: a key that a later release drops would turn
 * a selector into "no pod" or "every pod" on upgrade.
 */
export function isIdentityLabel(key: string): boolean {
  let known = identityKeys.get(key);
  if (known === undefined) identityKeys.set(key, (known = filterAccepts(key, labelFilter)));
  return known;
}

/** Answers by label key: a cluster has few keys, and each pod and selector asks for all of its own. */
const identityKeys = new Map<string, boolean>();

/** Mirrors `filterLabels`: accepted when not ignored, or when the longest include match is longer than the shortest ignore match. */
function filterAccepts(key: string, entries: readonly FilterEntry[]): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of entries) {
    const m = p.expr.exec(key);
    if (!m || m.index !== 0) continue;
    const len = m[0].length;
    if (p.ignore) {
      if (ignored === 0 || len < ignored) ignored = len;
    } else if (len > included) included = len;
  }
  return ignored === 0 || included > ignored;
}

/**
 * For a key that {@link isIdentityLabel} rejects: since when Cilium drops it, as text for
 * diagnostics (`""` when every release netpolc accepts drops it).
 */
export function droppedSince(key: string): string {
  if (!filterAccepts(key, labelFilter.filter((e) => !e.since))) return '';
  const late = labelFilter.filter((e) => e.since && e.expr.exec(key)?.index === 0);
  late.sort((a, b) => a.since!.major - b.since!.major || a.since!.minor - b.since!.minor);
  return late[0] ? ` ${late[0].added!}` : '';
}

/**
 * True for a pod label key that Cilium sets itself: it drops a pod's own labels under
 * `io.cilium.k8s` (the namespace labels, service account and cluster it writes there) and
 * overwrites `io.kubernetes.pod.namespace` (pkg/k8s/utils/utils.go `SanitizePodLabels`,
 * `filterPodLabels`; cilium/cilium#31395). A selector on such a pod label tests Cilium's value,
 * never the pod's own: in Kubernetes no pod has `io.kubernetes.pod.namespace` unless it sets it.
 */
export function isCiliumOwnedPodLabel(key: string): boolean {
  return key === 'io.kubernetes.pod.namespace' || key.startsWith('io.cilium.k8s');
}

/** True when a pod's own label with this key is part of its Cilium identity. */
export function isPodIdentityLabel(key: string): boolean {
  return !isCiliumOwnedPodLabel(key) && isIdentityLabel(key);
}

/**
 * The identity-relevant pod labels of a pod that a selector can name on Cilium releases from
 * `version` on: a label whose key Cilium rejects in selectors ({@link rejectedKeyForm}) cannot
 * tell pods apart, so it is left out here.
 */
export function identityLabels(labels: Readonly<Record<string, string>>, version: CiliumVersion): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) if (isPodIdentityLabel(k) && rejectedKeyForm(k, version) === undefined) out[k] = labels[k]!;
  return out;
}

/** Cilium key of a pod label. */
export function podLabelKey(key: string): string {
  return `${ciliumLabel.k8sSource}${key}`;
}

/** Cilium key of a namespace label, as Cilium copies it onto every pod of the namespace. */
export function namespaceLabelKey(key: string): string {
  return `${ciliumLabel.namespaceLabels}${key}`;
}

function requirement(key: string, r: Requirement): CiliumRequirement {
  return r.operator === 'In' || r.operator === 'NotIn' ? { key, operator: r.operator, values: r.values } : { key, operator: r.operator };
}

/** A builder that keeps single-value `In` requirements as `matchLabels`, as users write them. */
export class SelectorBuilder {
  private readonly labels = new Map<string, string>();
  private readonly expressions: CiliumRequirement[] = [];

  add(r: CiliumRequirement): this {
    if (r.operator === 'In' && r.values?.length === 1 && !this.labels.has(r.key)) this.labels.set(r.key, r.values[0]!);
    else this.expressions.push(r);
    return this;
  }

  build(): CiliumSelector {
    const matchLabels: Record<string, string> = {};
    for (const k of [...this.labels.keys()].sort()) matchLabels[k] = this.labels.get(k)!;
    const exprs = [...this.expressions].sort((a, b) => compareValues(a.key, b.key) || compareValues(a.operator, b.operator));
    // Set one by one, in the printed order (spread conditional objects made throwaway objects).
    const out: Writable<CiliumSelector> = {};
    if (this.labels.size > 0) out.matchLabels = matchLabels;
    if (exprs.length > 0) out.matchExpressions = exprs;
    return out;
  }
}

/** Adds a Kubernetes pod selector's requirements with the `k8s:` source. */
export function addPodSelector(b: SelectorBuilder, selector: LabelSelector): SelectorBuilder {
  for (const r of selector.requirements) b.add(requirement(podLabelKey(r.key), r));
  return b;
}

/**
 * Adds a namespaceSelector. Namespace labels become `k8s:io.cilium.k8s.namespace.labels.<key>`
 * (pkg/k8s/network_policy.go `parseNetworkPolicyPeer`); `kubernetes.io/metadata.name` In/NotIn/Exists
 * is written on the pod namespace label itself, which every pod identity carries. A requirement
 * on the namespace key is always added, so Cilium never injects the policy's own namespace
 * (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`) and reserved identities (world,
 * host) never match; `{}` becomes "the namespace label exists", as Cilium's own translation does.
 */
export function addNamespaceSelector(b: SelectorBuilder, selector: LabelSelector): SelectorBuilder {
  let nsKeyRequired = false;
  for (const r of selector.requirements) {
    if (r.key === namespaceNameLabel && r.operator !== 'DoesNotExist') {
      b.add(requirement(ciliumLabel.podNamespace, r));
      // NotIn also holds for identities without the key (world, host): keep requiring it.
      if (r.operator !== 'NotIn') nsKeyRequired = true;
    } else {
      b.add(requirement(namespaceLabelKey(r.key), r));
    }
  }
  if (!nsKeyRequired) b.add({ key: ciliumLabel.podNamespace, operator: 'Exists' });
  return b;
}

/** Every label key (without source) a Kubernetes selector uses, with the Cilium key it maps to. */
export function selectorKeys(selector: LabelSelector, kind: 'pod' | 'namespace'): { key: string; requirement: Requirement }[] {
  return selector.requirements
    .filter((r) => !(kind === 'namespace' && r.key === namespaceNameLabel && r.operator !== 'DoesNotExist'))
    .map((r) => ({ key: kind === 'pod' ? r.key : `io.cilium.k8s.namespace.labels.${r.key}`, requirement: r }));
}

/**
 * Requirements of a pod or namespace selector that Cilium cannot honour, with the Cilium key:
 * keys that are not the selected objects' own labels in Cilium identities (left out by the
 * filter, or set by Cilium), and keys too long for Cilium releases from `version` on to accept
 * in a selector ({@link rejectedKeyForm}).
 */
export function droppedRequirements(selector: LabelSelector, kind: 'pod' | 'namespace', version: CiliumVersion): { key: string; requirement: Requirement }[] {
  return selectorKeys(selector, kind).filter((k) => !(kind === 'pod' ? isPodIdentityLabel(k.key) : isIdentityLabel(k.key)) || rejectedKeyForm(k.key, version) !== undefined);
}

/**
 * A Cilium agent checks every selector key of a CiliumNetworkPolicy as a Kubernetes qualified
 * name (pkg/policy/api/selector.go `sanitize`, `ValidateLabelSelector`) and drops the whole
 * policy when one fails (cilium/cilium#47817), so its pods lose their isolation. Before 1.20 the
 * key is checked with its source as `k8s.<key>` (cilium/cilium#43536 checks it without), and
 * until 1.21 a namespace label's key with its `io.cilium.k8s.namespace.labels.` prefix
 * (fixed by cilium/cilium#47845, merged in August 2026 after the 1.20 branch): an unprefixed
 * namespace label key of more than 28 characters (32 on 1.20) exceeds the 63 of a name part
 * (cilium/cilium#43771 shows the error on 1.18). Limits only loosen in later releases, so the
 * target's hold for every release the output must work on.
 *
 * `key` is the Cilium key without its source (`app`, `io.cilium.k8s.namespace.labels.team`).
 * Returns the form Cilium checks when it rejects it, else undefined.
 */
export function rejectedKeyForm(key: string, version: CiliumVersion): string | undefined {
  if (atLeast(version, ciliumFeatures.longSelectorKeys)) return undefined;
  const checked = atLeast(version, ciliumFeatures.sourcelessKeyCheck) ? key : `k8s.${key}`;
  const slash = checked.indexOf('/');
  // A valid Kubernetes key keeps a valid shape under these prefixes: only lengths can fail.
  const fits = slash < 0 ? checked.length <= 63 : slash <= 253 && checked.length - slash - 1 <= 63;
  return fits ? undefined : checked;
}

/**
 * Peer selectors limited to the endpoints of cluster `name` (`--cluster-name`): in a ClusterMesh,
 * Cilium up to 1.18 matches a selector that names no cluster against every cluster's endpoints
 * (Documentation/network/clustermesh/policy.rst; the local default came with
 * policy-default-local-cluster in 1.19). Every endpoint carries `io.cilium.k8s.policy.cluster`.
 * Each selector is scoped once: rules share their selectors.
 */
export function clusterScope(name: string | undefined): (selectors: readonly CiliumSelector[]) => readonly CiliumSelector[] {
  if (name === undefined) return (selectors) => selectors;
  const scoped = new Map<CiliumSelector, CiliumSelector>();
  const scope = (s: CiliumSelector): CiliumSelector => {
    let out = scoped.get(s);
    if (!out) {
      const labels: Record<string, string> = { ...s.matchLabels, [ciliumLabel.cluster]: name };
      const matchLabels: Record<string, string> = {};
      for (const k of Object.keys(labels).sort()) matchLabels[k] = labels[k]!;
      out = s.matchExpressions ? { matchLabels, matchExpressions: s.matchExpressions } : { matchLabels };
      scoped.set(s, out);
    }
    return out;
  };
  return (selectors) => selectors.map(scope);
}
