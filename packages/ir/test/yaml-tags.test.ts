// Explicit YAML 1.1 tags are read as kubectl reads them (go-yaml v2 through sigs.k8s.io/yaml):
// the tag of a mapping or list is ignored, `!!binary` is its decoded text and `!!timestamp` the
// text written, in small and large files alike. Resolved by the yaml package, `!!set` and `!!omap`
// became a JS Set or Map that read as an empty mapping: `matchLabels: !!set {admin}` selected
// every pod, silently.
import { stringify } from 'yaml';
import { expect, it } from 'vitest';
import { loadProgram, type LoadResult } from '../src/index.js';
import { namespace, pod } from '../src/testing/index.js';

const head = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';

let pods: string | undefined;
const inventory = (): string => {
  if (pods === undefined) {
    const docs: string[] = [stringify(namespace('x'))];
    for (let i = 0; i < 2500; i++) docs.push(stringify(pod('x', `p${i}`, { app: `a${i % 7}` }, `198.18.${i >> 8}.${i & 255}`)));
    pods = docs.join('---\n');
    expect(pods.length).toBeGreaterThan(512 * 1024);
  }
  return pods;
};

/** The text alone (the yaml package) and after 2 500 pods (past the bulk threshold). */
function both(text: string): LoadResult[] {
  return [small(text), loadProgram([{ path: 't.yaml', content: `${inventory()}---\n${text}` }])];
}

function small(text: string): LoadResult {
  return loadProgram([{ path: 't.yaml', content: text }]);
}

const codes = (r: LoadResult): string[] => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.severity} ${d.code}`);

it('reads a !!set as the mapping it is written as: its members are keys without values, refused as null label values', () => {
  for (const selector of ['podSelector', 'namespaceSelector']) {
    const text = `${head}spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ${selector}: {matchLabels: !!set {admin}}\n`;
    for (const r of both(text)) {
      // Old code: no diagnostic at all, and a peer selecting every pod (every namespace).
      expect(codes(r).sort()).toEqual(['error ir/invalid-type', 'warning ir/syntax']);
      const error = r.diagnostics.find((d) => d.severity === 'error')!;
      expect(error.message).toContain('matchLabels.admin must be a string, found null');
      // Located at the key that has no value, not at the start of the file.
      const at = r.locate(error.target)!;
      expect(at.lineText.slice(at.column - 1, at.endColumn - 1)).toBe('admin');
      expect(r.diagnostics.find((d) => d.code === 'ir/syntax')!.message).toContain('!!set is ignored');
    }
  }
});

it('reads an !!omap where a mapping belongs as the list it is written as, an error as for kubectl', () => {
  const texts = [
    `${head}spec:\n  podSelector: {matchLabels: !!omap [{app: a1}]}\n`,
    `${head}spec: !!omap\n- podSelector: {}\n`,
  ];
  for (const text of texts) {
    const r = small(text);
    expect(codes(r).sort()).toEqual(['error ir/invalid-type', 'warning ir/syntax']);
    expect(r.diagnostics.find((d) => d.severity === 'error')!.message).toContain('must be a mapping, found a list');
  }
});

it('reads !!binary as its decoded text and !!timestamp as the text written', () => {
  const text = `${head}spec:\n  podSelector: {matchLabels: {app: !!binary "YTE=", day: !!timestamp 2001-12-14}}\n`;
  for (const r of both(text)) {
    expect(codes(r)).toEqual([]);
    expect(r.program.policies[0]!.subject.requirements).toEqual([
      { key: 'app', operator: 'In', values: ['a1'] },
      { key: 'day', operator: 'In', values: ['2001-12-14'] },
    ]);
  }
});

it('refuses a !!binary that is no standard base64 (go-yaml v2: "invalid base64 data")', () => {
  for (const value of ['"YTE"', '"YT E="', '"YTE=="']) {
    const text = `${head}spec:\n  podSelector: {matchLabels: {app: !!binary ${value}}}\n`;
    expect(codes(small(text))).toContain('error ir/syntax');
  }
});

it('reads an unknown local tag on a mapping as the mapping', () => {
  const text = `${head}spec:\n  podSelector: !mine {matchLabels: {app: a1}}\n`;
  const r = small(text);
  expect(codes(r)).toEqual(['warning ir/syntax']);
  expect(r.program.policies[0]!.subject.requirements).toEqual([{ key: 'app', operator: 'In', values: ['a1'] }]);
});
