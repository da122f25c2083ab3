// Files larger than a string may be are read window by window where the loader needs them:
// small thresholds and windows play the 512 MiB and 64 MiB here.
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { byteWindows, namespace, networkPolicy, node, pod, readDefaults } from '@netpolc/ir/testing';
import { fileContent, fileWindows, readStream } from '../src/inputs.js';
import { InputError } from '../src/io.js';
import { toYaml } from '../src/cluster/to-yaml.js';
import { chunks, cli } from './run-cli.js';
import { scratchPerTest } from './scratch.js';

let dir = '';
scratchPerTest('netpolc-inputs-', (d) => (dir = d));

it('reads a file whole up to the threshold, and as a source of its bytes above it', () => {
  const file = join(dir, 'list.json');
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => `{"n":${i},"s":"ünï"}`).join(','));
  writeFileSync(file, bytes);
  const whole = fileContent(file);
  expect(whole instanceof Uint8Array && Buffer.from(whole).equals(bytes)).toBe(true);
  fileWindows.from = 10;
  const source = fileContent(file);
  if (source instanceof Uint8Array) throw new Error('expected a source');
  expect(source.size).toBe(bytes.length);
  for (const [position, length] of [[0, 7], [5, 4096], [bytes.length - 3, 10], [bytes.length, 5]] as const) {
    const into = Buffer.alloc(length);
    const n = source.read(into, position);
    expect(into.subarray(0, n).equals(bytes.subarray(position, position + length))).toBe(true);
  }
});

it('holds standard input up to the threshold, and spools a longer one to a file removed at once', async () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => `{"n":${i},"s":"ünï"}`).join(','));
  const spools = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('netpolc-stdin-'));
  const before = spools();
  for (const [from, size] of [[bytes.length, 1000], [bytes.length - 1, 1000], [0, 1], [5000, 4096], [10, 65536]] as const) {
    fileWindows.spoolFrom = from;
    const content = await readStream(chunks(bytes, size));
    if (from >= bytes.length) {
      expect(content instanceof Uint8Array && Buffer.from(content).equals(bytes)).toBe(true);
      continue;
    }
    if (content instanceof Uint8Array) throw new Error('expected a source');
    expect(content.size).toBe(bytes.length);
    for (const [position, length] of [[0, 7], [4321, 10_000], [bytes.length - 3, 10]] as const) {
      const into = Buffer.alloc(length);
      const n = content.read(into, position);
      expect(into.subarray(0, n).equals(bytes.subarray(position, position + length))).toBe(true);
    }
  }
  expect(spools()).toEqual(before);
});

it('ends the command when a file read window by window changed since it was first seen', () => {
  const file = join(dir, 'list.json');
  writeFileSync(file, '{"kind":"List","items":[]}');
  fileWindows.from = 0;
  const source = fileContent(file, 'shown/list.json');
  if (source instanceof Uint8Array) throw new Error('expected a source');
  // Same size, other bytes, a later time: a load from parts of both would be neither.
  writeFileSync(file, '{"kind":"List","items":[ ]}'.slice(0, source.size));
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  expect(() => source.read(Buffer.alloc(4), 0)).toThrow(InputError);
  expect(() => source.read(Buffer.alloc(4), 0)).toThrow(/shown\/list\.json changed while netpolc read it/);
});

it.each(['json', 'yaml'])('compiles a %s List read window by window to the files and messages of a whole reading', async (format) => {
  const objects = [
    node('node-a', '198.18.100.1'),
    namespace('x'),
    ...Array.from({ length: 12 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`, { node: 'node-a' })),
    // A warning, located in the file: its line and column must come out the same.
    pod('x', 'conflict', { app: 'a0' }, '198.18.0.99', { node: 'node-a', ports: [['http', 80, 'TCP'], ['http', 81, 'TCP']] }),
    networkPolicy('x', 'only-a1', { podSelector: { matchLabels: { app: 'a0' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a1' } } }], ports: [{ port: 'http' }] }] }),
  ];
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  const file = join(dir, `cluster.${format}`);
  // As kubectl prints either: indented JSON, or YAML with sequences at their key's column.
  writeFileSync(file, format === 'json' ? JSON.stringify(list, null, 2) : toYaml(list));
  const compile = async (out: string): Promise<{ code: number; stderr: string; files: string[] }> => {
    const r = await cli(['compile', '--backend', 'nftables', '--out-dir', join(dir, out), file], '', dir);
    const files = readdirSync(join(dir, out)).sort().map((f) => `${f}\n${readFileSync(join(dir, out, f), 'utf8')}`);
    return { code: r.code, stderr: r.stderr.replaceAll(out, 'OUT'), files };
  };
  const whole = await compile('whole');
  expect(whole.code).toBe(0);
  expect(whole.stderr).toMatch(new RegExp(`cluster\\.${format}:\\d+:\\d+`));
  Object.assign(fileWindows, { from: 0 });
  Object.assign(readDefaults, { maxTextBytes: 0, listRunChars: 300, yamlRunBytes: 400 });
  Object.assign(byteWindows, { windowBytes: 512, behindBytes: 64 });
  expect(await compile('windows')).toEqual(whole);
});

it('compiles a List from standard input spooled to a file as from the file itself', async () => {
  const objects = [node('node-a', '198.18.100.1'), namespace('x'), ...Array.from({ length: 8 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 2}` }, `198.18.0.${i + 1}`, { node: 'node-a' }))];
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...objects, networkPolicy('x', 'deny', { podSelector: { matchLabels: { app: 'a0' } }, ingress: [] })] });
  writeFileSync(join(dir, 'cluster.json'), text);
  const compile = async (out: string, input: string, stdin = ''): Promise<{ code: number; files: string[] }> => {
    const r = await cli(['compile', '--backend', 'nftables', '--out-dir', join(dir, out), input], stdin, dir);
    return { code: r.code, files: readdirSync(join(dir, out)).sort().map((f) => `${f}\n${readFileSync(join(dir, out, f), 'utf8')}`) };
  };
  const fromFile = await compile('file', join(dir, 'cluster.json'));
  expect(fromFile.code).toBe(0);
  // Spooled, and read whole (a string holds it) or window by window (as if it could not).
  fileWindows.spoolFrom = 100;
  expect(await compile('spooled', '-', text)).toEqual(fromFile);
  Object.assign(readDefaults, { maxTextBytes: 100 });
  Object.assign(byteWindows, { windowBytes: 256, behindBytes: 32 });
  expect(await compile('stdin', '-', text)).toEqual(fromFile);
});

it('reports standard input it cannot spool as an input error, naming the directory', async () => {
  fileWindows.spoolFrom = 10;
  const readOnly = join(dir, 'nowhere');
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = readOnly;
  try {
    const r = await cli(['compile', '--backend', 'nftables', '--out-dir', join(dir, 'out'), '-'], '{"kind":"List","items":[]}');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read standard input`);
    expect(r.stderr).toContain(readOnly);
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
});
