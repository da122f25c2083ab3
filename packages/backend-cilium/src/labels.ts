// Kubernetes label selectors → Cilium endpoint selectors, and Cilium's identity label filter.
import { compareValues, namespaceNameLabel, type LabelSelector, type Requirement } from '@netpolc/ir';
import { ciliumLabel, type CiliumRequirement, type CiliumSelector } from './model.js';

/**
 * Cilium's default identity label filter (cilium/cilium pkg/labelsfilter/filter.go,
 * `defaultLabelPrefixCfg`): a label takes part in a pod's security identity unless an ignore
 * prefix matches it and no longer include prefix does. Prefixes are regular expressions that must
 * match at the start of the label key (`LabelPrefix.matches`). Only `k8s`-source labels matter here.
 */
const labelFilter: readonly { readonly ignore: boolean; readonly expr: RegExp }[] = [
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
];

/**
 * True when a label key (without source prefix) is part of Cilium identities under the default
 * filter. Mirrors `filterLabels`: accepted when not ignored, or when the longest include match is
 * longer than the shortest ignore match.
 */
export function isIdentityLabel(key: string): boolean {
  let known = identityKeys.get(key);
  if (known === undefined) identityKeys.set(key, (known = filterAccepts(key)));
  return known;
}

/** Answers by label key: a cluster has few keys, and each pod and selector asks for all of its own. */
const identityKeys = new Map<string, boolean>();

function filterAccepts(key: string): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of labelFilter) {
    const m = p.expr.exec(key);
    if (!m || m.index !== 0) continue;
    const len = m[0].length;
    if (p.ignore) {
      if (ignored === 0 || len < ignored) ignored = len;
    } else if (len > included) included = len;
  }
  return ignored === 0 || included > ignored;
}

/** The identity-relevant pod labels of a pod, as Cilium sees them. */
export function identityLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) if (isIdentityLabel(k)) out[k] = labels[k]!;
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
    return {
      ...(this.labels.size > 0 ? { matchLabels } : {}),
      ...(exprs.length > 0 ? { matchExpressions: exprs } : {}),
    };
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
