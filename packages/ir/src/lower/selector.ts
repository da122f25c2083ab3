import { irDiagnostic } from '../diagnostics/catalog.js';
import { hasErrors, keyRef, refAt, type SourceRef } from '../diagnostics/diagnostic.js';
import { canonicalSelector, type LabelSelector, type Requirement, type SelectorOperator } from '../model/selector.js';
import { asMapItem, checkKnownFields, listField, mapField, stringField, wrongType, type Fields, type LowerContext } from './fields.js';
import { knownFields } from './known-fields.js';
import { isLabelKey, isLabelValue } from './names.js';

const operators: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Validates a label key, reporting at `ref` (a thunk: refs are built only for errors). */
export function checkLabelKey(ctx: LowerContext, key: string, ref: SourceRef | (() => SourceRef)): boolean {
  if (isLabelKey(key)) return true;
  const hint = key.includes(' ') ? ' (spaces are not allowed)' : '';
  ctx.diagnostics.push(irDiagnostic('ir/invalid-label-key', { value: JSON.stringify(key), hint }, typeof ref === 'function' ? ref() : ref));
  return false;
}

/** Validates a label value. */
export function checkLabelValue(ctx: LowerContext, value: string, ref: SourceRef | (() => SourceRef)): boolean {
  if (isLabelValue(value)) return true;
  ctx.diagnostics.push(irDiagnostic('ir/invalid-label-value', { value: JSON.stringify(value) }, typeof ref === 'function' ? ref() : ref));
  return false;
}

/**
 * Reads a `metav1.LabelSelector` (`matchLabels` + `matchExpressions`, ANDed). Returns undefined
 * when the selector is invalid, so a broken peer is never read as "match everything".
 */
export function lowerSelector(ctx: LowerContext, obj: Fields, ref: SourceRef): LabelSelector | undefined {
  const before = ctx.diagnostics.length;
  checkKnownFields(ctx, obj, knownFields.selector, ref, 'a label selector');
  const requirements: Requirement[] = [];
  const labels = mapField(ctx, obj, 'matchLabels', ref);
  for (const [key, value] of Object.entries(labels ?? {})) {
    const at = refAt(ref, 'matchLabels', key);
    checkLabelKey(ctx, key, () => keyRef(at));
    if (typeof value !== 'string') {
      // kubectl stores a null value as "" (Go decodes JSON null into a string as its zero value): said, not done.
      wrongType(ctx, at, `matchLabels.${key}`, 'a string', value, value === null ? ' (a key without a value is null, which the API server stores as "": write "" if an empty value is meant)' : undefined);
      continue;
    }
    checkLabelValue(ctx, value, at);
    requirements.push({ key, operator: 'In', values: [value] });
  }
  const expressions = listField(ctx, obj, 'matchExpressions', ref) ?? [];
  expressions.forEach((item, i) => {
    const at = refAt(ref, 'matchExpressions', i);
    const expr = asMapItem(ctx, item, at, 'matchExpressions entry');
    if (!expr) return;
    checkKnownFields(ctx, expr, knownFields.requirement, at, 'a selector requirement');
    const key = stringField(ctx, expr, 'key', at);
    const op = stringField(ctx, expr, 'operator', at);
    const values = listField(ctx, expr, 'values', at);
    if (key === undefined) {
      ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'key' }, at));
    } else {
      checkLabelKey(ctx, key, refAt(at, 'key'));
    }
    if (op === undefined) {
      ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'operator' }, at));
      return;
    }
    if (!operators.includes(op as SelectorOperator)) {
      const near = operators.find((o) => o.toLowerCase() === op.toLowerCase());
      ctx.diagnostics.push(
        irDiagnostic(
          'ir/invalid-selector',
          { reason: `operator ${JSON.stringify(op)} is not one of In, NotIn, Exists, DoesNotExist${near ? ` (did you mean ${near}?)` : ''}` },
          refAt(at, 'operator'),
        ),
      );
      return;
    }
    const operator = op as SelectorOperator;
    const strings: string[] = [];
    (values ?? []).forEach((v, j) => {
      if (typeof v !== 'string') {
        wrongType(ctx, refAt(at, 'values', j), 'values entry', 'a string', v, ' (quote the value)');
        return;
      }
      checkLabelValue(ctx, v, refAt(at, 'values', j));
      strings.push(v);
    });
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && (values === undefined || values.length === 0)) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-selector', { reason: `operator ${operator} needs at least one value` }, at));
      return;
    }
    if (!needsValues && values !== undefined && values.length > 0) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-selector', { reason: `operator ${operator} takes no values` }, refAt(at, 'values')));
      return;
    }
    if (key !== undefined) requirements.push({ key, operator, values: strings });
  });
  if (hasErrors(ctx.diagnostics.slice(before))) return undefined;
  const selector = canonicalSelector(requirements);
  return ctx.selectors ? ctx.selectors.intern(selector) : selector;
}
