// Large YAML files (bulk inventories) are read with js-yaml, locations and YAML 1.1 warnings
// computed lazily with `yaml`: the result must be the same as the precise path.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { expect, it } from 'vitest';
import { aliasCandidate, hasAliasCandidate } from '../src/source/yaml-read.js';
import { parseYamlDocuments } from '../src/source/source-file.js';
import { checkYaml11Scalars } from '../src/source/yaml11.js';
import { numRuns } from '../src/testing/index.js';
import { loadProgram, type Program } from '../src/index.js';
import { namespace, networkPolicy, pod } from '../src/testing/index.js';

function bigInventory(extra: readonly Record<string, unknown>[] = []): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [namespace('x', { team: 'a' }), namespace('w', { team: 'b' })];
  for (let i = 0; i < 1500; i++) {
    objects.push(pod(i % 2 ? 'x' : 'w', `p${i}`, { app: `app-${i % 7}`, tier: 'web', 'pod-template-hash': `h${i}` }, `198.18.${i >> 8}.${i & 255}`, { node: 'n1', ports: [['http', 8080, 'TCP']] }));
  }
  return [...objects, ...extra];
}

function structure(program: Program): string {
  return JSON.stringify(program, (k, v) => (k === 'origin' ? undefined : typeof v === 'bigint' ? v.toString() : v));
}

const policy = networkPolicy('x', 'p', { podSelector: { matchLabels: { app: 'app-1' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ port: 'http' }] }] });

it('reads a large YAML file to the same program as its JSON form', () => {
  const objects = bigInventory([policy]);
  const yamlText = objects.map((o) => stringify(o)).join('---\n');
  expect(yamlText.length).toBeGreaterThan(512 * 1024);
  const fromYaml = loadProgram([{ path: 'big.yaml', content: yamlText }]);
  const fromJson = loadProgram([{ path: 'big.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }]);
  expect(fromYaml.diagnostics).toEqual([]);
  expect(structure(fromYaml.program)).toBe(structure(fromJson.program));
});

it('reads a large YAML file with one document in flow style to the same program as its JSON form', () => {
  const objects = bigInventory([policy]);
  const docs = objects.map((o) => stringify(o));
  // Past the line reader's subset: js-yaml reads from this document on.
  docs[1000] = JSON.stringify(objects[1000]) + '\n';
  const fromYaml = loadProgram([{ path: 'big.yaml', content: docs.join('---\n') }]);
  const fromJson = loadProgram([{ path: 'big.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }]);
  expect(fromYaml.diagnostics).toEqual([]);
  expect(structure(fromYaml.program)).toBe(structure(fromJson.program));
});

it('still locates errors in a large YAML file exactly', () => {
  const bad = networkPolicy('x', 'bad', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] });
  const text = bigInventory([bad]).map((o) => stringify(o)).join('---\n');
  const r = loadProgram([{ path: 'big.yaml', content: text }]);
  const d = r.diagnostics.find((x) => x.code === 'ir/invalid-cidr')!;
  const loc = r.locate(d.target)!;
  expect(loc.lineText.trim()).toBe('cidr: 10.0.0.0/33');
  expect(text.split('\n')[loc.line - 1]).toBe(loc.lineText);
});

it('reports syntax errors, YAML 1.1 booleans and aliases of a large file through the precise parser', () => {
  const base = bigInventory().map((o) => stringify(o)).join('---\n');
  const broken = loadProgram([{ path: 'big.yaml', content: `${base}---\nkind: [unclosed\n` }]);
  expect(broken.diagnostics.some((d) => d.code === 'ir/syntax' && broken.locate(d.target)!.line > 1000)).toBe(true);
  const yes = loadProgram([{ path: 'big.yaml', content: `${base}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: z\n  labels:\n    enabled: yes\n` }]);
  expect(yes.diagnostics.map((d) => d.code)).toEqual(['ir/yaml11-boolean']);
  // Exponential aliases are bounded by the precise parser's alias limit, not expanded.
  const bomb = `${base}---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
  const r = loadProgram([{ path: 'big.yaml', content: bomb }]);
  expect(r.diagnostics.some((d) => d.code === 'ir/syntax')).toBe(true);
});

it('reads a YAML stream of more documents than a call can take arguments (kube-scale has 180k)', () => {
  // Each namespace is a document of its own; 200k of them once overflowed `push(...docs)`.
  const count = 200_000;
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`kind: Namespace\napiVersion: v1\nmetadata: {name: n${i}}\n`);
  const loaded = loadProgram([{ path: 'many.yaml', content: parts.join('---\n') }]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(loaded.program.inventory.namespaces.length).toBe(count);
});

it('finds alias candidates exactly where the expression does, looking only around each *', () => {
  const text = fc.string({ unit: fc.constantFrom('*', 'a', ' ', '\n', '\r', '\t', ',', ']', '}', ':', '-', '[', '{', '&', '\u2028'), maxLength: 12 });
  fc.assert(
    fc.property(text, (t) => {
      expect(hasAliasCandidate(t), JSON.stringify(t)).toBe(aliasCandidate.test(t));
    }),
    { numRuns: numRuns(3000) },
  );
});

it('warns about YAML 1.1 booleans of a large file from the nodes around them, not a parse of the whole file', () => {
  const labelled = namespace('z', { enabled: 'yes' });
  const withArgs = pod('x', 'args', { app: 'a' }, '198.18.200.1');
  ((withArgs['spec'] as Record<string, unknown[]>)['containers']![0] as Record<string, unknown>)['args'] = ['-n', 'kube-system'];
  const objects = bigInventory([withArgs]);
  // One kubectl List (items at the key's column), and one document per object.
  const list = stringify({ apiVersion: 'v1', kind: 'List', items: [...objects.slice(0, 700), labelled, ...objects.slice(700)] }, { indentSeq: false });
  const stream = [...objects.slice(0, 700), labelled, ...objects.slice(700)].map((o) => stringify(o)).join('---\n');
  for (const text of [list, stream]) {
    const r = loadProgram([{ path: 'big.yaml', content: text }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/yaml11-boolean']);
    const loc = r.locate(r.diagnostics[0]!.target)!;
    expect(loc.lineText.trim()).toBe('enabled: yes');
    expect(loc.lineText.slice(loc.column - 1, loc.endColumn - 1)).toBe('yes');
    expect(r.files.get('big.yaml')!.trees).toBeUndefined();
  }
  // `- -n` is the scalar `-n`: no candidate, nothing parsed.
  const args = loadProgram([{ path: 'big.yaml', content: objects.map((o) => stringify(o)).join('---\n') }]);
  expect(args.diagnostics).toEqual([]);
  expect(args.files.get('big.yaml')!.yamlLocator).toBeUndefined();
});

it('reads numbers too large for a double as strings in small files too, as the bulk path (js-yaml) and kubectl do', () => {
  // Label values (63 characters at most) for the exponent forms; a container port name cannot
  // hold 400 digits either, so the long forms are read where any string goes: a pod's phase.
  const values = ['35e2982', '1e400', '5e999', '12E345'];
  const long = ['1'.repeat(400), `${'9'.repeat(400)}.5`];
  const objects = [
    ...values.map((v, i) => JSON.stringify(namespace(`n${i}`, { v: 'x' })).replace('"v":"x"', `"v":${v}`)),
    ...long.map((v, i) => JSON.stringify(pod('n0', `long${i}`, {}, `198.18.250.${i}`)).replace('"phase":"Running"', `"phase":${v}`)),
  ];
  // Written by hand: a YAML flow mapping per document keeps the scalars plain.
  const small = objects.join('\n---\n');
  const large = [...bigInventory().map((o) => stringify(o)), ...objects.map((o) => `${o}\n`)].join('---\n');
  for (const text of [small, large]) {
    const r = loadProgram([{ path: 't.yaml', content: text }]);
    expect(r.diagnostics).toEqual([]);
    const labels = r.program.inventory.namespaces.filter((n) => n.name.startsWith('n')).map((n) => n.labels['v']);
    expect(labels).toEqual(values);
    expect(r.program.inventory.pods.filter((p) => p.name.startsWith('long')).map((p) => p.phase)).toEqual(long);
  }
  // `.inf` is Infinity in YAML 1.2, and not a label value.
  const inf = loadProgram([{ path: 't.yaml', content: 'kind: Namespace\napiVersion: v1\nmetadata: {name: i, labels: {v: .inf}}\n' }]);
  expect(inf.diagnostics.map((d) => d.code)).toEqual(['ir/invalid-type']);
});

it('reads an integer tagged !!float as the number in small and large files, as js-yaml and kubectl do', () => {
  // Old code: the yaml package's core floats need a dot or an exponent, so a small file read
  // `port: !!float 80` as the string "80" (a quoted number, refused) and a large one as 80.
  const text = (port: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: ${port}\n`;
  const large = (t: string): string => `${bigInventory().map((o) => stringify(o)).join('---\n')}---\n${t}`;
  for (const port of ['!!float 80', '!!float "80"', '!!float +80', '80']) {
    for (const content of [text(port), large(text(port))]) {
      const r = loadProgram([{ path: 't.yaml', content }]);
      expect(r.diagnostics.filter((d) => d.severity !== 'info'), port).toEqual([]);
      const rule = r.program.policies[0]!.ingress![0]!;
      expect(rule.ports !== 'any' && rule.ports[0], port).toMatchObject({ kind: 'range', from: 80, to: 80 });
    }
  }
  // A plain integer is still an integer, and a fraction still no port.
  expect(loadProgram([{ path: 't.yaml', content: text('!!float 80.5') }]).diagnostics.map((d) => d.code)).toEqual(['ir/invalid-port']);
});

it('reports a large JSON file broken in both readings with JSON.parse own error at once, and still reads what YAML reads', () => {
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: bigInventory([policy]) });
  expect(text.length).toBeGreaterThan(512 * 1024);
  // Cut short, as a redirect interrupted leaves it.
  const end = text.indexOf('"', 530_000) + 3;
  const cut = loadProgram([{ path: 'big.json', content: text.slice(0, end) }]);
  expect(cut.diagnostics.map((d) => [d.code, d.message])).toEqual([['ir/syntax', 'the JSON ends before its objects and arrays are closed (is the file cut short?)']]);
  expect(cut.locate(cut.diagnostics[0]!.target)).toMatchObject({ line: 1, column: end + 1 });
  expect(cut.files.get('big.json')!.trees).toBeUndefined();
  // Not JSON (a trailing comma) but YAML: read as before.
  const comma = loadProgram([{ path: 'big.json', content: text.replace(/}]}$/, '},]}') }]);
  expect(comma.diagnostics).toEqual([]);
  expect(comma.program.inventory.pods).toHaveLength(1500);
});

it('reports a syntax error in one item of a large YAML List from that item alone, as the whole-file parse does', () => {
  const objects = bigInventory([policy]);
  const list = stringify({ apiVersion: 'v1', kind: 'List', items: objects }, { indentSeq: false });
  const at = list.indexOf('podSelector:', list.indexOf('kind: NetworkPolicy'));
  const broken = `${list.slice(0, at)}podSelector: [unclosed\n${list.slice(at)}`;
  const r = loadProgram([{ path: 'big.yaml', content: broken }]);
  expect(r.files.get('big.yaml')!.trees).toBeUndefined();
  // The same errors, at the same places, as the yaml package gives for the whole file.
  const whole = parseYamlDocuments(broken).flatMap((d) => d.errors.map((e) => `${e.pos[0]}:${e.message.split('\n')[0]}`));
  const syntax = r.diagnostics.filter((d) => d.code === 'ir/syntax').map((d) => `${d.target.kind === 'span' ? d.target.pos : -1}:${d.message}`);
  expect(syntax.length).toBeGreaterThan(0);
  expect(whole.slice(0, syntax.length)).toEqual(syntax);
  expect(r.diagnostics.every((d) => d.code === 'ir/syntax')).toBe(true);
});

it('reads small plain YAML files (one policy per file) with the line reader, to the program the JSON gives', () => {
  const objects = [...bigInventory().slice(0, 6), policy];
  const files = objects.map((o, i) => ({ path: `f${i}.yaml`, content: stringify(o) }));
  const fromYaml = loadProgram(files);
  const fromJson = loadProgram([{ path: 'all.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }]);
  expect(fromYaml.diagnostics).toEqual([]);
  expect(structure(fromYaml.program)).toBe(structure(fromJson.program));
  // No whole-file trees were built; a file in flow style still takes the yaml package.
  expect([...fromYaml.files.values()].every((f) => f.trees === undefined)).toBe(true);
  const flow = loadProgram([{ path: 'flow.yaml', content: '{apiVersion: v1, kind: Namespace, metadata: {name: q}}\n' }]);
  expect(flow.files.get('flow.yaml')!.trees).toBeDefined();
});

it('reports the YAML 1.1 scalars of small block files exactly as a check of every tree does, though it scans only files the readers flag', () => {
  // Values in every place a scan could meet them: plain, quoted, in a literal block, in a comment,
  // as keys, in ports; the oracle checks every tree of the file with the yaml package.
  const word = fc.constantFrom('yes', 'no', 'on', 'off', 'y', 'N', 'web', 'true', '80', '0120', '0b101', '1_000', '8080', 'yess');
  const place = fc.constantFrom('plain', 'quoted', 'literal', 'comment', 'key', 'port');
  const doc = fc.array(fc.tuple(place, word), { minLength: 1, maxLength: 5 }).map((entries) => {
    const lines = ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: x', '  annotations:'];
    const ports: string[] = [];
    entries.forEach(([where, w], i) => {
      if (where === 'plain') lines.push(`    a${i}: ${w}`);
      else if (where === 'quoted') lines.push(`    a${i}: "${w}"`);
      else if (where === 'literal') lines.push(`    a${i}: |`, `      b: ${w}`);
      else if (where === 'comment') lines.push(`    a${i}: v # c: ${w}`);
      else if (where === 'key') lines.push(`    ${w}x${i}: v`);
      else ports.push(w);
    });
    if (ports.length > 0) lines.push('spec:', '  containers:', '  - name: c', '    ports:', ...ports.map((w) => `    - containerPort: ${w}`));
    return lines.join('\n') + '\n';
  });
  fc.assert(
    fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), (docs) => {
      const text = docs.join('---\n');
      const seen = (diags: readonly { code: string; target: unknown }[]): string[] =>
        diags.filter((d) => d.code.startsWith('ir/yaml11')).map((d) => `${d.code}@${JSON.stringify(d.target)}`);
      const oracle: { code: string; target: unknown }[] = [];
      checkYaml11Scalars(parseYamlDocuments(text).filter((tree) => tree.errors.length === 0).map((tree) => ({ tree, offset: 0 })), 't.yaml', oracle as never);
      expect(seen(loadProgram([{ path: 't.yaml', content: text }]).diagnostics)).toEqual(seen(oracle));
    }),
    { numRuns: numRuns(300) },
  );
});

it('warns about a YAML 1.1 boolean word as a key, which kubectl stores as the key "true" or "false"', () => {
  // Old code: keys were never checked, so `matchLabels: {on: a}` selected on=a here while the
  // cluster stored true=a (sigs.k8s.io/yaml turns go-yaml's boolean key into a string).
  const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector:\n    matchLabels:\n      on: a\n';
  const flow = policy.replace('    matchLabels:\n      on: a\n', '    matchLabels: {On: a}\n');
  const base = bigInventory().map((o) => stringify(o)).join('---\n');
  for (const [text, word] of [[policy, 'on'], [flow, 'On'], [`${base}---\n${policy}`, 'on'], [`${base}---\n${flow}`, 'On']] as const) {
    const r = loadProgram([{ path: 't.yaml', content: text }]);
    expect(r.diagnostics.map((d) => d.code), text.slice(-80)).toEqual(['ir/yaml11-boolean']);
    const loc = r.locate(r.diagnostics[0]!.target)!;
    expect(loc.lineText.slice(loc.column - 1, loc.endColumn - 1)).toBe(word);
  }
  // Quoted, the key is the same string to both readers: nothing to say.
  expect(loadProgram([{ path: 't.yaml', content: policy.replace('on: a', '"on": a') }]).diagnostics).toEqual([]);
});

it('leaves !!str scalars alone, as kubectl reads them as strings too, but not !!int ones', () => {
  // Old code: `!!str yes` got ir/yaml11-boolean, though go-yaml honours the tag.
  const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchLabels: {a: !!str yes}}\n';
  const r = loadProgram([{ path: 't.yaml', content: policy }]);
  expect(r.diagnostics.map((d) => d.code)).toEqual([]);
  expect(r.program.policies[0]!.subject.requirements).toEqual([{ key: 'a', operator: 'In', values: ['yes'] }]);
  // `!!int 0120` is 120 in YAML 1.2 and octal 80 to go-yaml v2: still reported.
  const octal = loadProgram([{ path: 't.yaml', content: `${policy}  ingress:\n  - ports:\n    - port: !!int 0120\n` }]);
  expect(octal.diagnostics.map((d) => d.code)).toEqual(['ir/yaml11-number']);
});

it('reads plain numbers in large files as the yaml package reads small ones (0b11, -0x1F, +.5)', () => {
  // Old code: js-yaml's core schema read 0b11, -0x1F and +0o17 as numbers and +.5 as a string,
  // the yaml package the other way round: a pod's phase `0b11` was an error in a large file only.
  const phases = ['0b11', '-0b1', '-0x1F', '+0o17', '+.5', '-.5', '0x1F', '0o17', '1_000', '.NaN', '0777'];
  const objects = phases.map((v, i) => JSON.stringify(pod('x', `q${i}`, {}, `198.18.250.${i}`)).replace('"phase":"Running"', `"phase":${v}`));
  const small = [JSON.stringify(namespace('x')), ...objects].join('\n---\n');
  const large = [...bigInventory().map((o) => stringify(o)), ...objects.map((o) => `${o}\n`)].join('---\n');
  const read = (text: string): unknown[] => {
    const r = loadProgram([{ path: 't.yaml', content: text }]);
    const errors = r.diagnostics.filter((d) => d.code === 'ir/invalid-type').map((d) => r.locate(d.target)!.lineText.match(/"phase":([^,}]*)/)?.[1]);
    return [errors, r.program.inventory.pods.filter((p) => p.name.startsWith('q') && p.phase !== undefined).map((p) => p.phase)];
  };
  // Strings to YAML 1.2: 0b, signed hex and octal, underscores; numbers (refused as a phase): the rest.
  expect(read(small)).toEqual([['+.5', '-.5', '0x1F', '0o17', '.NaN', '0777'], ['0b11', '-0b1', '-0x1F', '+0o17', '1_000']]);
  expect(read(large)).toEqual(read(small));
  // Block style, which the line reader reads (it left +.5 a string while js-yaml and yaml read 0.5).
  // +.5 and -.5 first: the line reader reads up to the first text it leaves to js-yaml (0b11).
  const order = [4, 5, ...phases.keys()].filter((i, k, all) => all.indexOf(i) === k);
  const block = order.map((i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: q${i}\n  namespace: x\nstatus:\n  podIP: 198.18.250.${i}\n  phase: ${phases[i]}\n`);
  const smallBlock = [stringify(namespace('x')), ...block].join('---\n');
  const largeBlock = [...bigInventory().map((o) => stringify(o)), ...block].join('---\n');
  const pods = (text: string): unknown[] => loadProgram([{ path: 't.yaml', content: text }]).program.inventory.pods.filter((p) => p.name.startsWith('q')).map((p) => [p.name, p.phase]);
  expect(pods(smallBlock)).toEqual(pods(small));
  expect(pods(largeBlock)).toEqual(pods(small));
});

it('warns, once per value, about plain 1_000 and 0b101 where a string is read: kubectl sends a number there', () => {
  // Old code: nothing; the policy selected v=1_000 while kubectl sent the number 1000, which the API server refuses.
  const policy = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector:\n    matchLabels: {v: 1_000, w: 0b101, u: 1_000}\n  ingress:\n  - ports:\n    - port: 1_0\n`;
  const base = bigInventory().map((o) => stringify(o)).join('---\n');
  for (const text of [policy, `${base}---\n${policy}`]) {
    const loaded = loadProgram([{ path: 't.yaml', content: text }]);
    const r = { ...loaded, diagnostics: loaded.diagnostics.filter((d) => d.code.startsWith('ir/yaml11')) };
    // In a port, the two readings are two policies: refused, as before.
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['ir/yaml11-string', 'warning'], ['ir/yaml11-string', 'warning'], ['ir/yaml11-number', 'error']]);
    expect(r.diagnostics.map((d) => r.locate(d.target)!).map((l) => l.lineText.slice(l.column - 1, l.endColumn - 1))).toEqual(['1_000', '0b101', '1_0']);
    expect(r.diagnostics[1]!.message).toContain('the number 5');
  }
  expect(loadProgram([{ path: 't.yaml', content: policy.replace('v: 1_000, w: 0b101, u: 1_000', "v: '1_000', w: \"0b101\"").replace('port: 1_0', 'port: 10') }]).diagnostics).toEqual([]);
  // A key that is a number to both readers, but another one (012: is "12" here, "10" to kubectl): refused.
  const octalKey = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: k\n  labels:\n    012: a\n';
  for (const text of [octalKey, `${base}---\n${octalKey}`]) expect(loadProgram([{ path: 't.yaml', content: text }]).diagnostics.map((d) => d.code)).toEqual(['ir/yaml11-number']);
  // As a key too (kubectl stores the label key "1000"), in small and large files alike.
  const keyed = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: k\n  labels:\n    1_000: a\n';
  for (const text of [keyed, `${base}---\n${keyed}`]) {
    const r = loadProgram([{ path: 't.yaml', content: text }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir/yaml11-string']);
    expect(r.locate(r.diagnostics[0]!.target)!.lineText.trim()).toBe('1_000: a');
  }
});
