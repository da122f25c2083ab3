// `netpolc snapshot PATH...`: local files (a kubectl dump, hand-written inventory) reduced to one
// sorted List. The oracle is the loader's reading of the original files: every command must
// read the snapshot as it reads them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parse, parseAllDocuments, type Scalar, type YAMLMap } from 'yaml';
import { loadProgram, type Program } from '@netpolc/ir';
import { byteWindows, clusterArb, corpusCases, namespace, networkPolicy, node, pod, policiesArb, propertyParams, readDefaults, referenceMatrixText } from '@netpolc/ir/testing';
import { toYaml } from '../src/cluster/to-yaml.js';
import { fileWindows } from '../src/inputs.js';
import { cli, example } from './run-cli.js';
import { scratchPerTest } from './scratch.js';

type Json = Record<string, unknown>;
let dir = '';
scratchPerTest('netpolc-snapshot-', (d) => (dir = d));

/** The snapshot's List, without its header comment. */
const body = (text: string): string => text.replace(/^(#.*\n)+/, '');

it('reads back as the files it was made of: same matrices, same compiled nftables', async () => {
  const snap = await cli(['snapshot', '-o', join(dir, 's.yaml'), ...example]);
  expect(snap.code).toBe(0);
  expect(snap.stderr).toBe(`wrote 23 objects to ${join(dir, 's.yaml')}\n`);
  for (const args of [['--format', 'json'], ['--port', '8080'], ['--port', '53', '--protocol', 'UDP']]) {
    const files = await cli(['matrix', ...args, ...example]);
    const offline = await cli(['matrix', ...args, join(dir, 's.yaml')]);
    expect(offline.stdout).toBe(files.stdout);
  }
  const compiled = async (inputs: readonly string[], out: string): Promise<string> => {
    expect((await cli(['compile', '--backend', 'nftables', '--out-dir', join(dir, out), ...inputs])).code).toBe(0);
    return readFileSync(join(dir, out, 'node-1.nft'), 'utf8');
  };
  expect(await compiled([join(dir, 's.yaml')], 'b')).toBe(await compiled(example, 'a'));
});

it('reads every corpus case back to the same matrix, and a snapshot of a snapshot is the same List', async () => {
  const cases = corpusCases().filter((c) => !c.expectError);
  expect(cases.length).toBeGreaterThan(5);
  for (const c of cases) {
    const inputs = c.sources().map((s) => join(c.dir, s.path));
    const snap = await cli(['snapshot', '-o', '-', ...inputs]);
    expect({ case: c.name, code: snap.code }).toEqual({ case: c.name, code: 0 });
    writeFileSync(join(dir, 's.yaml'), snap.stdout);
    const files = await cli(['matrix', '--format', 'json', ...inputs]);
    const offline = await cli(['matrix', '--format', 'json', join(dir, 's.yaml')]);
    expect({ case: c.name, matrix: offline.stdout }).toEqual({ case: c.name, matrix: files.stdout });
    const again = await cli(['snapshot', '-o', '-', join(dir, 's.yaml')]);
    expect({ case: c.name, list: body(again.stdout) }).toEqual({ case: c.name, list: body(snap.stdout) });
  }
});

it('writes the same bytes for the same objects in any order, in any files, as YAML or JSON', async () => {
  const objects = [
    node('node-a', '198.18.100.1'),
    namespace('x', { team: 'a' }),
    namespace('y'),
    ...Array.from({ length: 6 }, (_, i) => pod(i % 2 ? 'x' : 'y', `p${i}`, { app: `a${i % 3}`, z: 'on' }, `198.18.0.${i + 1}`, { node: 'node-a', ports: [['http', 80 + i, 'TCP']] })),
    networkPolicy('x', 'only-a1', { podSelector: { matchLabels: { app: 'a0' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a1' } } }], ports: [{ port: 'http' }] }] }),
    networkPolicy('y', 'deny', { podSelector: {}, policyTypes: ['Egress'] }),
  ];
  // Every mapping's keys in reverse order, at every depth (a node's addresses were printed in the
  // input's key order).
  const reversedKeys = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reversedKeys) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)])) : v;
  const write = (order: readonly number[], split: number, asJson: readonly boolean[], reverse = false): string[] => {
    const ordered = order.map((i) => (reverse ? (reversedKeys(objects[i]!) as Json) : objects[i]!));
    const parts = [ordered.slice(0, split), ordered.slice(split)];
    return parts.map((part, k) => {
      const file = join(dir, `part${k}.${asJson[k] ? 'json' : 'yaml'}`);
      rmSync(join(dir, `part${k}.${asJson[k] ? 'yaml' : 'json'}`), { force: true });
      writeFileSync(file, asJson[k] ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: part }) : part.map((o) => toYaml(o)).join('---\n'));
      return file;
    });
  };
  const first = await cli(['snapshot', '-o', '-', ...write(objects.map((_, i) => i), 5, [false, false])]);
  expect(first.code).toBe(0);
  const list = parse(first.stdout) as { items: Json[] };
  expect(list.items.map((i) => `${i['kind']}/${(i['metadata'] as Json)['namespace'] ?? ''}/${(i['metadata'] as Json)['name']}`)).toEqual([
    'Namespace//x',
    'Namespace//y',
    'Node//node-a',
    'Pod/x/p1',
    'Pod/x/p3',
    'Pod/x/p5',
    'Pod/y/p0',
    'Pod/y/p2',
    'Pod/y/p4',
    'NetworkPolicy/x/only-a1',
    'NetworkPolicy/y/deny',
  ]);
  // JSON: the same items, one per line (a line-based diff shows the objects that changed).
  const json = await cli(['snapshot', '-o', join(dir, 's.json'), join(dir, 'part0.yaml'), join(dir, 'part1.yaml')]);
  expect(json.code).toBe(0);
  const lines = readFileSync(join(dir, 's.json'), 'utf8').split('\n');
  expect(lines.slice(1, -2).map((l) => JSON.parse(l.replace(/,$/, '')) as unknown)).toEqual(list.items);
  expect(JSON.parse(lines.join('\n'))).toEqual({ apiVersion: 'v1', kind: 'List', items: list.items });
  // A label kubectl (YAML 1.1) would read as a boolean stays a string there too.
  expect((parse(first.stdout, { version: '1.1' }) as { items: Json[] }).items[3]!['metadata']).toEqual({ name: 'p1', namespace: 'x', labels: { app: 'a1', z: 'on' } });
  await fc.assert(
    fc.asyncProperty(fc.shuffledSubarray(objects.map((_, i) => i), { minLength: objects.length }), fc.integer({ min: 0, max: objects.length }), fc.tuple(fc.boolean(), fc.boolean()), fc.boolean(), async (order, split, asJson, reverse) => {
      const files = write(order, split, asJson, reverse);
      const again = await cli(['snapshot', '-o', '-', ...files]);
      expect(body(again.stdout)).toBe(body(first.stdout));
    }),
    propertyParams(10),
  );
});

it('keeps its header a comment whatever the paths hold, lists them in one order, and writes map keys in Go order', async () => {
  // Old code: a path's line break (or U+2028, a line break to YAML 1.1 readers) ended the comment,
  // and the rest of the path became a document; the header listed the paths as given; integer-like
  // label keys came first, as JavaScript enumerates them ("1", "2", "10", "01"), not as Go writes them.
  const odd = join(dir, 'a\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: injected}\n---\n#\u2028kind: Namespace\u0085x');
  mkdirSync(odd);
  writeFileSync(join(odd, 'ns.yaml'), toYaml(namespace('x', { '10': 'v', '2': 'v', '01': 'v', '1': 'v', a: 'v' })));
  writeFileSync(join(dir, 'b.yaml'), toYaml(namespace('y')));
  const one = await cli(['snapshot', '-o', '-', odd, join(dir, 'b.yaml')]);
  const two = await cli(['snapshot', '-o', '-', join(dir, 'b.yaml'), odd]);
  expect(one.code).toBe(0);
  expect(two.stdout).toBe(one.stdout);
  const header = one.stdout.slice(0, one.stdout.indexOf('apiVersion: v1\n'));
  expect(header.split('\n').slice(0, -1).every((line) => line.startsWith('# '))).toBe(true);
  expect(header).not.toMatch(/[\u0085\u2028\u2029\r]/);
  const docs = parseAllDocuments(one.stdout);
  expect(docs.length).toBe(1);
  const goOrder = ['01', '1', '10', '2', 'a', 'kubernetes.io/metadata.name'];
  const labels = docs[0]!.getIn(['items', 0, 'metadata', 'labels']) as YAMLMap<Scalar, unknown>;
  expect(labels.items.map((p) => String(p.key.value))).toEqual(goOrder);
  expect((await cli(['snapshot', '-o', join(dir, 's.json'), odd])).code).toBe(0);
  const line = readFileSync(join(dir, 's.json'), 'utf8').split('\n').find((l) => l.includes('"name":"x"'))!;
  const inJson = [...line.slice(line.indexOf('"labels":')).matchAll(/"([^"]+)":"(?:v|x)"/g)].map((m) => m[1]);
  expect(inJson).toEqual(goOrder);
  expect((await cli(['matrix', join(dir, 's.json')])).code).toBe(0);
});

it('strips what kubectl get prints beyond what netpolc reads, and defaults the namespace as the loader does', async () => {
  const dumped = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      labels: { b: '2', a: '1' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big": true}' },
      managedFields: [{ manager: 'kubectl', operation: 'Update' }],
      uid: 'u-1',
      resourceVersion: '42',
      creationTimestamp: '2026-11-30T00:00:00Z',
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1' }],
    },
    spec: {
      nodeName: 'node-a',
      hostNetwork: false,
      restartPolicy: 'Always',
      containers: [{ name: 'main', image: 'nginx', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 8080 }], resources: {} }],
      initContainers: [
        { name: 'once', image: 'busybox', ports: [{ name: 'setup', containerPort: 81 }] },
        { name: 'sidecar', image: 'envoy', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] },
      ],
    },
    status: { phase: 'Running', podIP: '198.18.0.1', podIPs: [{ ip: '198.18.0.1' }], conditions: [{ type: 'Ready', status: 'True' }], hostIP: '198.19.0.1' },
  };
  writeFileSync(join(dir, 'dump.yaml'), toYaml({ apiVersion: 'v1', kind: 'List', items: [dumped, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }] }));
  const r = await cli(['snapshot', '--default-namespace', 'shop', '-o', join(dir, 's.json'), join(dir, 'dump.yaml')]);
  expect(r.code).toBe(0);
  const list = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { items: Json[] };
  // The ConfigMap is skipped, as every command skips it.
  expect(list.items).toEqual([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', labels: { a: '1', b: '2' } },
      spec: {
        nodeName: 'node-a',
        containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }],
        // A plain init container stays for its named ports only (Calico resolves names there).
        initContainers: [
          { name: 'once', ports: [{ name: 'setup', containerPort: 81, protocol: 'TCP' }] },
          { name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }] },
        ],
      },
      status: { phase: 'Running', podIP: '198.18.0.1', podIPs: [{ ip: '198.18.0.1' }] },
    },
  ]);
});

it('writes nothing when the files do not load, and says why', async () => {
  writeFileSync(join(dir, 'bad.yaml'), toYaml(networkPolicy('x', 'typo', { podSelecter: {} })));
  const out = join(dir, 's.yaml');
  const r = await cli(['snapshot', '-o', out, join(dir, 'bad.yaml')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: error ir\/unknown-field/);
  expect(existsSync(out)).toBe(false);
  // Two objects of one name are an error too, not one of them picked.
  writeFileSync(join(dir, 'twice.yaml'), [namespace('x'), namespace('x', { a: 'b' })].map((o) => toYaml(o)).join('---\n'));
  const twice = await cli(['snapshot', '-o', out, join(dir, 'twice.yaml')]);
  expect(twice.code).toBe(2);
  expect(twice.stderr).toMatch(/ir\/duplicate-object/);
  expect(existsSync(out)).toBe(false);
  expect((await cli(['snapshot', join(dir, 'twice.yaml')])).stderr.split('\n')[0]).toBe('netpolc snapshot: -o FILE is required (or -o - for standard output)');
});

it('lays --inventory under the PATHs, as every command does: a snapshot updated with edited policies takes the edits (each gave a duplicate-object error)', async () => {
  const old = join(dir, 'old.yaml');
  expect((await cli(['snapshot', '-o', old, ...example])).code).toBe(0);
  const edited = join(dir, 'edited.yaml');
  writeFileSync(edited, toYaml(networkPolicy('production', 'default-deny-all', { podSelector: { matchLabels: { tier: 'none' } }, policyTypes: ['Ingress'] })));
  const updated = await cli(['snapshot', '-o', '-', '--inventory', old, edited]);
  expect([updated.code, updated.stderr]).toEqual([0, '']);
  const items = (parse(updated.stdout) as { items: Json[] }).items;
  const denyAll = items.filter((o) => o['kind'] === 'NetworkPolicy' && (o['metadata'] as Json)['name'] === 'default-deny-all');
  expect(denyAll.map((o) => (o['spec'] as Json)['podSelector'])).toEqual([{ matchLabels: { tier: 'none' } }]);
  // Every other object of the old snapshot stays, and the order of the options does not matter.
  expect(items).toHaveLength((parse(readFileSync(old, 'utf8')) as { items: unknown[] }).items.length);
  expect(await cli(['snapshot', '-o', '-', edited, '--inventory', old])).toEqual(updated);
  // Repeats within one layer are still errors.
  const copy = join(dir, 'copy.yaml');
  writeFileSync(copy, readFileSync(edited));
  const repeated = await cli(['snapshot', '-o', '-', '--inventory', old, edited, copy]);
  expect([repeated.code, repeated.stderr]).toEqual([2, expect.stringContaining('ir/duplicate-object')]);
});

it.each(['json', 'yaml'])('writes the same snapshot of a %s List read window by window as of a whole reading', async (format) => {
  const objects = [
    node('node-a', '198.18.100.1'),
    namespace('x'),
    ...Array.from({ length: 12 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`, { node: 'node-a', ports: [['http', 80, 'TCP']] })),
    networkPolicy('x', 'only-a1', { podSelector: { matchLabels: { app: 'a0' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a1' } } }] }] }),
  ];
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  const file = join(dir, `cluster.${format}`);
  writeFileSync(file, format === 'json' ? JSON.stringify(list, null, 2) : toYaml(list));
  const whole = await cli(['snapshot', '-o', '-', file]);
  expect(whole.code).toBe(0);
  expect((parse(whole.stdout) as { items: unknown[] }).items).toHaveLength(objects.length);
  Object.assign(fileWindows, { from: 0 });
  Object.assign(readDefaults, { maxTextBytes: 0, listRunChars: 300, yamlRunBytes: 400 });
  Object.assign(byteWindows, { windowBytes: 512, behindBytes: 64 });
  expect(await cli(['snapshot', '-o', '-', file])).toEqual(whole);
});

/** A program without where its parts were read: what two readings of one content share. */
function content(program: Program): unknown {
  return JSON.parse(JSON.stringify(program, (k, v: unknown) => (k === 'origin' ? undefined : typeof v === 'bigint' ? `${v}n` : v)));
}

it('keeps every policy what it was: random clusters and policies, nil and empty lists included, lower to the same program', async () => {
  const ports = [
    { protocol: 'TCP' as const, port: 80 },
    { protocol: 'TCP' as const, port: 81 },
    { protocol: 'UDP' as const, port: 53 },
    { protocol: 'SCTP' as const, port: 80 },
  ];
  await fc.assert(
    fc.asyncProperty(clusterArb(), policiesArb(), fc.boolean(), async (cluster, policies, asJson) => {
      const objects = [...cluster.manifests, ...policies];
      const file = join(dir, asJson ? 'in.json' : 'in.yaml');
      writeFileSync(file, asJson ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) : objects.map((o) => toYaml(o)).join('---\n'));
      const original = loadProgram([{ path: file, content: readFileSync(file) }]);
      const snap = await cli(['snapshot', '-o', '-', file]);
      rmSync(file);
      expect(snap.code).toBe(0);
      const again = loadProgram([{ path: 's.yaml', content: snap.stdout }]);
      expect(again.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code)).toEqual(original.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code));
      expect(content(again.program)).toEqual(content(original.program));
      expect(referenceMatrixText(again.program, ports)).toBe(referenceMatrixText(original.program, ports));
    }),
    propertyParams(40),
  );
});
