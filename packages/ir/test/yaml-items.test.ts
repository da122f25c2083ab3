// A YAML List longer than a string may be is read a run of items at a time
// (source/yaml-items.ts): a load through that reading must give the program and diagnostics of
// a load of the whole text, or refuse the file.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterEach, expect, it } from 'vitest';
import { readDefaults } from '../src/source/read-objects.js';
import { loadProgram, type LoadResult } from '../src/index.js';
import { clusterArb, namespace, numRuns, pod, policiesArb, type Manifest } from '../src/testing/index.js';
import { byteSource, withWindows } from './support/byte-source.js';

const runs = numRuns(150);
const defaults = { ...readDefaults };
afterEach(() => {
  Object.assign(readDefaults, defaults);
});

type Loaded = { program: string; diagnostics: string[] };

/** The program, and the diagnostics with their locations (in any order: runs report as they go). */
function comparable(r: LoadResult): Loaded {
  const program = JSON.stringify(r.program, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const places = r.diagnostics.map((d) => r.locate(d.target));
  // Located at once, in file order, whatever the order asked: the same places, in that order.
  expect(r.locateAll(r.diagnostics.map((d) => d.target).reverse())).toEqual(places.slice().reverse());
  const diagnostics = r.diagnostics.map((d, i) => {
    const at = places[i];
    return `${d.code} ${d.severity} ${d.message} @${at ? `${at.line}:${at.column}-${at.endLine}:${at.endColumn}` : '-'}`;
  });
  return { program, diagnostics: diagnostics.sort() };
}

/** A load of the whole text, and one of its bytes as if longer than a string (runs of `runBytes`, from a source read in windows). */
function loadBoth(text: string, runBytes: number, windowBytes: number): [Loaded, Loaded] {
  const atOnce = comparable(loadProgram([{ path: 'list.yaml', content: text }]));
  readDefaults.maxTextBytes = 0;
  readDefaults.yamlRunBytes = runBytes;
  const bytes = new TextEncoder().encode(text);
  const byRuns = withWindows({ windowBytes, behindBytes: 16 }, () => comparable(loadProgram([{ path: 'list.yaml', content: byteSource(bytes, 100) }])));
  readDefaults.maxTextBytes = defaults.maxTextBytes;
  return [byRuns, atOnce];
}

const twistArb = fc.constantFrom('none', 'comments', 'trailing-sequence', 'non-ascii', 'yaml11', 'nested-list', 'scalar-item', 'block-scalar');

/** kubectl's layout (items at the column of `items:`) or the yaml package's (indented), with a twist. */
function listText(objects: readonly Manifest[], indentSeq: boolean, at: number, twist: string): string {
  const items: unknown[] = [...objects];
  const i = at % (items.length + 1);
  if (twist === 'non-ascii') items.splice(i, 0, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'éa', annotations: { note: 'ünïcödé 😀' }, labels: { k: 'ö' } } });
  // Plain words kubectl reads as booleans, in two items: reported once, as for the whole file.
  if (twist === 'yaml11') items.splice(i, 0, namespace('y1', { on: 'yes' }), namespace('y2', { on: 'yes', off: 'no' }));
  if (twist === 'nested-list') items.splice(i, 0, { apiVersion: 'v1', kind: 'List', items: [namespace('nested')] });
  if (twist === 'scalar-item') items.splice(i, 0, 'just a string');
  // A literal block whose lines look like item starts and top-level keys, were they not indented.
  if (twist === 'block-scalar') items.splice(i, 0, { ...namespace('b'), metadata: { name: 'b', annotations: { script: '- not an item\nkind: List\n- x\n' } } });
  const list: Record<string, unknown> = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  // A sequence after the items, at the same column as their item starts.
  if (twist === 'trailing-sequence') list['zz'] = ['- a', 'b'];
  // Without anchors for shared objects: kubectl prints none, and an alias in another run than its anchor is refused.
  let text = stringify(list, { indentSeq, lineWidth: 0, aliasDuplicateObjects: false });
  if (twist === 'comments') text = text.replace(/\n(\s*)- /g, (m, space: string, offset: number) => (offset % 3 === 0 ? `\n# between items\n${space}  # indented\n${space}- ` : m));
  return text;
}

it('loads a YAML List run by run to the program and diagnostics of a whole reading, or refuses it', () => {
  const programArb = clusterArb({ maxPods: 4 }).chain((c) => policiesArb(4).map((p) => [...c.manifests, ...p] as Manifest[]));
  fc.assert(
    fc.property(programArb, fc.boolean(), fc.nat(), twistArb, fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 8, max: 700 }), (objects, indentSeq, at, twist, runBytes, windowBytes) => {
      const text = listText(objects, indentSeq, at, twist);
      const [byRuns, atOnce] = loadBoth(text, runBytes, windowBytes);
      if (twist === 'nested-list' || twist === 'scalar-item') {
        // Items that are no plain object: the whole text would have to be read. Refused, at 1:1.
        expect(byRuns.diagnostics).toEqual([expect.stringMatching(/^ir\/input-too-large error .* @1:1-1:1$/)]);
      } else {
        expect(byRuns).toEqual(atOnce);
      }
    }),
    { numRuns: runs },
  );
});

it('reports the syntax errors of each run that does not parse, located in the file, and reads the others', () => {
  const items = Array.from({ length: 30 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`));
  const good = stringify({ apiVersion: 'v1', items: [namespace('x'), ...items], kind: 'List' }, { indentSeq: false });
  // An unclosed flow mapping in one item, a tab-indented line in another.
  const flow = good.replace('    name: p7\n', '    name: {p7\n');
  const broken = flow.replace('    name: p21\n', '    name: p21\n\tbad: 1\n');
  const errors = (r: LoadResult): string[] =>
    r.diagnostics.filter((d) => d.code === 'ir/syntax' && d.severity === 'error').map((d) => `${r.locate(d.target)!.line}:${r.locate(d.target)!.column} ${d.message}`);
  // The whole reading's errors for the flow mapping alone (the yaml package finds them a line on).
  const flowErrors = errors(loadProgram([{ path: 'list.yaml', content: flow }]));
  expect(flowErrors.length).toBeGreaterThan(0);
  readDefaults.maxTextBytes = 0;
  readDefaults.yamlRunBytes = 600;
  const r = loadProgram([{ path: 'list.yaml', content: new TextEncoder().encode(broken) }]);
  expect(errors(r)).toEqual(expect.arrayContaining(flowErrors));
  const tabLine = broken.slice(0, broken.indexOf('\tbad: 1')).split('\n').length;
  expect(errors(r)).toContainEqual(`${tabLine}:1 Tabs are not allowed as indentation`);
  // The runs without an error are read: pods far from both broken items are there.
  const names = new Set(r.program.inventory.pods.map((p) => p.name));
  expect([...['p0', 'p14', 'p29'].filter((n) => names.has(n)), ...['p7', 'p21'].filter((n) => !names.has(n))]).toEqual(['p0', 'p14', 'p29', 'p7', 'p21']);
});

it('refuses what is no List of items at the top: a document stream, items that are no sequence, a long text after them', () => {
  const list = stringify({ apiVersion: 'v1', items: [namespace('x')], kind: 'List' }, { indentSeq: false });
  readDefaults.maxTextBytes = 0;
  const codes = (text: string): string[] => loadProgram([{ path: 'list.yaml', content: new TextEncoder().encode(text) }]).diagnostics.map((d) => d.code);
  expect(codes(list)).toEqual([]);
  for (const text of [`${list}---\n${list}`, 'apiVersion: v1\nkind: List\nitems: []\n', 'kind: Namespace\nmetadata: {name: x}\n', list.replace('kind: List', 'kind: Pod'), `${list}zz: "${'x'.repeat(70_000)}"\n`]) {
    expect(codes(text), text.slice(0, 80)).toEqual(['ir/input-too-large']);
  }
});

it('reads a second load of a YAML List from the runs of the first, as netpolc diff does, with the reading diagnostics again', () => {
  const pods = Array.from({ length: 20 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`));
  // YAML 1.1 words, as key and value (reported by the reading), and a named-port conflict (by the lowering).
  const conflict = pod('x', 'conflict', { on: 'yes' }, '198.18.0.99', { ports: [['http', 80, 'TCP'], ['http', 81, 'TCP']] });
  const text = stringify({ apiVersion: 'v1', items: [namespace('x'), ...pods, conflict], kind: 'List' }, { indentSeq: false, aliasDuplicateObjects: false });
  const whole = comparable(loadProgram([{ path: 'list.yaml', content: text }]));
  expect(whole.diagnostics.map((d) => d.split(' ')[0])).toEqual(['ir/named-port-conflict', 'ir/yaml11-boolean', 'ir/yaml11-boolean']);
  readDefaults.maxTextBytes = 0;
  readDefaults.yamlRunBytes = 500;
  const source = { path: 'list.yaml', content: new TextEncoder().encode(text) };
  expect(comparable(loadProgram([source]))).toEqual(whole);
  expect(comparable(loadProgram([source]))).toEqual(whole);
});
