// Large JSON Lists are read item by item (source/json-items.ts): whatever the text, that reading
// must give what `JSON.parse` of the whole text gives, or step aside; and a load through it must
// equal a load that parses the whole file.
import fc from 'fast-check';
import { afterEach, expect, it } from 'vitest';
import { isListValue, itemsStart, JsonItems } from '../src/source/json-items.js';
import { readDefaults } from '../src/source/read-objects.js';
import { loadProgram, type LoadResult } from '../src/index.js';
import { clusterArb, namespace, numRuns, pod, policiesArb, type Manifest } from '../src/testing/index.js';
import { byteSource, windowsArb, withWindows } from './support/byte-source.js';

const runs = numRuns(150);
const defaults = { ...readDefaults };
afterEach(() => {
  Object.assign(readDefaults, defaults);
});

/** Characters per run of items parsed at once: one item at a time, runs of a few items, all at once. */
const runCharsArb = fc.constantFrom(0, 1, 40, 120, 16 * 1024);

/** The items read one by one; undefined when the reading steps aside (at once, or false from forEach: the whole text is read then). */
function itemByItem(text: string, runChars: number): unknown[] | undefined {
  const open = itemsStart(text);
  if (open === undefined) return undefined;
  const out: unknown[] = [];
  const items = new JsonItems(text, open, runChars);
  if (!items.forEach((v) => (out.push(v), true))) return undefined;
  // A second reading goes by the runs the first one found; items it is told it knows are
  // not parsed (undefined), the others are the same again.
  const again: unknown[] = [];
  expect(items.forEach((v) => (again.push(v), true))).toBe(true);
  expect(again).toEqual(out);
  const known = (i: number): boolean => i % 3 === 1;
  const some: unknown[] = [];
  expect(items.forEach((v) => (some.push(v), true), known)).toBe(true);
  expect(some).toEqual(out.map((v, i) => (known(i) ? undefined : v)));
  return out;
}

/** The items of the whole text parsed at once, or false when it is no JSON List of objects. */
function whole(text: string): unknown[] | false {
  try {
    const value: unknown = JSON.parse(text);
    if (!isListValue(value)) return false;
    const items = value['items'];
    return Array.isArray(items) && items.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i)) ? items : false;
  } catch {
    return false;
  }
}

// Items whose nested lists start with the items' own first key (`},{"apiVersion"` inside an
// item: the look-ahead misses there), strings holding that text, and arbitrary values.
const itemArb = fc.record(
  {
    apiVersion: fc.constantFrom('v1', '},{"apiVersion":', 'a\\"b'),
    kind: fc.constantFrom('Pod', 'List', 'x'),
    owners: fc.array(fc.record({ apiVersion: fc.string(), kind: fc.string() }), { maxLength: 3 }),
    rest: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['apiVersion'] },
);

const layoutArb = fc.record({
  indent: fc.constantFrom(undefined, 1, 2, 4, '\t'),
  kindAfterItems: fc.boolean(),
});

function listText(items: readonly unknown[], layout: { indent: number | string | undefined; kindAfterItems: boolean }): string {
  const list = layout.kindAfterItems ? { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } } : { apiVersion: 'v1', kind: 'List', items };
  return JSON.stringify(list, null, layout.indent);
}

it('reads the items of a JSON List one by one to what JSON.parse of the whole text gives', () => {
  fc.assert(
    fc.property(fc.array(itemArb, { minLength: 1, maxLength: 12 }), layoutArb, runCharsArb, (items, layout, runChars) => {
      const text = listText(items, layout);
      expect(itemByItem(text, runChars)).toEqual(whole(text));
    }),
    { numRuns: runs },
  );
});

it('never reads a broken or different text to other items than JSON.parse', () => {
  let stepsAside = 0;
  const edit = fc.record({ at: fc.nat(), length: fc.nat({ max: 3 }), insert: fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', ' ', 'x', '"items":[]', '"items":[{}],') });
  fc.assert(
    fc.property(fc.array(itemArb, { minLength: 1, maxLength: 6 }), layoutArb, edit, runCharsArb, (items, layout, e, runChars) => {
      const text = listText(items, layout);
      const at = e.at % text.length;
      const broken = text.slice(0, at) + e.insert + text.slice(at + e.length);
      const read = itemByItem(broken, runChars);
      // Stepping aside is always allowed: the whole text is then parsed.
      if (read !== undefined) expect(read).toEqual(whole(broken));
      else stepsAside++;
    }),
    { numRuns: runs * 4 },
  );
  // Most edits break the text; some leave it a List the reading must read.
  expect(stepsAside).toBeLessThan(runs * 4);
});

it('steps aside for texts that are plainly no List of objects', () => {
  const texts: string[] = ['[]', '{}', '{"items":[]}', '{"items":{}}', String.raw`{"it\u0065ms":[{}]}`, '{"kind":"List","items":[1]}', '{"kind":"List","items":[{}],"items":[]}', '{"kind":"Pod","items":[{}]}'];
  // A value that is no object between items that a run holds (the separator occurs before and after it).
  const a = '{"apiVersion":"v1"}';
  for (const odd of ['5', 'null', '[1]', '"x"']) texts.push(`{"kind":"List","items":[${a},${a},${a},${odd},${a},${a}]}`);
  for (const text of texts) for (const runChars of [0, 16 * 1024]) expect(itemByItem(text, runChars), text).toBeUndefined();
});

function comparable(r: LoadResult): unknown {
  const program = JSON.stringify(r.program, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const places = r.diagnostics.map((d) => r.locate(d.target));
  // Located at once, in file order, whatever the order asked: the same places, in that order.
  expect(r.locateAll(r.diagnostics.map((d) => d.target).reverse())).toEqual(places.slice().reverse());
  return { program, diagnostics: r.diagnostics.map((d, i) => ({ ...d, location: places[i] })) };
}

function loadBoth(text: string, runChars: number): [unknown, unknown] {
  readDefaults.lazyListChars = 0;
  readDefaults.listRunChars = runChars;
  const byItem = comparable(loadProgram([{ path: 'list.json', content: text }]));
  readDefaults.lazyListChars = Infinity;
  const atOnce = comparable(loadProgram([{ path: 'list.json', content: text }]));
  return [byItem, atOnce];
}

/**
 * A load of the text's bytes as if they were longer than a string may be (read straight from the
 * bytes), without the code frames' line texts: a line of over 4 KiB is not decoded for one.
 */
function loadAsBytes(text: string, runChars: number, windows?: { windowBytes: number; behindBytes: number; most: number }): { program: unknown; diagnostics: { code: string; location: unknown }[] } {
  readDefaults.maxTextBytes = 0;
  readDefaults.listRunChars = runChars;
  try {
    const bytes = new TextEncoder().encode(text);
    // Held whole, or read from a source window by window (as the CLI reads a file that large).
    if (windows) return withWindows(windows, () => withoutLineTexts(comparable(loadProgram([{ path: 'list.json', content: byteSource(bytes, windows.most) }]))));
    return withoutLineTexts(comparable(loadProgram([{ path: 'list.json', content: bytes }])));
  } finally {
    readDefaults.maxTextBytes = defaults.maxTextBytes;
  }
}

function withoutLineTexts(r: unknown): { program: unknown; diagnostics: { code: string; location: unknown }[] } {
  const { program, diagnostics } = r as { program: unknown; diagnostics: { code: string; location: { lineText: string } | undefined }[] };
  return { program, diagnostics: diagnostics.map((d) => ({ ...d, location: d.location && { ...d.location, lineText: undefined } })) };
}

const programArb = clusterArb({ maxPods: 4 }).chain((c) => policiesArb(4).map((p) => [...c.manifests, ...p] as Manifest[]));

const twistArb = fc.constantFrom('none', 'nested-list', 'trailing-comma', 'duplicate', 'no-kind', 'non-ascii');

/** The program's items with a twist, as a List text. */
function twisted(objects: readonly Manifest[], layout: { indent: number | string | undefined; kindAfterItems: boolean }, at: number, twist: string): string {
  const items: unknown[] = [...objects];
  const i = at % (items.length + 1);
  // A List inside the List, a comma JSON refuses (YAML reads it), a duplicate object, an
  // object without kind: each load reads the whole file, or reports, as the whole reading does.
  // Characters beyond ASCII before a located error (bytes and characters count apart there).
  if (twist === 'nested-list') items.splice(i, 0, { apiVersion: 'v1', kind: 'List', items: [namespace('nested')] });
  if (twist === 'duplicate' && items.length > 0) items.splice(i, 0, items[i % items.length]);
  if (twist === 'no-kind') items.splice(i, 0, { apiVersion: 'v1' });
  if (twist === 'non-ascii') items.splice(i, 0, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'éa', annotations: { 'note': 'ünïcödé 😀' }, labels: { k: 'ö' } } });
  const text = listText(items, layout);
  return twist === 'trailing-comma' ? text.replace(/\}(\s*)\]\s*([,}])/, '},$1]$2') : text;
}

it('loads a JSON List item by item to the program and diagnostics of a whole reading', () => {
  fc.assert(
    fc.property(programArb, layoutArb, fc.nat(), twistArb, runCharsArb, (objects, layout, at, twist, runChars) => {
      const [byItem, atOnce] = loadBoth(twisted(objects, layout, at, twist), runChars);
      expect(byItem).toEqual(atOnce);
    }),
    { numRuns: runs },
  );
});

it('loads a JSON List longer than a string may be straight from its bytes, held whole or read window by window, as a whole reading would, or refuses it', () => {
  fc.assert(
    fc.property(programArb, layoutArb, fc.nat(), twistArb, runCharsArb, windowsArb, (objects, layout, at, twist, runChars, windows) => {
      const text = twisted(objects, layout, at, twist);
      const fromBytes = loadAsBytes(text, runChars);
      expect(loadAsBytes(text, runChars, windows)).toEqual(fromBytes);
      const items = itemByItem(text, runChars);
      if (items === undefined || items.some(isListValue)) {
        // Where the item reading steps aside (the loader does for a List inside), the whole text
        // would have to be read: refused, at 1:1.
        expect(fromBytes.diagnostics.map((d) => d.code)).toEqual(['ir/input-too-large']);
        expect(fromBytes.diagnostics[0]!.location).toMatchObject({ line: 1, column: 1 });
      } else {
        readDefaults.lazyListChars = Infinity;
        expect(fromBytes).toEqual(withoutLineTexts(comparable(loadProgram([{ path: 'list.json', content: text }]))));
      }
    }),
    { numRuns: runs },
  );
});

it.each([0, 300, 16 * 1024])('reuses a read List for a second load of the same source, as netpolc diff does (runs of %i characters)', (runChars) => {
  readDefaults.lazyListChars = 0;
  readDefaults.listRunChars = runChars;
  // Pods lowered with a warning, and twice, are taken from the first load with their diagnostics.
  const pods = Array.from({ length: 20 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`));
  const conflict = pod('x', 'conflict', {}, '198.18.0.99', { ports: [['http', 80, 'TCP'], ['http', 81, 'TCP']] });
  const objects = [namespace('x'), ...pods, conflict, pods[3]!];
  const source = { path: 'list.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) };
  const first = comparable(loadProgram([source])) as { diagnostics: unknown[] };
  expect(first.diagnostics).toHaveLength(2);
  expect(comparable(loadProgram([source]))).toEqual(first);
  readDefaults.lazyListChars = Infinity;
  expect(comparable(loadProgram([{ ...source }]))).toEqual(first);
});

it('reads a second load of a List held as bytes from the runs of the first, as netpolc diff does', () => {
  readDefaults.maxTextBytes = 0;
  readDefaults.listRunChars = 300;
  const pods = Array.from({ length: 20 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`));
  const conflict = pod('x', 'conflict', {}, '198.18.0.99', { ports: [['http', 80, 'TCP'], ['http', 81, 'TCP']] });
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [namespace('x'), ...pods, conflict, pods[3]!] }, null, 2);
  const source = { path: 'list.json', content: new TextEncoder().encode(text) };
  const first = withoutLineTexts(comparable(loadProgram([source])));
  expect(first.diagnostics.map((d) => d.code)).toEqual(['ir/named-port-conflict', 'ir/duplicate-object']);
  expect(withoutLineTexts(comparable(loadProgram([source])))).toEqual(first);
  // Read from a source window by window: the second load reads the runs again from the source.
  withWindows({ windowBytes: 97, behindBytes: 20 }, () => {
    const paged = { path: 'list.json', content: byteSource(source.content, 50) };
    expect(withoutLineTexts(comparable(loadProgram([paged])))).toEqual(first);
    expect(withoutLineTexts(comparable(loadProgram([paged])))).toEqual(first);
  });
  readDefaults.maxTextBytes = defaults.maxTextBytes;
  expect(withoutLineTexts(comparable(loadProgram([{ path: 'list.json', content: text }])))).toEqual(first);
});

it('checks bytes it holds as text as it checks any input: UTF-8, no NUL, a byte order mark skipped', () => {
  readDefaults.maxTextBytes = 0;
  const list = new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [namespace('x')] }));
  const codes = (content: Uint8Array): string[] => {
    const found = loadProgram([{ path: 'list.json', content }]).diagnostics.map((d) => `${d.code} ${d.message}`);
    // The same from a source read window by window.
    const fromSource = withWindows({ windowBytes: 9, behindBytes: 2 }, () => loadProgram([{ path: 'list.json', content: byteSource(content, 7) }]).diagnostics.map((d) => `${d.code} ${d.message}`));
    expect(fromSource).toEqual(found);
    return found;
  };
  expect(codes(Uint8Array.of(...list.slice(0, 10), 0xc3, ...list.slice(10)))).toEqual(['ir/binary-input file is not UTF-8 text (invalid UTF-8)']);
  expect(codes(Uint8Array.of(...list.slice(0, 10), 0, ...list.slice(10)))).toEqual(['ir/binary-input file is not UTF-8 text (contains NUL bytes)']);
  for (const content of [Uint8Array.of(0xef, 0xbb, 0xbf, ...list), byteSource(Uint8Array.of(0xef, 0xbb, 0xbf, ...list), 2)]) {
    const withMark = loadProgram([{ path: 'list.json', content }]);
    expect(withMark.diagnostics).toEqual([]);
    expect(withMark.program.inventory.namespaces.map((n) => n.name)).toEqual(['x']);
  }
  expect(codes(list)).toEqual([]);
});

it('reads a source no longer than a string may be whole, as its bytes: YAML too', () => {
  const yaml = '# a namespace\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ünï\n';
  const bytes = new TextEncoder().encode(yaml);
  const fromSource = loadProgram([{ path: 'ns.yaml', content: byteSource(bytes, 5) }]);
  const fromBytes = loadProgram([{ path: 'ns.yaml', content: bytes }]);
  expect(comparable(fromSource)).toEqual(comparable(fromBytes));
  expect(fromBytes.diagnostics.map((d) => d.code)).toContain('ir/invalid-name');
});
