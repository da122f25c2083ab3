import { irDiagnostic } from '../diagnostics/catalog.js';
import { keyRef, refAt, type SourceRef } from '../diagnostics/diagnostic.js';
import { absent, lazyAt, mapField, stringField, stringMapField, type Fields, type LowerContext } from './fields.js';
import { isDnsLabel, isDnsSubdomain } from './names.js';
import { checkLabelKey, checkLabelValue } from './selector.js';

/** The parts of ObjectMeta that netpolc uses. */
export interface Metadata {
  readonly name: string;
  /** Defaulted for namespaced kinds; undefined for cluster-scoped ones. */
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

/** Reads and validates `metadata`; undefined when the object cannot be identified. */
export function lowerMetadata(ctx: LowerContext, obj: Fields, ref: SourceRef, kind: string, namespaced: boolean): Metadata | undefined {
  const metaRef = lazyAt(ref, 'metadata');
  const meta = mapField(ctx, obj, 'metadata', ref);
  if (!meta) {
    ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'metadata.name' }, ref));
    return undefined;
  }
  const name = stringField(ctx, meta, 'name', metaRef);
  let ok = true;
  if (name === undefined) {
    // null is no name to the API server too ("name or generateName is required").
    if (absent(meta['name'])) ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'metadata.name' }, metaRef()));
    ok = false;
  } else if (!isDnsSubdomain(name)) {
    ctx.diagnostics.push(
      irDiagnostic('ir/invalid-name', { field: 'metadata.name', value: JSON.stringify(name), what: `${kind} name (RFC 1123 subdomain)` }, refAt(metaRef(), 'name')),
    );
    ok = false;
  }
  let namespace: string | undefined;
  if (namespaced) {
    namespace = stringField(ctx, meta, 'namespace', metaRef);
    // An empty namespace is an unset one to Go, so kubectl fills in its context's, as for none.
    if (namespace === undefined || namespace === '') {
      if (namespace === undefined && meta['namespace'] !== undefined && meta['namespace'] !== null) ok = false;
      namespace = ctx.defaultNamespace;
      if (kind === 'NetworkPolicy') ctx.diagnostics.push(irDiagnostic('ir/default-namespace', { namespace }, metaRef()));
    } else if (!isDnsLabel(namespace)) {
      ctx.diagnostics.push(
        irDiagnostic('ir/invalid-name', { field: 'metadata.namespace', value: JSON.stringify(namespace), what: 'namespace name (RFC 1123 label)' }, refAt(metaRef(), 'namespace')),
      );
      ok = false;
    }
  } else if (kind === 'Namespace' && name !== undefined && !isDnsLabel(name)) {
    ctx.diagnostics.push(
      irDiagnostic('ir/invalid-name', { field: 'metadata.name', value: JSON.stringify(name), what: 'namespace name (RFC 1123 label)' }, refAt(metaRef(), 'name')),
    );
    ok = false;
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of stringMapField(ctx, meta, 'labels', metaRef)) {
    const at = (): SourceRef => refAt(metaRef(), 'labels', k);
    if (checkLabelKey(ctx, k, () => keyRef(at())) && checkLabelValue(ctx, v, at)) labels[k] = v;
  }
  if (!ok || name === undefined) return undefined;
  return { name, namespace, labels };
}
