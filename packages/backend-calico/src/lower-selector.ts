import type { Diagnostic, LabelSelector, Requirement, SourceRef } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import { and, isQuotable, isSelectorLabel, printSelector, type Selector } from './selector.js';

/** Calico CRDs cap `selector`, `namespaceSelector` and `notSelector` at 1024 characters. */
export const maxSelectorLength = 1024;

// Labels Calico puts on workload endpoints itself: projectcalico.org/namespace, /orchestrator,
// /serviceaccount, and the inherited namespace (pcns.) and service account (pcsa.) labels
// (libcalico-go/lib/backend/k8s/conversion: NamespaceLabelPrefix, ServiceAccountLabelPrefix).
const reservedPrefixes = ['projectcalico.org/', 'pcns.', 'pcsa.'] as const;

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

/**
 * Translates a canonical Kubernetes label selector to a Calico selector (`{}` is `all()`), or
 * undefined after reporting why it cannot be written. `pods` enables the reserved-prefix warning:
 * namespace selectors are prefixed by Calico itself and cannot clash.
 */
export function lowerLabelSelector(
  selector: LabelSelector,
  origin: SourceRef,
  what: 'pod selector' | 'namespace selector',
  diagnostics: Diagnostic[],
): Selector | undefined {
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
    const prefix = reservedPrefixes.find((p) => r.key.startsWith(p));
    if (what === 'pod selector' && prefix) diagnostics.push(calicoDiagnostic('backend-calico/reserved-label-prefix', { key: r.key, prefix }, origin));
  }
  if (!ok) return undefined;
  const out = and(selector.requirements.map(requirementSelector));
  const length = printSelector(out).length;
  if (length > maxSelectorLength) {
    diagnostics.push(calicoDiagnostic('backend-calico/selector-too-long', { what, length }, origin));
    return undefined;
  }
  return out;
}
