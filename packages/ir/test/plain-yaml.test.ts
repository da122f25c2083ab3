// The line reader for plain block YAML answers only inside its subset, and there exactly as
// the bulk reader's core schema (jsyaml-core.ts, which it stands in for) reads the same text.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { stringify } from 'yaml';
import { expect, it } from 'vitest';
import { coreSchema } from '../src/source/jsyaml-core.js';
import { readPlainDocuments } from '../src/source/plain-yaml.js';
import { propertyParams } from '../src/testing/index.js';

/** Every document of `text` as the line reader reads them, or undefined if it leaves any to js-yaml. */
function readPlainYaml(text: string): unknown[] | undefined {
  const { docs, rest } = readPlainDocuments(text);
  return rest === text.length ? docs : undefined;
}

function jsYaml(text: string): unknown[] | Error {
  try {
    return jsyaml.loadAll(text, undefined, { schema: coreSchema });
  } catch (err) {
    return err as Error;
  }
}

/** Where the line reader answers, js-yaml reads the same documents; returns whether it answered. */
function agrees(text: string): boolean {
  const plain = readPlainYaml(text);
  if (plain === undefined) return false;
  const reference = jsYaml(text);
  expect(reference, text).not.toBeInstanceOf(Error);
  expect(plain, text).toStrictEqual(reference);
  return true;
}

// Scalars that look like something else in some schema, or need quoting, or are plain text.
const trickyText = fc.constantFrom(
  'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'True', 'TRUE', 'tRue', 'false', 'null', 'Null', '~', '',
  '0', '-0', '+1', '01', '0123', '0x1F', '0o17', '0b101', '1_000', '1.5', '.5', '1.', '1e3', '35e2982', '9e3779b1', '1.5e400',
  '.inf', '-.Inf', '.nan', 'NaN', 'inf', '10.0.1.5', '10.0.0.0/8', 'fd00::1', '2001:db8::1', '::1', '12:30', '1:2:3',
  'a b', ' lead', 'trail ', 'a: b', 'a:b', 'a #b', 'a#b', '#x', '- x', '-x', '-', '?', '? x', ':x', "it's", '"q"', "'q'",
  '{x}', '[x]', '{}', '[]', '&a', '*a', '!t', '%x', '@x', '`x', '|', '>', 'a\nb', 'a\n\nb\n', 'x\n', '\n', 'tab\there',
  'ü', 'ok\\path', 'back\\"slash', 'é\u0085', 'line\u2028sep', '---', '...', 'v1', 'app-0', 'kubernetes.io/name',
  '\u001b[31mred\u001b[0m', 'bell\u0007', 'nul\u0000', 'nbsp\u00a0', 'x\u0085y', 'tab\tand\u000bvt', '😀 smile', 'lone\ud83d', '\ufeffbom', 'ε\u2029',
);
const text = fc.oneof({ weight: 3, arbitrary: trickyText }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('apiVersion', 'kind', 'name', 'labels', 'ports', 'app', 'x.io/role', 'a b') }, { weight: 1, arbitrary: trickyText });
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, fc.integer({ min: -5, max: 70000 }), fc.constantFrom(true, false, null, 0.5), tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 3 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).node;
const documents = fc.array(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), { minLength: 1, maxLength: 3 });

const jsDump = fc.record({
  indent: fc.integer({ min: 1, max: 4 }),
  noArrayIndent: fc.boolean(),
  flowLevel: fc.constantFrom(-1, -1, -1, 1, 2),
  lineWidth: fc.constantFrom(80, 20, -1),
  quotingType: fc.constantFrom<"'" | '"'>("'", '"'),
  forceQuotes: fc.boolean(),
});

it('reads what js-yaml dumps exactly as js-yaml reads it, wherever it answers', () => {
  let answered = 0;
  fc.assert(
    fc.property(documents, jsDump, (docs, options) => {
      const text = docs.map((d) => jsyaml.dump(d, { ...options, schema: jsyaml.CORE_SCHEMA })).join('---\n');
      if (agrees(text)) answered++;
    }),
    propertyParams(1500),
  );
  expect(answered).toBeGreaterThan(0);
});

// Long texts with spaces, which printers fold over lines (kubectl at 80 columns).
const sentence = fc.array(fc.constantFrom('a', 'pod', 'can\'t', 'x:y', '"q"', '#1', '', '  ', 'plugin set:', 'cpu', 'é'), { minLength: 4, maxLength: 14 }).map((w) => w.join(' '));
const folded = fc.dictionary(fc.constantFrom('message', 'note', 'k'), fc.oneof(sentence, sentence.map((t) => `${t}\n\n${t}`), sentence.map((t) => `'${t}`)), { minKeys: 1, maxKeys: 3 });

it('reads what the yaml package prints, folded at any width, exactly as js-yaml reads it, wherever it answers', () => {
  let answered = 0;
  fc.assert(
    fc.property(fc.oneof(documents, fc.array(folded, { minLength: 1, maxLength: 2 })), fc.boolean(), fc.integer({ min: 2, max: 4 }), fc.constantFrom(20, 40, 80), (docs, indentSeq, indent, lineWidth) => {
      if (agrees(docs.map((d) => stringify(d, { indentSeq, indent, lineWidth, minContentWidth: 0 })).join('---\n'))) answered++;
    }),
    propertyParams(1500),
  );
  expect(answered).toBeGreaterThan(0);
});

it('reads long strings as kubectl folds them', () => {
  const text = "metadata:\n  annotations:\n    kubernetes.io/limit-ranger: 'LimitRanger plugin set: cpu request for container\n      hostnames'\n    note: a plain text that is long enough to be folded by the printer\n      onto a second line\n\n      and a third after an empty line\n  name: x\n";
  expect(agrees(text)).toBe(true);
  expect(agrees('a: "two \\"quoted\\"\n\n  lines"\n')).toBe(true);
  expect(readPlainYaml('x: one\n\n\n  two\n  three\n')).toStrictEqual([{ x: 'one\n\ntwo three' }]);
  expect(readPlainYaml(text)).toStrictEqual([
    { metadata: { annotations: { 'kubernetes.io/limit-ranger': 'LimitRanger plugin set: cpu request for container hostnames', note: 'a plain text that is long enough to be folded by the printer onto a second line\nand a third after an empty line' }, name: 'x' } },
  ]);
});

// kubectl-shaped documents: the reader's reason to exist, so it must answer for nearly all.
const label = fc.constantFrom('web', 'db', 'v1', '0', '17156075', '9e3779b1', '35e2982', 'true', 'on', '1.5', 'a.b-c_d');
const kubectlPod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record({ name: fc.constantFrom('a', 'web-1'), namespace: fc.constantFrom('ns', 'other'), labels: fc.dictionary(fc.constantFrom('app', 'tier', 'pod-template-hash', 'x.io/role'), label, { maxKeys: 4 }), annotations: fc.option(fc.dictionary(fc.constantFrom('note', 'cfg'), fc.constantFrom('{"a":1}\n', 'two\nlines\n', 'plain', '', 'x: y', 'LimitRanger plugin set: cpu request for container hostnames and a long tail of words', 'a long plain note that the printer has to fold over two lines at least'), { maxKeys: 2 }), { nil: undefined }) }, { requiredKeys: ['name', 'namespace', 'labels'] }),
  spec: fc.record({
    nodeName: fc.constantFrom('node-1', 'node-2'),
    containers: fc.array(fc.record({ name: fc.constant('main'), image: fc.constant('registry.example/app:1'), ports: fc.array(fc.record({ name: fc.constantFrom('http', 'dns'), containerPort: fc.constantFrom(80, 81, 8080), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }), { maxLength: 2 }), resources: fc.constant({}) }), { minLength: 1, maxLength: 2 }),
    hostNetwork: fc.option(fc.boolean(), { nil: undefined }),
  }, { requiredKeys: ['nodeName', 'containers'] }),
  status: fc.record({ phase: fc.constantFrom('Running', 'Pending'), podIP: fc.constantFrom('10.0.1.5', 'fd00::5'), podIPs: fc.constant([{ ip: '10.0.1.5' }]) }),
});

it('answers for kubectl-shaped inventories, as js-yaml reads them', () => {
  let answered = 0;
  let runs = 0;
  fc.assert(
    fc.property(fc.array(kubectlPod, { minLength: 1, maxLength: 4 }), fc.boolean(), (pods, listed) => {
      runs++;
      // As `kubectl get -o yaml` prints a List (items unindented; js-yaml would fold long texts
      // as `>` blocks, which kubectl does not print), or as documents folded at 80 columns.
      const text = listed
        ? jsyaml.dump({ apiVersion: 'v1', items: pods, kind: 'List' }, { noArrayIndent: true, noRefs: true, lineWidth: -1 })
        : pods.map((p) => stringify(p, { aliasDuplicateObjects: false, lineWidth: 80, minContentWidth: 0 })).join('---\n');
      if (agrees(text)) answered++;
    }),
    propertyParams(300),
  );
  expect(answered).toBeGreaterThan(runs * 0.9);
});

it('never answers differently from js-yaml on damaged text', () => {
  const edit = fc.record({ at: fc.nat(), cut: fc.integer({ min: 0, max: 3 }), insert: fc.constantFrom('', ' ', '  ', ':', ': ', '- ', '-', '#', ' #', "'", '"', '\n', '\n  ', '|', '|-', '>', '{', '[]', '&a', '*a', '!', '---\n', '...', '\\', '\t') });
  fc.assert(
    fc.property(fc.array(kubectlPod, { minLength: 1, maxLength: 2 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (pods, edits) => {
      let text = pods.map((p) => stringify(p, { aliasDuplicateObjects: false, lineWidth: 40, minContentWidth: 0 })).join('---\n');
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
      }
      const plain = readPlainYaml(text);
      if (plain === undefined) return;
      const reference = jsYaml(text);
      expect(reference, text).not.toBeInstanceOf(Error);
      expect(plain, text).toStrictEqual(reference);
    }),
    propertyParams(2000),
  );
});

// Plain scalars written as they are (printers quote the doubtful ones): the typing must be js-yaml's.
const rawScalar = fc.constantFrom(
  '-0', '+1', '-1', '0', '00', '-00', '007', '0123', '0x1F', '0xG', '0x', '0o17', '0o8', '0o', '0b101', '0b2', '0b', '1_000', '_1', '1_',
  '1.5', '.5', '-.5', '+.5', '1.', '.', '..', '0.0.0', '10.0.1.5', '1e3', '1E3', '1e+3', '-1e-3', '1e', 'e1', '.e1', '35e2982', '9e3779b1',
  '1.5e400', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'inf', '12:30', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'TRUE', 'tRUE',
  'yes', 'y', '--', '-x', '+', '999999999999999', '9999999999999999', '-9007199254740993', 'fd00::1', '2001:db8::1', 'a.b', 'v1.2',
);

it('types plain scalars exactly as js-yaml does, wherever it answers', () => {
  fc.assert(
    fc.property(fc.array(rawScalar, { minLength: 1, maxLength: 6 }), fc.boolean(), (tokens, listed) => {
      agrees(listed ? tokens.map((t) => `- ${t}\n`).join('') : tokens.map((t, i) => `k${i}: ${t}\n`).join(''));
    }),
    propertyParams(500),
  );
});

it('reads the literal block scalars kubectl prints, with each chomping', () => {
  const text = 'a: |\n  one\n\n  two\n\n\nb: |-\n  x\n    indented\nc: |+\n  kept\n\n\nd: 1\n';
  expect(agrees(text)).toBe(true);
  expect(readPlainYaml(text)).toStrictEqual([{ a: 'one\n\ntwo\n', b: 'x\n  indented', c: 'kept\n\n\n', d: 1 }]);
});

it('reads unindented and indented lists, comments and document markers', () => {
  const text = '# inventory\n---\nitems:\n- name: a\n  ports:\n  - 80\n  - 81\n# between\n- name: b\n  ports: []\nkind: List\nmeta: {}\n---\nlist:\n  - x\n  -\n    y: 1\n';
  expect(agrees(text)).toBe(true);
  expect(readPlainYaml(text)).toStrictEqual([
    { items: [{ name: 'a', ports: [80, 81] }, { name: 'b', ports: [] }], kind: 'List', meta: {} },
    { list: ['x', { y: 1 }] },
  ]);
});

it('leaves to js-yaml what is outside its subset', () => {
  expect(readPlainYaml('a: "\\e[31m\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\0\\a\\v\\ \\/"\nb: 😀\n')).toStrictEqual([{ a: '\x1b[31mAé😀\x85\xa0\u2028\u2029\0\x07\v /', b: '😀' }]);
  expect(agrees('a: 0\nb: -1\nc: 8080\n')).toBe(true);
  for (const text of ['a: -0\n', 'a: [1, 2]\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: >\n  folded\n',  'a: "b\\\n  c"\n', 'a: b\n  # note\n  c\n', "a: 'x\n---\nb: y'\n", 'a: 1\na: 2\n', 'a: 1 # note\n', '---\n---\na: 1\n', 'a: 0x1F\n', 'a:\tb\n', 'a: 1\r\n', '%YAML 1.2\n---\na: 1\n', 'a: "\\q"\n', 'a: "\\U00110000"\n', 'a: b\ud800\n', 'a: |\n  at the end']) {
    expect(readPlainYaml(text), text).toBeUndefined();
  }
});

it('answers for a pod as `kubectl get pods -o yaml` prints it (managed fields, folded texts, blocks)', () => {
  const text = readFileSync(new URL('./support/kubectl-get-pods.yaml', import.meta.url), 'utf8');
  expect(agrees(text)).toBe(true);
});

it('leaves js-yaml only the documents from the first one outside its subset on', () => {
  let resumed = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }), fc.boolean()), { minLength: 1, maxLength: 5 }), (docs) => {
      // Some documents in flow style (outside the subset), the others in block style.
      const text = docs.map(([d, flow]) => jsyaml.dump(d, { flowLevel: flow ? 0 : -1, noRefs: true })).join('---\n');
      const reference = jsYaml(text);
      if (reference instanceof Error) return;
      const { docs: read, rest } = readPlainDocuments(text);
      if (rest > 0 && rest < text.length) resumed++;
      const all = rest === text.length ? read : [...read, ...(jsyaml.loadAll(text.slice(rest), undefined, { schema: coreSchema }) as unknown[])];
      expect(all, text).toStrictEqual(reference);
    }),
    propertyParams(1000),
  );
  expect(resumed).toBeGreaterThan(0);
  // The rest starts at the marker line: what follows `---` on it belongs to the next document.
  const text = 'a: 1\n--- !!str x\n';
  const { docs, rest } = readPlainDocuments(text);
  expect([...docs, ...jsyaml.loadAll(text.slice(rest), undefined, { schema: coreSchema })]).toStrictEqual([{ a: 1 }, 'x']);
});
