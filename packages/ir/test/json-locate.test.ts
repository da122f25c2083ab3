// The JSON locator finds every path where the `yaml` node tree does (the reading it replaces for
// JSON files): the same range for a value, a key, or the nearest ancestor of a missing step.
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { expect, it } from 'vitest';
import { JsonLocator } from '../src/source/json-locate.js';
import { rangeOf, type SourceFile } from '../src/source/source-file.js';
import { propertyParams } from '../src/testing/index.js';

const ws = fc.constantFrom('', ' ', '\n  ', '\t', '\r\n');
/** Keys as written in the text: plain, with escapes, or a plain name spelled with an escape. */
const keyText = fc.constantFrom('"a"', '"b"', '"items"', '"1"', '"q\\"x"', '"\\u0061"', '"é"', '"back\\\\"');

const { value: jsonText } = fc.letrec<{ value: string; scalar: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('array'), tie('object')),
  scalar: fc.oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '"a\\"]}"', '-0.5e-3'),
  ),
  array: fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }).chain((items) => ws.map((w) => `[${w}${items.map(([a, v, b]) => `${a}${v}${b}`).join(',')}]`)),
  object: fc
    .array(fc.tuple(ws, keyText, ws, ws, tie('value'), ws), { maxLength: 4 })
    .chain((pairs) => ws.map((w) => `{${w}${pairs.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}`)),
}));

const step = fc.oneof(fc.constantFrom('a', 'b', 'items', '1', 'q"x', 'é', 'back\\', 'zz'), fc.integer({ min: -1, max: 4 }));

it('finds the range of a path, a key or the nearest ancestor as the yaml node tree does', () => {
  fc.assert(
    fc.property(ws, jsonText, ws, fc.array(step, { maxLength: 4 }), fc.boolean(), (before, body, after, path, key) => {
      const text = `${before}${body}${after}`;
      JSON.parse(text); // only texts JSON.parse accepts reach the locator
      const file: SourceFile = { path: 't.json', text, format: 'json', trees: [parseDocument(text, { uniqueKeys: false })], lineStarts: undefined };
      const expected = rangeOf(file, { kind: 'ref', file: 't.json', doc: 0, path, key });
      expect(new JsonLocator(text).range(path, key)).toEqual(expected);
    }),
    propertyParams(3000),
  );
});

it('answers repeated look-ups into a large List from one index of its items', () => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ kind: 'Pod', metadata: { name: `p${i}`, labels: { a: `"${i}"` } } }));
  const text = JSON.stringify({ kind: 'List', items });
  const locator = new JsonLocator(text);
  for (const i of [0, 1, 999, 1999]) {
    const [start, end] = locator.range(['items', i, 'metadata', 'name'], false);
    expect(text.slice(start, end)).toBe(`"p${i}"`);
    const [ks, ke] = locator.range(['items', i, 'metadata', 'labels', 'a'], true);
    expect(text.slice(ks, ke)).toBe('"a"');
  }
  // A missing step stops at the nearest ancestor.
  const [s, e] = locator.range(['items', 5, 'spec', 'x'], false);
  expect(JSON.parse(text.slice(s, e))).toEqual(items[5]);
});
