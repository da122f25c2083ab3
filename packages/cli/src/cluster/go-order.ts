// Key order as Go writes a map (sorted by bytes), where JavaScript's differs: an object lists its
// integer-like keys first, in numeric order, whatever order they were set in. A label map
// {"01", "1", "10", "2", "a"} sorted and rebuilt enumerates as 1, 2, 10, 01, a; kubectl writes
// 01, 1, 10, 2, a. Only maps hold such keys (no Kubernetes field name is a number), and netpolc
// writes its maps sorted, so a map whose first key is integer-like is sorted again.

import { compareValues } from '@netpolc/ir';

const integerLike = /^(?:0|[1-9][0-9]*)$/;

/** The keys of an object in the order Go writes them (see above). */
export function keysInGoOrder(o: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(o);
  return keys.length > 1 && integerLike.test(keys[0]!) ? keys.sort(compareValues) : keys;
}

/** A key that JavaScript moves to the front, as JSON text shows it. */
const integerKeyInJson = /[{,]"(?:0|[1-9][0-9]*)":/;

/** Compact JSON of a value, with map keys in Go's order; `JSON.stringify` itself unless a map has an integer-like key. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  return integerKeyInJson.test(text) ? ordered(value) : text;
}

function ordered(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : ordered(x))).join(',')}]`;
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  const o = v as Readonly<Record<string, unknown>>;
  const parts: string[] = [];
  for (const k of keysInGoOrder(o)) if (o[k] !== undefined) parts.push(`${JSON.stringify(k)}:${ordered(o[k])}`);
  return `{${parts.join(',')}}`;
}
