// The YAML locator parses only the node a path reaches; wherever it answers, the range is the one
// the whole file's `yaml` tree gives, and on kubectl-style inventories it does answer.
import fc from 'fast-check';
import { isMap, isScalar, isSeq, stringify } from 'yaml';
import { expect, it } from 'vitest';
import { rangeOf, parseYamlDocuments, type SourceFile } from '../src/source/source-file.js';
import { YamlLocator } from '../src/source/yaml-locate.js';
import { propertyParams } from '../src/testing/index.js';

const keys = ['a', 'b', 'items', 'metadata', 'name', 'x-y', 'k8s.io/app', 'a b', 'yes', '1', 'x: y', '#k', 'true'];
const { value } = fc.letrec<{ value: unknown; scalar: unknown; list: unknown; map: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('list'), tie('map')),
  scalar: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', ' ', ':', '-', '#', '"', "'", '1') })),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 4 }),
}));

/** Documents as the yaml package writes them (kubectl style or indented lists), comment lines put in. */
const textArb = fc
  .tuple(fc.array(value, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 3 }), fc.boolean())
  .map(([docs, indentSeq, comments, leadingMarker]) => {
    const texts = docs.map((d) => stringify(d, { indentSeq, lineWidth: 0 }));
    const lines = `${leadingMarker ? '---\n' : ''}${texts.join('---\n')}`.split('\n');
    for (const c of comments) lines.splice(c % (lines.length + 1), 0, '# note');
    return lines.join('\n');
  });

const stepArb = fc.oneof(fc.constantFrom(...keys, 'zz'), fc.integer({ min: -1, max: 4 }));

function fullTreeRange(text: string, doc: number, path: (string | number)[], key: boolean): [number, number] {
  const file: SourceFile = { path: 't.yaml', text, format: 'yaml', trees: parseYamlDocuments(text), lineStarts: undefined };
  return rangeOf(file, { kind: 'ref', file: 't.yaml', doc, path, key });
}

it('gives the whole-file tree range wherever it answers', () => {
  fc.assert(
    fc.property(textArb, fc.nat(3), fc.array(stepArb, { maxLength: 5 }), fc.boolean(), (text, doc, path, key) => {
      const documents = parseYamlDocuments(text);
      fc.pre(documents.every((d) => d.errors.length === 0));
      const found = new YamlLocator(text, documents.length).range(doc, path, key);
      if (found) expect(found).toEqual(fullTreeRange(text, doc, path, key));
    }),
    propertyParams(3000),
  );
});

it('answers paths into the items of a kubectl List, and of one document per object', () => {
  const pod = (i: number): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } });
  const list = stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 300 }, (_, i) => pod(i)) }, { indentSeq: false });
  const many = Array.from({ length: 300 }, (_, i) => stringify(pod(i))).join('---\n');
  for (const [text, doc, prefix] of [
    [list, 0, ['items', 123]],
    [many, 123, []],
  ] as const) {
    const locator = new YamlLocator(text, parseYamlDocuments(text).length);
    for (const [rest, key] of [
      [['metadata', 'name'], false],
      [['metadata', 'labels', 'app'], true],
      [['spec', 'containers', 0, 'ports', 0, 'containerPort'], false],
      [['spec', 'missing', 'x'], false],
    ] as const) {
      const path = [...prefix, ...rest];
      const found = locator.range(doc, path, key);
      expect(found, path.join('.')).toBeDefined();
      expect(found).toEqual(fullTreeRange(text, doc, path, key));
    }
    expect(text.slice(...locator.range(doc, [...prefix, 'metadata', 'name'], false)!)).toBe('p123');
    // Only the item was parsed, not the file.
    expect(locator.parsedChars).toBeLessThan(text.length / 50);
  }
});

it('finds the plain scalars around given offsets in the same places as the whole-file tree', () => {
  const words = fc.constantFrom('yes', 'n', 'On', 'off', 'y');
  const withWords = fc
    .tuple(fc.array(fc.oneof(value, fc.dictionary(fc.constantFrom(...keys), fc.oneof(words, fc.array(words, { maxLength: 3 })), { maxKeys: 3 })), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([docs, indentSeq]) => docs.map((d) => stringify({ items: [d, { a: d }] }, { indentSeq, lineWidth: 0 })).join('---\n'));
  fc.assert(
    fc.property(withWords, fc.integer({ min: 8, max: 400 }), (text, small) => {
      const documents = parseYamlDocuments(text);
      fc.pre(documents.every((d) => d.errors.length === 0));
      // Every plain scalar of the file, by range, from the whole-file trees.
      const plain = new Map<string, string>();
      const collect = (node: unknown, offset: number, out: Map<string, string>): void => {
        if (isScalar(node) && node.type === 'PLAIN' && node.range) out.set(`${node.range[0] + offset}-${node.range[1] + offset}`, String(node.value));
        if (isMap(node)) for (const p of node.items) collect(p.value, offset, out);
        if (isSeq(node)) for (const i of node.items) collect(i, offset, out);
      };
      for (const d of documents) collect(d.contents, 0, plain);
      const offsets = [...plain.keys()].map((k) => Number(k.split('-')[0]));
      const around = new YamlLocator(text, documents.length).treesAround(offsets, small);
      if (!around) return;
      const found = new Map<string, string>();
      for (const { tree, offset } of around) collect(tree.contents, offset, found);
      // Each asked-for scalar is found, at its place, with its value.
      for (const [range, v] of plain) expect(found.get(range), range).toBe(v);
    }),
    propertyParams(1000),
  );
});

// A List item's own range is found without parsing it (`validate -v` of 20 000 finished pods spent
// 7 s parsing each one): the end the tree gives must come out the same however the item ends.
const lineText = fc.string({ maxLength: 5, unit: fc.constantFrom('a', ' ', '#', ':', '|', '+') });
const itemValue = fc.oneof(
  value,
  // Block scalars of every chomping and indentation indicator the yaml package writes.
  fc.tuple(fc.array(lineText, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '\n', '\n\n')).map(([ls, end]) => ls.join('\n') + end),
);
// Items start with a plain key, as every Kubernetes object does (deeper keys are any of `keys`).
const itemArb = fc.dictionary(fc.constantFrom('apiVersion', 'metadata', 'status', 'k8s.io/app', 'x-y', 'yes'), itemValue, { minKeys: 1, maxKeys: 4 });
const listArb = fc
  .tuple(fc.array(itemArb, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.constantFrom('# c', '', '   ', '\t')), { maxLength: 3 }), fc.nat(6))
  .map(([items, indentSeq, inserts, indent]) => {
    const lines = stringify({ apiVersion: 'v1', items, kind: 'List' }, { indentSeq, lineWidth: 0 }).split('\n');
    for (const [at, text] of inserts) lines.splice(at % (lines.length + 1), 0, text === '# c' ? ' '.repeat(indent) + text : text);
    return { text: lines.join('\n'), count: items.length };
  });

it("gives a List item's and its document's whole-file range, mostly without parsing them", () => {
  let runs = 0;
  let unparsed = 0;
  fc.assert(
    fc.property(listArb, fc.nat(3), ({ text, count }, i) => {
      const documents = parseYamlDocuments(text);
      fc.pre(documents.length === 1 && documents[0]!.errors.length === 0);
      const path = ['items', i % count];
      const locator = new YamlLocator(text, 1);
      const found = locator.range(0, path, false);
      runs++;
      if (found && locator.parsedChars === 0) unparsed++;
      if (found) expect(found).toEqual(fullTreeRange(text, 0, path, false));
      // The List's document, reached whole, the same way (its entries are not checked on the way).
      const whole = new YamlLocator(text, 1).range(0, [], false);
      if (whole) expect(whole).toEqual(fullTreeRange(text, 0, [], false));
    }),
    propertyParams(2000),
  );
  // Comments and kept line breaks send items to the parse: about 30 % of runs have none.
  if (runs >= 200) expect(unparsed).toBeGreaterThan(runs / 5);
});

it('finds the range of kubectl List items and documents without parsing them', () => {
  const pod = (i: number): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, annotations: { note: i % 2 ? 'two\nlines\n' : 'one\nline' } },
    status: i % 3 ? { phase: 'Succeeded', podIP: '198.18.0.1' } : { message: 'last\nline' },
  });
  for (const [indentSeq, crlf] of [[false, false], [true, false], [false, true]] as const) {
    const lf = stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 30 }, (_, i) => pod(i)), metadata: { resourceVersion: '' } }, { indentSeq, lineWidth: 0 });
    const text = crlf ? lf.replace(/\n/g, '\r\n') : lf;
    const locator = new YamlLocator(text, 1);
    for (let i = 0; i < 30; i++) expect(locator.range(0, ['items', i], false)).toEqual(fullTreeRange(text, 0, ['items', i], false));
    expect(locator.parsedChars).toBe(0);
    // The same objects as one document each (`---` between them, as files are concatenated).
    const docs = Array.from({ length: 30 }, (_, i) => stringify(pod(i), { indentSeq, lineWidth: 0 })).join('---\n');
    const many = crlf ? docs.replace(/\n/g, '\r\n') : docs;
    const perDocument = new YamlLocator(many, 30);
    for (let i = 0; i < 30; i++) expect(perDocument.range(i, [], false)).toEqual(fullTreeRange(many, i, [], false));
    expect(perDocument.parsedChars).toBe(0);
  }
});
