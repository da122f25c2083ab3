import type { Diagnostic, LabelSelector, Requirement, SourceRef } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import { and, isQuotable, isSelectorLabel, printSelector, type Selector } from './selector.js';

/** Calico CRDs cap `selector`, `namespaceSelector` and `notSelector` at 1024 characters. */
export const maxSelectorLength = 1024;

// Labels Calico puts on workload endpoints itself: projectcalico.org/namespace, /orchestrator
// and /serviceaccount over the pod's own (conversion.go podToWorkloadEndpoint), and the
// namespace (pcns.) and service account (pcsa.) labels its profiles pass on
// (libcalico-go/lib/backend/k8s/conversion: NamespaceLabelPrefix, ServiceAccountLabelPrefix).
// A pod selector on them tests Calico's values, not the pod's own labels: an error. Calico sets
// no other projectcalico.org/ key on endpoints today, so those only get a warning.
const calicoSetKeys: ReadonlySet<string> = new Set(['projectcalico.org/namespace', 'projectcalico.org/orchestrator', 'projectcalico.org/serviceaccount']);
const namespaceLabelPrefix = 'pcns.';
const inheritedPrefixes = [namespaceLabelPrefix, 'pcsa.'] as const;
const reservedPrefix = 'projectcalico.org/';

const noKeys: ReadonlySet<string> = new Set();

/**
 * Namespace label keys that some pod of the inventory shadows with a label of its own named
 * `pcns.<key>`: an endpoint's own labels win over those its namespace profile passes on
 * (felix/labelindex), so a namespace selector on such a key would judge that pod by its own label.
 */
export function shadowedNamespaceKeys(pods: readonly { readonly actionable: boolean; readonly labels: Readonly<Record<string, string>> }[]): Set<string> {
  const keys = new Set<string>();
  for (const p of pods) {
    if (!p.actionable) continue;
    for (const k of Object.keys(p.labels)) if (k.startsWith(namespaceLabelPrefix)) keys.add(k.slice(namespaceLabelPrefix.length));
  }
  return keys;
}

/** True for a pod label key whose value on a Calico workload endpoint is Calico's, not the pod's. */
export function isCalicoOwnedPodLabel(key: string): boolean {
  return calicoSetKeys.has(key) || inheritedPrefixes.some((p) => key.startsWith(p));
}

// The one namespace label Calico invents: every namespace profile carries projectcalico.org/name
// = <namespace> over whatever the namespace itself says (conversion.go NamespaceToProfile), so a
// namespaceSelector on it matches namespaces Kubernetes would not. Every other key is copied.
const calicoNamespaceNameKey = 'projectcalico.org/name';

/**
 * Only pods of Kubernetes: host endpoints and (global) network sets lack the label. Calico's own
 * converter ANDs it into every selector peer, namespaceSelector-only and podSelector {} included
 * (conversion.go k8sPeerToCalicoFields -> k8sSelectorToCalico(peer.PodSelector, SelectorPod)).
 */
export const kubernetesWorkloads: Selector = { kind: 'eq', key: 'projectcalico.org/orchestrator', value: 'k8s' };

function requirementSelector(r: Requirement): Selector {
  // The same mapping as Calico's own converter (conversion.go k8sSelectorToCalico):
  // matchLabels -> ==, In -> in {}, NotIn -> not in {}, Exists -> has(), DoesNotExist -> !has().
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? { kind: 'eq', key: r.key, value: r.values[0]! } : { kind: 'in', key: r.key, values: r.values };
    case 'NotIn':
      return { kind: 'not-in', key: r.key, values: r.values };
    case 'Exists':
      return { kind: 'has', key: r.key };
    case 'DoesNotExist':
      return { kind: 'not', operand: { kind: 'has', key: r.key } };
  }
}

/** Reports the requirements Calico cannot be given; true when every one can. */
function writable(selector: LabelSelector, origin: SourceRef, what: 'pod selector' | 'namespace selector', diagnostics: Diagnostic[], shadowed: ReadonlySet<string>): boolean {
  let ok = true;
  for (const r of selector.requirements) {
    if (!isSelectorLabel(r.key)) {
      diagnostics.push(calicoDiagnostic('backend-calico/invalid-label-key', { key: r.key }, origin));
      ok = false;
    }
    for (const v of r.values) {
      if (!isQuotable(v)) {
        diagnostics.push(calicoDiagnostic('backend-calico/unquotable-value', { value: v }, origin));
        ok = false;
      }
    }
    if (what === 'pod selector' && isCalicoOwnedPodLabel(r.key)) {
      diagnostics.push(calicoDiagnostic('backend-calico/calico-owned-label', { key: r.key }, origin));
      ok = false;
    } else if (what === 'pod selector' && r.key.startsWith(reservedPrefix)) {
      diagnostics.push(calicoDiagnostic('backend-calico/reserved-label-prefix', { key: r.key, prefix: reservedPrefix }, origin));
    }
    if (what === 'namespace selector' && shadowed.has(r.key)) {
      diagnostics.push(calicoDiagnostic('backend-calico/namespace-label-shadowed', { key: r.key }, origin));
      ok = false;
    }
    if (what === 'namespace selector' && r.key === calicoNamespaceNameKey) {
      diagnostics.push(calicoDiagnostic('backend-calico/reserved-namespace-label', { key: r.key }, origin));
      ok = false;
    }
  }
  return ok;
}

function operands(selector: LabelSelector, workloadsOnly: boolean): Selector[] {
  return [...(workloadsOnly ? [kubernetesWorkloads] : []), ...selector.requirements.map(requirementSelector)];
}

/**
 * Translates a canonical Kubernetes label selector to a Calico selector (`{}` is `all()`), or
 * undefined after reporting why it cannot be written. Pod selectors are warned about keys with
 * prefixes Calico assigns to endpoints; namespace selectors are prefixed with pcns. by Calico, so
 * only the namespace label Calico invents can clash, and that one cannot be written.
 * `workloadsOnly` ANDs {@link kubernetesWorkloads} in first, as Calico's converter does for peers.
 */
export function lowerLabelSelector(
  selector: LabelSelector,
  origin: SourceRef,
  what: 'pod selector' | 'namespace selector',
  diagnostics: Diagnostic[],
  workloadsOnly = false,
  shadowed: ReadonlySet<string> = noKeys,
): Selector | undefined {
  return lowerSelector(false, selector, origin, what, diagnostics, workloadsOnly, shadowed)?.[0];
}

/** More alternatives than this for one selector would overflow a policy's 1024 rules anyway. */
const maxAlternatives = 1024;

/**
 * The operands of selectors whose OR is `and(ops)`, each printed in at most 1024 characters, or
 * undefined when no such split exists within {@link maxAlternatives}. A pod has one value per
 * key, so `k in {a, b}` is `k in {a}` OR `k in {b}` exactly; the longest `In` is halved until
 * every piece fits (at most twice the fewest pieces). `not in`, `==` and `has` cannot be split.
 */
function fitting(ops: readonly Selector[]): Selector[][] | undefined {
  if (printSelector(and(ops)).length <= maxSelectorLength) return [[...ops]];
  let at = -1;
  let longest = 0;
  ops.forEach((o, i) => {
    const n = o.kind === 'in' ? printSelector(o).length : 0;
    if (n > longest) [at, longest] = [i, n];
  });
  if (at < 0) return undefined;
  const { key, values } = ops[at] as { readonly key: string; readonly values: readonly string[] };
  const half = Math.ceil(values.length / 2);
  const out: Selector[][] = [];
  for (const part of [values.slice(0, half), values.slice(half)]) {
    const piece: Selector = part.length === 1 ? { kind: 'eq', key, value: part[0]! } : { kind: 'in', key, values: part };
    const split = fitting(ops.map((o, i) => (i === at ? piece : o)));
    if (!split || out.length + split.length > maxAlternatives) return undefined;
    out.push(...split);
  }
  return out;
}

/**
 * Like {@link lowerLabelSelector}, where alternatives can be written: rules of a policy, or
 * policies with the same rules. A selector too long for one is written as several whose OR is
 * exact ({@link fitting}).
 */
export function lowerSelectorParts(...args: Parameters<typeof lowerLabelSelector>): Selector[] | undefined {
  return lowerSelector(true, ...args);
}

/** The selector, or with `split` the alternatives whose OR it is ({@link fitting}). */
function lowerSelector(split: boolean, ...[selector, origin, what, diagnostics, workloadsOnly = false, shadowed = noKeys]: Parameters<typeof lowerLabelSelector>): Selector[] | undefined {
  if (!writable(selector, origin, what, diagnostics, shadowed)) return undefined;
  const ops = operands(selector, workloadsOnly);
  const length = printSelector(and(ops)).length;
  const parts = length <= maxSelectorLength ? [ops] : split ? fitting(ops) : undefined;
  if (!parts) {
    diagnostics.push(calicoDiagnostic('backend-calico/selector-too-long', { what, length }, origin));
    return undefined;
  }
  return parts.map((p) => and(p));
}
