// Merge keys (`<<: *base`) are read as kubectl reads them (go-yaml v2 map merging), in small and
// large files alike; the one order in which go-yaml v2 reads them otherwise than YAML 1.1 is refused.
import { stringify } from 'yaml';
import { expect, it } from 'vitest';
import { loadProgram, type LoadResult } from '../src/index.js';
import { namespace, pod } from '../src/testing/index.js';
import { mergeCandidate, mergeOffsets, readYamlText } from '../src/source/yaml-read.js';

const head = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';

/** The same text alone (the yaml package) and after 2 500 pods (past the bulk threshold: the line reader, then js-yaml from the first merge on). */
function both(text: string): LoadResult[] {
  const pods: string[] = [stringify(namespace('x'))];
  for (let i = 0; i < 2500; i++) pods.push(stringify(pod('x', `p${i}`, { app: `a${i % 7}` }, `198.18.${i >> 8}.${i & 255}`)));
  const large = `${pods.join('---\n')}---\n${text}`;
  expect(large.length).toBeGreaterThan(512 * 1024);
  return [loadProgram([{ path: 't.yaml', content: text }]), loadProgram([{ path: 't.yaml', content: large }])];
}

it('reads merge keys as kubectl does: the merged keys join the mapping, and keys written there win', () => {
  // Old code: `error ir/unknown-field: unknown field << in a label selector`, though kubectl applies the file.
  const text = `${head}spec:
  podSelector: &sel {matchLabels: {app: a1}}
  ingress:
  - from:
    - podSelector:
        <<: *sel
    ports:
    - &p80 {port: 80, protocol: UDP}
  - ports:
    - <<: *p80
      port: 81
  - ports:
    - <<: [{port: 82}, {port: 83, protocol: SCTP}]
  egress:
  - to:
    - podSelector:
        <<:
          matchLabels: {app: a2}
`;
  for (const r of both(text)) {
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const p = r.program.policies[0]!;
    const app = [{ key: 'app', operator: 'In', values: ['a1'] }];
    expect(p.subject.requirements).toEqual(app);
    const ingress = p.ingress!;
    expect(ingress[0]!.peers !== 'any' && ingress[0]!.peers[0]!.kind === 'pods' && ingress[0]!.peers[0]!.pods.requirements).toEqual(app);
    // An earlier source of a list wins over a later one (yaml.org/type/merge); protocol defaults to TCP.
    expect(ingress.map((rule) => (rule.ports === 'any' ? 'any' : rule.ports.map((q) => (q.kind === 'range' ? `${q.protocol}/${q.from}` : q.kind))))).toEqual([['UDP/80'], ['UDP/81'], ['SCTP/82']]);
    const egress = p.egress![0]!.peers;
    expect(egress !== 'any' && egress[0]!.kind === 'pods' && egress[0]!.pods.requirements).toEqual([{ key: 'app', operator: 'In', values: ['a2'] }]);
  }
});

it('refuses a merge key after a key it gives another value, which go-yaml v2 lets the merge override', () => {
  const text = `${head}spec:
  podSelector: {}
  ingress:
  - ports:
    - &p {port: 80, protocol: TCP}
    - port: 81
      <<: *p
    - protocol: TCP
      <<: *p
`;
  for (const r of both(text)) {
    // The second merge gives protocol the value written before it: both readers agree there.
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/yaml-merge-order']);
    const loc = r.locate(r.diagnostics[0]!.target)!;
    expect([loc.lineText.trim(), loc.column]).toEqual(['<<: *p', 7]);
    expect(r.diagnostics[0]!.message).toContain('key port');
  }
  // The merge first, then the key: the same file to kubectl and here.
  const fixed = text.replace('    - port: 81\n      <<: *p\n', '    - <<: *p\n      port: 81\n');
  for (const r of both(fixed)) expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
});

it('locates a merge whose value is no mapping at that value', () => {
  for (const r of both(`${head}spec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - <<: 5\n`)) {
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/syntax']);
    const loc = r.locate(r.diagnostics[0]!.target)!;
    expect(loc.column).toBe(11);
    expect(loc.lineText.trim()).toBe('- <<: 5');
  }
});

it('finds merge key candidates exactly where the expression does', () => {
  const texts = ['<<: *a', 'a:\n  <<: *b', '{<<: {}}', '- <<:\n', 'x: "<<: no"', 'a<<: b', '<< : x', 'k: <<', '<<', '? <<: a', 'a: [1,<<:2]', '\t<<\t:x'];
  for (const t of texts) expect(mergeOffsets(t).length > 0, t).toBe(mergeCandidate.test(t));
});

it('reads each mapping with merges as go-yaml v2 does too: two merges, lists of sources, keys in another order', () => {
  const selector = (lines: string) => `${head}spec:\n  podSelector:\n    matchLabels:\n${lines}`;
  // Two merges: the first wins in YAML 1.1, the second overwrites in go-yaml (was silent).
  for (const r of both(selector('      <<: {app: web}\n      <<: {app: db}\n'))) expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/yaml-merge-order']);
  // The first source of a list wins for both readers; a written key equal to the result is no divergence.
  for (const r of both(selector('      app: web\n      <<: [{app: web}, {app: db}]\n'))) expect(r.diagnostics).toEqual([]);
  // The same mapping with its keys in another order is the same value.
  const ordered = `${head}spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {b: "2", a: "1"}}\n      <<: {namespaceSelector: {matchLabels: {a: "1", b: "2"}}}\n`;
  for (const r of both(ordered)) expect(r.diagnostics).toEqual([]);
});

it('refuses a merge of an alias of a list, which go-yaml v2 refuses (the yaml package merges it)', () => {
  const text = `${head}spec:\n  podSelector:\n    matchLabels:\n      <<: &l [{app: web}]\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          <<: *l\n`;
  const r = loadProgram([{ path: 't.yaml', content: text }]);
  expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/syntax']);
  expect(r.locate(r.diagnostics[0]!.target)!.lineText.trim()).toBe('<<: *l');
});

it('reports a merge the yaml package cannot read once, located, never as an internal error', () => {
  // Old code: the merge check read such a document again and threw (exit 3).
  const broken = ['apiVersion: v1\nkind: Namespace\nmetadata:\n  <<: {<<: 5}\n  name: a\n'];
  const aliases = ['a0: &a0 {x: 1}'];
  for (let i = 1; i <= 11; i++) aliases.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}]`);
  broken.push(`${aliases.join('\n')}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {<<: *a11, name: a}\n`);
  for (const text of broken) {
    const r = loadProgram([{ path: 't.yaml', content: text }]);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toContain('ir/syntax');
  }
});

it('keeps large files on the fast readers when they hold merge keys, checking only the nodes around them', () => {
  // Old code: any `<<:` sent the whole file to the yaml package (an 8.5 MB inventory: 0.64 s -> 7.9 s).
  const pods: string[] = [];
  for (let i = 0; i < 2500; i++) pods.push(stringify(pod('x', `p${i}`, { app: `a${i % 7}` }, `198.18.${i >> 8}.${i & 255}`)));
  pods[7] = pods[7]!.replace('metadata:', 'metadata:\n  annotations: {note: "cat <<: x"}');
  pods[9] = pods[9]!.replace('metadata:', 'metadata:\n  <<: {annotations: {m: "1"}}');
  const text = pods.join('---\n');
  const docs: unknown[] = [];
  const diagnostics: never[] = [];
  const read = readYamlText(text, 't.yaml', docs, diagnostics, { bulk: true });
  expect(read.bulkDocuments).toBe(2500);
  expect(diagnostics).toEqual([]);
  expect((docs[9] as { metadata: { annotations: unknown } }).metadata.annotations).toEqual({ m: '1' });
  // A divergence there is still found, in the bulk path.
  const bad = pods.slice();
  bad[9] = bad[9]!.replace('\nstatus:', '\n  <<: {containers: []}\nstatus:');
  const found: { code: string }[] = [];
  readYamlText(bad.join('---\n'), 't.yaml', [], found as never, { bulk: true });
  expect(found.map((d) => d.code)).toEqual(['ir/yaml-merge-order']);
});

it('checks a merge key written as an explicit key (? <<) too, in small and large files alike', () => {
  // Review: the text scan wants `<<:` on one line, so `? <<` went unchecked (and js-yaml read it
  // as a plain key "<<").
  const text = `${head}spec:\n  podSelector:\n    matchLabels:\n      app: web\n      ? <<\n      : {app: db}\n`;
  for (const r of both(text)) expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/yaml-merge-order']);
  const first = text.replace('      app: web\n      ? <<\n      : {app: db}\n', '      ? <<\n      : {app: db}\n      tier: web\n');
  for (const r of both(first)) {
    expect(r.diagnostics).toEqual([]);
    expect(r.program.policies[0]!.subject.requirements.map((q) => q.key)).toEqual(['app', 'tier']);
  }
});
