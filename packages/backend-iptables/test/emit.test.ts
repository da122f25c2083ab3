import { batchFiles, resolve, type Program, type ResolvedProgram } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import { iptablesBackend } from '../src/index.js';
import { defaultOptions } from '../src/options.js';
import { printIpSets, printRuleset } from '../src/print.js';

/**
 * 2,400 pods (some dual-stack) on four nodes, and policies whose peers are large pod sets: each
 * node's files run to hundreds of kilobytes, so one emit spans several join batches.
 */
function bigCluster(): { program: Program; resolved: ResolvedProgram } {
  const objects: Manifest[] = [namespace('x', { team: 'a' }), namespace('y', { team: 'a' }), namespace('z', { team: 'b' })];
  for (let k = 0; k < 4; k++) objects.push(node(`node-${k}`, [`198.19.0.${k + 1}`, `2001:db8:ff::${k + 1}`]));
  for (let i = 0; i < 2400; i++) {
    const ips = [`198.18.${Math.floor(i / 250)}.${i % 250}`, ...(i % 5 === 0 ? [`2001:db8::${i.toString(16)}`] : [])];
    objects.push(pod(['x', 'y', 'z'][i % 3]!, `p${i}`, { app: `a${i % 11}`, tier: i % 2 === 0 ? 'web' : 'db' }, ips, { node: `node-${i % 4}` }));
  }
  for (let a = 0; a < 11; a++) {
    objects.push(
      networkPolicy('x', `app-${a}`, {
        podSelector: { matchLabels: { app: `a${a}` } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { tier: a % 2 === 0 ? 'web' : 'db' } } }], ports: [{ port: 8000 + a }] }],
        egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [`a${(a + 1) % 11}`, `a${(a + 2) % 11}`] }] } }] }],
      }),
    );
  }
  const { program } = loadValid(objects);
  return { program, resolved: resolve(program) };
}

it('emits files equal to the printed model, across join batches', () => {
  const input = bigCluster();
  const out = iptablesBackend.emit(input, defaultOptions);
  expect(out.diagnostics).toEqual([]);
  const expected = new Map<string, string>();
  for (const n of lowerProgram(input, defaultOptions).nodes) {
    const files = [`${n.node}.iptables`, ...(n.v6 ? [`${n.node}.ip6tables`] : []), ...(n.ipsets ? [`${n.node}.ipset`] : [])];
    expected.set(`${n.node}.iptables`, printRuleset(n.v4, n.ipsets !== undefined, files));
    if (n.v6) expected.set(`${n.node}.ip6tables`, printRuleset(n.v6, n.ipsets !== undefined, files));
    if (n.ipsets) expected.set(`${n.node}.ipset`, printIpSets(n.ipsets));
  }
  const total = [...expected.values()].reduce((sum, text) => sum + text.length, 0);
  expect(total, 'output spanning several 256 KiB batches').toBeGreaterThan(3 * 256 * 1024);
  expect(out.files.map((f) => f.path)).toEqual([...expected.keys()]);
  for (const f of out.files) expect(f.content === expected.get(f.path), f.path).toBe(true);
});

it('emits the same files for a node whether it is picked with --node or compiled with all nodes', () => {
  const input = bigCluster();
  const all = new Map(iptablesBackend.emit(input, defaultOptions).files.map((f) => [f.path, f.content]));
  for (const picked of [['node-2'], ['node-3', 'node-0']]) {
    const out = iptablesBackend.emit(input, { ...defaultOptions, nodes: picked });
    expect(out.files.map((f) => f.path.replace(/\..*$/, '')).filter((n, i, a) => a.indexOf(n) === i)).toEqual([...picked].sort());
    for (const f of out.files) expect(f.content === all.get(f.path), f.path).toBe(true);
  }
});

it('reports each node once, with the bytes of its files, when asked', () => {
  const input = bigCluster();
  expect(iptablesBackend.emit(input, defaultOptions).report).toBeUndefined();
  const out = iptablesBackend.emit(input, { ...defaultOptions, report: true });
  const bytes = new Map<string, number>();
  for (const f of out.files) {
    const node = f.path.replace(/\..*$/, '');
    bytes.set(node, (bytes.get(node) ?? 0) + f.content.length);
  }
  const reported = (out.report ?? '').split('\n').map((line) => /^(\S+): \d+ rules in \d+ chains, \d+ ipsets with \d+ members, (\d+) bytes$/.exec(line));
  expect(reported.every((m) => m !== null)).toBe(true);
  expect(new Map(reported.map((m) => [m![1]!, Number(m![2])]))).toEqual(bytes);
});

it('hands every file to a sink, in batches of encoded files, exactly as it would return them', () => {
  const input = bigCluster();
  const returned = iptablesBackend.emit(input, defaultOptions).files;
  const sunk: { path: string; content: string }[] = [];
  const out = iptablesBackend.emit(input, defaultOptions, (b) => sunk.push(...batchFiles(b)));
  expect(out.files).toEqual([]);
  expect(sunk.map((f) => f.path)).toEqual(returned.map((f) => f.path));
  sunk.forEach((f, i) => expect(f.content === returned[i]!.content, f.path).toBe(true));
});
