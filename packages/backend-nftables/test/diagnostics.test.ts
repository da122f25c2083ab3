import { expect, it } from 'vitest';
import { resolve, type Diagnostic, type Program, type RawOptions } from '@netpolc/ir';
import { namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
import { nftablesCatalog } from '../src/diagnostics.js';
import { nftablesBackend } from '../src/index.js';
import { parseNftablesOptions } from '../src/options.js';
import { loadProgram } from './support/compile.js';

const triggered = new Set<string>();

function run(program: Program, raw: RawOptions): { files: readonly { path: string; content: string }[]; diagnostics: Diagnostic[] } {
  const parsed = nftablesBackend.parseOptions(raw);
  const emitted = nftablesBackend.emit({ program, resolved: resolve(program) }, parsed.options);
  const diagnostics = [...parsed.diagnostics, ...emitted.diagnostics];
  for (const d of diagnostics) triggered.add(d.code);
  return { files: emitted.files, diagnostics };
}

const codes = (ds: readonly Diagnostic[]): string[] => ds.map((d) => `${d.severity} ${d.code}`);

const twoNodes = (): Program =>
  loadProgram([
    node('node-1', '198.19.0.1'),
    node('node-2', '198.19.0.2'),
    namespace('x'),
    pod('x', 'a', {}, '198.18.0.10', { node: 'node-1' }),
    networkPolicy('x', 'deny', { podSelector: {} }),
  ]);

it('writes one <node>.nft per node, or only the nodes asked for', () => {
  expect(run(twoNodes(), { 'out-dir': 'out' }).files.map((f) => f.path)).toEqual(['node-1.nft', 'node-2.nft']);
  expect(run(twoNodes(), { 'out-dir': 'out', node: ['node-2'] }).files.map((f) => f.path)).toEqual(['node-2.nft']);
});

it('prints exactly one file to standard output, and needs one node for it', () => {
  const one = run(twoNodes(), { 'out-dir': '-', node: ['node-1'] });
  expect(one.diagnostics).toEqual([]);
  expect(one.files).toHaveLength(1);
  const all = run(twoNodes(), { 'out-dir': '-' });
  expect(codes(all.diagnostics)).toEqual(['error backend-nftables/stdout-needs-one-node']);
  expect(all.files).toEqual([]);
});

it('reports an unknown --node with the nodes it may have meant, and alone when no node is left for stdout', () => {
  const near = run(twoNodes(), { 'out-dir': 'out', node: ['node-9', 'node-1'] }).diagnostics;
  expect(codes(near)).toEqual(['error backend-nftables/unknown-node']);
  expect(near[0]!.message).toBe('--node node-9 is neither a node of the inventory nor the node of any pod (did you mean node-1?)');
  expect(run(twoNodes(), { 'out-dir': 'out', node: ['other'] }).diagnostics[0]!.message).toContain('(known: node-1, node-2)');
  // Old code: a second error, that 0 nodes were selected for stdout.
  expect(codes(run(twoNodes(), { 'out-dir': '-', node: ['node-9'] }).diagnostics)).toEqual(['error backend-nftables/unknown-node']);
});

it('rejects option values it does not know, one diagnostic each', () => {
  const r = run(twoNodes(), { 'out-dir': 'out', 'deny-action': 'block', log: 'everything', 'log-rate': '10/fortnight' });
  expect(codes(r.diagnostics)).toEqual(['error backend-nftables/invalid-option', 'error backend-nftables/invalid-option', 'error backend-nftables/invalid-option', 'warning backend-nftables/log-rate-without-log']);
  expect(r.diagnostics[0]!.message).toContain('--deny-action');
});

it('accepts every documented option value', () => {
  for (const raw of [{ 'deny-action': 'drop' }, { 'deny-action': 'reject' }, { log: 'denied' }, { log: 'allowed' }, { log: 'all', 'log-rate': '100/minute' }, { counters: true }] as RawOptions[]) {
    expect(run(twoNodes(), { 'out-dir': 'out', ...raw }).diagnostics).toEqual([]);
  }
  for (const names of [['cali*'], ['veth*', 'lxc*', 'eth0.100'], ['abcdefghijklmn*'], ['abcdefghijklmno'], ['a{b$c#d;e@f*']]) {
    expect(codes(run(twoNodes(), { 'out-dir': 'out', 'pod-interface': names }).diagnostics), names.join(' ')).toEqual(['warning backend-nftables/pod-link-local-closed']);
  }
});

it('refuses pod interface names that are not Linux interface names or prefixes, one diagnostic each and no file', () => {
  const bad = ['', '*', 'abcdefghijklmnop', 'abcdefghijklmno*', 'cali 1', 'cali\t', 'ca"li', "ca'li", 'ca\\li', 'eth0/1', 'eth0:1', 'ca*li', 'cali**', 'cali+', '.', '..', 'café'];
  for (const name of bad) {
    const r = run(twoNodes(), { 'out-dir': 'out', 'pod-interface': ['cali*', name] });
    expect(codes(r.diagnostics), JSON.stringify(name)).toEqual(['error backend-nftables/invalid-option', 'warning backend-nftables/pod-link-local-closed']);
    expect(r.diagnostics[0]!.message).toContain('--pod-interface');
  }
  // The CLI stops on option errors before emitting; the options themselves keep only good names.
  expect(nftablesBackend.parseOptions({ 'pod-interface': ['veth*', '*', 'cali*', 'veth*'] }).options.podInterfaces).toEqual(['cali*', 'veth*']);
  expect(codes(nftablesBackend.parseOptions({ 'pod-interface': true }).diagnostics)).toEqual(['error backend-nftables/invalid-option']);
});

it('warns once per program that --pod-interface closes link-local traffic for every pod, naming the hooks the profile checks', () => {
  const one = run(twoNodes(), { 'out-dir': 'out', 'pod-interface': ['veth*', 'cali*'] });
  expect(codes(one.diagnostics)).toEqual(['warning backend-nftables/pod-link-local-closed']);
  expect(one.diagnostics[0]!.message).toContain('cali*, veth*');
  expect(one.diagnostics[0]!.message).not.toContain('from the node to its pods');
  const program = loadProgram([node('node-1', '198.19.0.1'), namespace('x'), pod('x', 'a', {}, '198.18.0.10', { node: 'node-1' })], { semantics: { allowNodeLocalIngress: false } });
  const both = run(program, { 'out-dir': 'out', 'pod-interface': ['cali*'] });
  expect(codes(both.diagnostics)).toEqual(['warning backend-nftables/pod-link-local-closed']);
  expect(both.diagnostics[0]!.message).toContain('from the node to its pods');
});

it('takes the --log-rate spellings the iptables backend takes (s, sec, m, min, h, d), and no others', () => {
  // An options audit: `10/s` was refused here and taken by iptables.
  for (const [text, rate, unit] of [['10/s', 10, 'second'], ['10/sec', 10, 'second'], ['3/m', 3, 'minute'], ['3/min', 3, 'minute'], ['2/h', 2, 'hour'], ['1/d', 1, 'day'], ['5/minute', 5, 'minute']] as const) {
    const parsed = parseNftablesOptions({ log: 'all', 'log-rate': text });
    expect([text, parsed.diagnostics, parsed.options.logRate]).toEqual([text, [], { rate, unit }]);
  }
  for (const text of ['10/constructor', '10/seconds', '10/w', '0/s']) expect(codes(parseNftablesOptions({ log: 'all', 'log-rate': text }).diagnostics), text).toEqual(['error backend-nftables/invalid-option']);
});

it('warns that --log-rate without --log does nothing', () => {
  expect(codes(run(twoNodes(), { 'out-dir': 'out', 'log-rate': '1/second' }).diagnostics)).toEqual(['warning backend-nftables/log-rate-without-log']);
});

it('refuses a node name that cannot be a file name, located nowhere but named', () => {
  const program = loadProgram([namespace('x'), pod('x', 'a', {}, '198.18.0.10', { node: '../etc' })]);
  const r = run(program, { 'out-dir': 'out' });
  expect(codes(r.diagnostics)).toEqual(['error backend-nftables/invalid-node-name']);
  expect(r.files).toEqual([]);
});

it('refuses, at the node, a node name too long for its file (253 characters may be a node name, 251 fit)', () => {
  // Labels of 60 characters: a DNS subdomain, as node names are.
  const name = (length: number) => Array.from({ length }, (_, i) => (i % 61 === 60 ? '.' : 'n')).join('');
  const at = (length: number) => loadProgram([node(name(length), '198.19.0.1'), namespace('x'), pod('x', 'a', {}, '198.18.0.10', { node: name(length) })]);
  const over = run(at(252), { 'out-dir': 'out' }); // .nft makes 256 bytes
  expect(codes(over.diagnostics)).toEqual(['error backend-nftables/file-name-too-long']);
  expect(over.diagnostics[0]!.target.kind).toBe('ref');
  expect(over.files).toEqual([]);
  const fits = run(at(251), { 'out-dir': 'out' });
  expect(fits.diagnostics).toEqual([]);
  expect(fits.files.map((f) => f.path.length)).toEqual([255]);
  // Standard output names no file.
  expect(run(at(253), { 'out-dir': '-' }).diagnostics).toEqual([]);
});

it('warns at the pod when a pod has no node, since no ruleset checks it', () => {
  const program = loadProgram([node('node-1', '198.19.0.1'), namespace('x'), pod('x', 'a', {}, '198.18.0.10')]);
  const r = run(program, { 'out-dir': 'out' });
  expect(codes(r.diagnostics)).toEqual(['warning backend-nftables/pod-without-node']);
  expect(r.diagnostics[0]!.target.kind).toBe('ref');
});

it('warns that a profile forbidding self traffic cannot be enforced on the node', () => {
  const program = loadProgram([node('node-1', '198.19.0.1'), namespace('x'), pod('x', 'a', {}, '198.18.0.10', { node: 'node-1' })], { semantics: { allowSelf: false } });
  expect(codes(run(program, { 'out-dir': 'out' }).diagnostics)).toEqual(['warning backend-nftables/self-traffic-not-enforced']);
});

it('documents every diagnostic code and triggers each one in this file', () => {
  for (const [code, entry] of Object.entries(nftablesCatalog)) {
    expect(code).toMatch(/^backend-nftables\/[a-z]+(-[a-z]+)*$/);
    expect(entry.docs.length).toBeGreaterThan(20);
  }
  expect([...triggered].sort()).toEqual(Object.keys(nftablesCatalog).sort());
});

it('is named after its package directory and declares the flags the CLI passes', () => {
  expect(nftablesBackend.name).toBe('nftables');
  expect(Object.keys(nftablesBackend.flags).sort()).toEqual(['counters', 'deny-action', 'log', 'log-rate', 'node', 'pod-interface']);
  expect(nftablesBackend.flags['node']).toMatchObject({ type: 'string', multiple: true });
  expect(nftablesBackend.flags['pod-interface']).toMatchObject({ type: 'string', multiple: true });
  expect(nftablesBackend.flags['counters']).toMatchObject({ type: 'boolean' });
});
