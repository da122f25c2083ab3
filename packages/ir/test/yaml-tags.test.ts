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

it('refuses a core scalar tag its value does not match, which kubectl reads otherwise or refuses', () => {
  // go-yaml v2 (resolve.go): `!!bool yes` is true, `!!int 1_0` is 10, `!!null foo` and
  // `!!timestamp foo` are refused. Old code: a warning that kubectl ignores the tag, and the text.
  for (const value of ['!!bool yes', '!!int 1_0', '!!null foo', '!!timestamp foo', '!!int 80.5']) {
    const r = small(`${head}spec:\n  podSelector: {matchLabels: {app: ${value}}}\n`);
    expect(codes(r), value).toContain('error ir/syntax');
  }
  for (const value of ['!!timestamp 2001-12-14t21:59:43.10-05:00', '!!timestamp 2001-12-14 21:59:43.10', '!!bool true', '!!int 0x10']) {
    const r = small(`${head}spec:\n  podSelector: {}\n  ingress: [{ports: [{port: 80}]}]\n  x-${value.split(' ')[0]!.slice(2)}: ${value}\n`);
    expect(codes(r).filter((c) => c.endsWith('ir/syntax')), value).toEqual([]);
  }
});

it('reads the text of a !!binary or locally tagged scalar as written, without the YAML 1.1 checks of plain scalars', () => {
  // `b24=` is "on": a port name to kubectl, which reads the decoded text (old code: ir/yaml11-number).
  const r = small(`${head}spec:\n  podSelector: {matchLabels: {app: !!binary eWVz}}\n  ingress: [{ports: [{port: !!binary b24=}]}]\n`);
  expect(codes(r)).toEqual([]);
  const p = r.program.policies[0]!;
  expect(p.subject.requirements).toEqual([{ key: 'app', operator: 'In', values: ['yes'] }]);
  expect(p.ingress![0]!.ports).toEqual([expect.objectContaining({ kind: 'named', name: 'on' })]);
});

it('refuses a tagged merge key, which go-yaml v2 reads as the plain key "<<"', () => {
  // Old code: merged by the yaml package (a small file), refused by js-yaml (a large one).
  const text = `${head}spec:\n  podSelector:\n    matchLabels:\n      !!str <<: {app: a1}\n      tier: web\n`;
  for (const r of both(text)) expect(codes(r).filter((c) => c.startsWith('error'))).not.toEqual([]);
  expect(small(text).diagnostics.find((d) => d.severity === 'error')!.message).toContain('tagged <<');
});
