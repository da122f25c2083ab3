// Mapping keys kubectl refuses (sigs.k8s.io/yaml: "unsupported map key of type"): null keys, and
// lists or mappings as keys. Their document is refused in small and large files alike, located at
// the key, where the readers made "", "null", "[ a, b ]" or "[object Object]" of them before; and
// the yaml package prints nothing of its own on stderr.
import { stringify } from 'yaml';
import fc from 'fast-check';
import { expect, it, vi } from 'vitest';
import { loadProgram, type LoadResult } from '../src/index.js';
import { numRuns, namespace, pod } from '../src/testing/index.js';
import { readDefaults } from '../src/source/read-objects.js';
import { keyCandidate, keyCandidateOffsets } from '../src/source/yaml-keys.js';
import { readYamlText } from '../src/source/yaml-read.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';

/** 2 500 pods in plain block YAML, read by the line reader: a text after them is past the bulk threshold. */
const podsText = ((): string => {
  const docs: string[] = [stringify(namespace('x'))];
  for (let i = 0; i < 2500; i++) docs.push(stringify(pod('x', `p${i}`, { app: `a${i % 7}` }, `198.18.${i >> 8}.${i & 255}`)));
  return `${docs.join('---\n')}---\n`;
})();
const podsLines = podsText.split('\n').length - 1;

interface Reading {
  readonly result: LoadResult;
  /** Diagnostics as `code line:col`, lines counted from the text's first. */
  readonly found: string[];
}

/** The text alone (a small file) and after the pods (a large one), its diagnostics located relative to it. */
function both(text: string): Reading[] {
  const large = podsText + text;
  expect(large.length).toBeGreaterThan(512 * 1024);
  return [
    { content: text, skip: 0 },
    { content: large, skip: podsLines },
  ].map(({ content, skip }) => {
    const result = loadProgram([{ path: 't.yaml', content }]);
    const found = result.diagnostics.filter((d) => d.severity !== 'info').map((d) => {
      const at = result.locate(d.target);
      return `${d.code} ${at ? `${at.line - skip}:${at.column}` : '-'}`;
    });
    return { result, found };
  });
}

const namespaceW = (labels: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: w\n  labels:\n${labels}`;
const hasW = (r: LoadResult): boolean => r.program.inventory.namespaces.some((n) => n.name === 'w');

const refused: Record<string, { labels: string; at: string }> = {
  '~ key': { labels: '    a: b\n    ~: v\n', at: '7:5' },
  'null key': { labels: '    null: v\n', at: '6:5' },
  'NULL key': { labels: '    NULL: v\n', at: '6:5' },
  'empty key': { labels: '    a: b\n    : v\n', at: '7:5' },
  'explicit list key': { labels: '    ? [a, b]\n    : v\n', at: '6:7' },
  'explicit mapping key': { labels: '    ? {a: b}\n    : v\n', at: '6:7' },
  'explicit block list key': { labels: '    ? - a\n      - b\n    : v\n', at: '6:7' },
  'nested list key (js-yaml throws on it)': { labels: '    ? [[a], b]\n    : v\n', at: '6:7' },
  'flow list key': { labels: '    [a]: v\n', at: '6:5' },
  'null key in a flow mapping': { labels: '    x: {a: b, ~: v}\n', at: '6:15' },
  'empty key in a flow mapping': { labels: '    x: {: v}\n', at: '6:9' },
  'list key in a flow mapping': { labels: '    x: {[a]: v}\n', at: '6:9' },
};

for (const [name, c] of Object.entries(refused)) {
  it(`refuses the document of a ${name}, as kubectl does, in small and large files alike`, () => {
    const [small, large] = both(namespaceW(c.labels));
    expect(small!.found).toEqual([`ir/yaml-key ${c.at}`]);
    expect(large!.found).toEqual(small!.found);
    for (const r of [small!, large!]) expect(hasW(r.result)).toBe(false);
    // The other documents are read.
    expect(large!.result.program.inventory.pods.length).toBe(2500);
  });
}

const accepted: Record<string, string> = {
  'quoted null words': `    "~": a\n    'null': b\n    "": c\n`,
  'boolean and number keys': '    true: a\n    1: b\n    1.5: c\n',
  'an explicit scalar key': '    ? k\n    : a\n',
  'question marks and colons inside values': '    a: what ? now\n    b: "x ? : y"\n    c: [p, q]\n    d: {e: f}\n    g: x ? y\n',
};

for (const [name, annotations] of Object.entries(accepted)) {
  it(`reads ${name}, which kubectl reads too, in small and large files alike`, () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: w\n  annotations:\n${annotations}`;
    const [small, large] = both(text);
    expect(small!.found.filter((f) => f.startsWith('ir/yaml-key') || f.startsWith('ir/syntax'))).toEqual([]);
    expect(large!.found).toEqual(small!.found);
    for (const r of [small!, large!]) expect(hasW(r.result)).toBe(true);
  });
}

it('prints nothing of the yaml package on stderr for a key it would stringify', () => {
  const warn = vi.spyOn(process, 'emitWarning');
  const log = vi.spyOn(console, 'warn');
  try {
    const r = loadProgram([{ path: 't.yaml', content: namespaceW('    ? {a: b}\n    : v\n') }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/yaml-key']);
    // The locator parses the file again with the same options.
    expect(r.locate(r.diagnostics[0]!.target)?.line).toBe(6);
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
    log.mockRestore();
  }
});

it('refuses the List holding such a key when a List longer than a string is read run by run, as a whole reading does', () => {
  const item = (i: number, extra = ''): string => `- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: n${i}\n    labels:\n      a: b${extra}\n`;
  const text = `apiVersion: v1\nkind: List\nitems:\n${[0, 1, 2].map((i) => item(i, i === 1 ? '\n      ~: v' : '')).join('')}`;
  const whole = loadProgram([{ path: 't.yaml', content: text }]);
  const saved = readDefaults.maxTextBytes;
  readDefaults.maxTextBytes = 64;
  let bytes: LoadResult;
  try {
    bytes = loadProgram([{ path: 't.yaml', content: new TextEncoder().encode(text) }]);
  } finally {
    readDefaults.maxTextBytes = saved;
  }
  for (const r of [whole, bytes]) {
    expect(r.diagnostics.map((d) => `${d.code} ${r.locate(d.target)?.line}:${r.locate(d.target)?.column}`)).toEqual(['ir/yaml-key 16:7']);
    expect(r.program.inventory.namespaces).toEqual([]);
  }
});

it('reads random keys alike in the small and the bulk reading, with a candidate near every refused key', () => {
  const keyArb = fc.constantFrom('a', '"~"', '~', 'null', '', 'true', '1', '[a]', '{b: c}', '? [d]', '? e', "'null'", '? {f: g}');
  fc.assert(
    fc.property(fc.array(keyArb, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.boolean(), (keys, flow, before) => {
      const entries = keys.map((k, i) => (k.startsWith('? ') ? (flow ? `${k}: v${i}` : `${k}\n    : v${i}`) : `${k}: v${i}`));
      const labels = flow ? `    x: {${entries.join(', ')}}\n` : entries.map((e) => `    ${e}\n`).join('');
      // A document before, which the line reader reads (or, in flow style, js-yaml).
      const text = `${before ? 'a: {b: c}\n---\n' : 'a: b\n---\n'}${namespaceW(labels)}`;
      const read = (bulk: boolean): { docs: unknown[]; found: string[] } => {
        const docs: unknown[] = [];
        const diagnostics: Diagnostic[] = [];
        readYamlText(text, 't.yaml', docs, diagnostics, { bulk });
        return { docs, found: diagnostics.map((d) => `${d.code} ${d.target.kind === 'span' ? `${d.target.pos}-${d.target.end}` : ''}`) };
      };
      const small = read(false);
      // Where the small reading refuses a key, the scan of the text has a candidate.
      if (small.found.some((f) => f.startsWith('ir/yaml-key'))) expect(keyCandidateOffsets(text).length).toBeGreaterThan(0);
      const bulk = read(true);
      expect(bulk.found).toEqual(small.found);
      // A syntax error (two empty keys are one key twice) stops the bulk reading at its node, with
      // the same errors and no documents: nothing is compiled either way.
      if (!small.found.some((f) => f.startsWith('ir/syntax'))) expect(bulk.docs).toEqual(small.docs);
    }),
    { numRuns: numRuns(200) },
  );
});

it('finds candidates on the lines the expression matches (the expression is the rule)', () => {
  const lineOf = (text: string, at: number): number => text.slice(0, at).split(/\r\n?|\n/).length;
  const byExpression = (text: string): number[] => {
    const lines = new Set<number>();
    for (const m of text.matchAll(new RegExp(keyCandidate.source, 'gm'))) {
      // The line of the match's first character past the whitespace before it.
      let at = m.index;
      while (at < m.index + m[0].length - 1 && /\s/.test(text[at]!)) at++;
      lines.add(lineOf(text, at));
    }
    return [...lines].sort((a, b) => a - b);
  };
  const byScan = (text: string): number[] => [...new Set(keyCandidateOffsets(text).map((at) => lineOf(text, at)))].sort((a, b) => a - b);
  const chars = fc.constantFrom(...'?:~-{}[], \t\nnulNULa#"\''.split(''), 'null', 'Null', 'NULL', '\r\n');
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 24 }).map((a) => a.join('')), (text) => {
      expect(byScan(text)).toEqual(byExpression(text));
    }),
    { numRuns: numRuns(2000) },
  );
  // And on the forms the readers refuse.
  for (const c of Object.values(refused)) expect(byScan(c.labels).length).toBeGreaterThan(0);
});
