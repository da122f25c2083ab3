import { irDiagnostic } from '../diagnostics/catalog.js';
import { keyRef, refAt, type Diagnostic, type SourceRef } from '../diagnostics/diagnostic.js';
import type { SelectorTable } from '../model/selector.js';
import { closest } from '../util/closest.js';

/**
 * A reference, or a function that builds it: hot paths (every pod of a 150k-pod inventory) pass
 * thunks so that references are only built for the rare diagnostic.
 */
export type RefLike = SourceRef | (() => SourceRef);

/** The reference of a {@link RefLike}. */
export function deref(ref: RefLike): SourceRef {
  return typeof ref === 'function' ? ref() : ref;
}

/** A lazy child reference. */
export function lazyAt(ref: RefLike, ...more: (string | number)[]): () => SourceRef {
  return () => refAt(deref(ref), ...more);
}

/** Shared state while lowering: diagnostics are collected, never thrown. */
export interface LowerContext {
  readonly diagnostics: Diagnostic[];
  readonly defaultNamespace: string;
  /** Shares equal selectors between the policies of a load. */
  readonly selectors?: SelectorTable;
}

/** A plain-object view of a mapping. */
export type Fields = Readonly<Record<string, unknown>>;

/** Whether a field is left out (absent or null, which the API treats alike). */
export const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

/** Whether a value is a mapping (not null, not a list). */
export const isMap = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A scalar as written, for messages; other values described by type. Never `String()` of a parsed
 * object: one with a `toString` key that is no function throws.
 */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? describeValue(value) : String(value);
}

/** Describes a value's type for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'no value';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function typeHint(value: unknown, expected: string): string {
  if (typeof value === 'boolean' && expected.includes('string')) {
    return ' (unquoted yes/no/on/off/true/false are booleans in YAML; quote the value)';
  }
  if (typeof value === 'number' && expected.includes('string')) return ' (quote the value)';
  return '';
}

/** Reports `value` at `field` as not of the `expected` type (with a quoting hint by default). */
export function wrongType(ctx: LowerContext, ref: RefLike, field: string, expected: string, value: unknown, hint = typeHint(value, expected)): void {
  ctx.diagnostics.push(irDiagnostic('ir/invalid-type', { field, expected, found: describeValue(value), hint }, deref(ref)));
}

// The API server decodes a null list item into the item type's zero value: `ingress: [null]` is
// stored as `ingress: [{}]` (every source allowed) and `ports: [null]` as every TCP port. A lone
// `-` is far more often an unfinished edit than that intent, so it stays an error, which says
// what the cluster would make of it.
const nullItemHint = ' (a list item written as a lone `-` is null, which the API server stores as {}: write {} if that is meant)';

/** A mapping field; `null`/absent give undefined; a wrong type is reported. */
export function mapField(ctx: LowerContext, obj: Fields, key: string, ref: RefLike): Fields | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    wrongType(ctx, refAt(deref(ref), key), key, 'a mapping', v);
    return undefined;
  }
  return v as Fields;
}

/** A list field; `null`/absent give undefined. */
export function listField(ctx: LowerContext, obj: Fields, key: string, ref: RefLike): readonly unknown[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    wrongType(ctx, refAt(deref(ref), key), key, 'a list', v);
    return undefined;
  }
  return v;
}

/** A string field. */
export function stringField(ctx: LowerContext, obj: Fields, key: string, ref: RefLike): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    wrongType(ctx, refAt(deref(ref), key), key, 'a string', v);
    return undefined;
  }
  return v;
}

/** A boolean field. */
export function boolField(ctx: LowerContext, obj: Fields, key: string, ref: RefLike): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    wrongType(ctx, refAt(deref(ref), key), key, 'a boolean', v);
    return undefined;
  }
  return v;
}

/** An integer field. */
export function intField(ctx: LowerContext, obj: Fields, key: string, ref: RefLike): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    wrongType(ctx, refAt(deref(ref), key), key, 'an integer', v);
    return undefined;
  }
  return v;
}

/** A list element that must be a mapping; `emptyIsValid`: {} is a valid item (a null one then gets a hint). */
export function asMapItem(ctx: LowerContext, value: unknown, ref: RefLike, what: string, emptyIsValid = false): Fields | undefined {
  if (value === null || value === undefined) {
    wrongType(ctx, ref, what, 'a mapping', value, value === null && emptyIsValid ? nullItemHint : '');
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    wrongType(ctx, ref, what, 'a mapping', value);
    return undefined;
  }
  return value as Fields;
}

/** A `map[string]string` such as labels. */
export function stringMapField(ctx: LowerContext, obj: Fields, key: string, ref: RefLike): [string, string][] {
  const m = mapField(ctx, obj, key, ref);
  if (!m) return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') {
      wrongType(ctx, refAt(deref(ref), key, k), `${key}.${k}`, 'a string', v);
      continue;
    }
    out.push([k, v]);
  }
  return out;
}

/** Warns about keys outside `known`, suggesting the closest known key. */
export function checkKnownFields(ctx: LowerContext, obj: Fields, known: readonly string[], ref: SourceRef, where: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near ? ` in ${where} (did you mean ${near}?)` : ` in ${where}`;
    ctx.diagnostics.push(irDiagnostic('ir/unknown-field', { field: key, hint }, keyRef(refAt(deref(ref), key))));
  }
}
