import { resolve, type Diagnostic, type RawOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { iptablesDiagnostics, type IptablesDiagnosticCode } from '../src/diagnostics.js';
import { lowerProgram } from '../src/emit.js';
import { iptablesBackend } from '../src/index.js';

function compile(objects: readonly Manifest[], raw: RawOptions = {}, semantics: Record<string, boolean> = {}): { diagnostics: readonly Diagnostic[]; files: readonly string[] } {
  const parsed = iptablesBackend.parseOptions(raw);
  const { program } = loadValid(objects, Object.keys(semantics).length > 0 ? { semantics } : {});
  const result = iptablesBackend.emit({ program, resolved: resolve(program) }, parsed.options);
  return { diagnostics: [...parsed.diagnostics, ...result.diagnostics], files: result.files.map((f) => f.path) };
}

const cluster: Manifest[] = [
  node('node-1', '198.19.0.1'),
  node('node-2', '198.19.0.2'),
  namespace('x'),
  pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'node-1' }),
  pod('x', 'b', { app: 'b' }, '198.18.1.10', { node: 'node-2' }),
];
const denyAll = networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

it('names the nodes an unknown --node may have meant: the nearest, else a dozen with their count', () => {
  const message = (objects: readonly Manifest[], name: string): string => compile(objects, { node: [name] }).diagnostics[0]!.message;
  expect(message(cluster, 'node-9')).toBe('--node node-9 is not a node of the inventory (did you mean node-1?)');
  expect(message(cluster, 'elsewhere')).toBe('--node elsewhere is not a node of the inventory (known: node-1, node-2)');
  // Old code: every node of the inventory, 5 000 names at kube-scale.
  const many = Array.from({ length: 30 }, (_, i) => node(`worker-${String(i).padStart(2, '0')}`, `198.19.1.${i + 1}`));
  expect(message(many, 'elsewhere')).toBe('--node elsewhere is not a node of the inventory (30 nodes, among them worker-00, worker-01, worker-02, worker-03, worker-04, worker-05, worker-06, worker-07, worker-08, worker-09, worker-10, worker-11)');
  expect(message([namespace('x')], 'node-1')).toBe('--node node-1 is not a node of the inventory (there is no node)');
});

/** One input per code that must report it (and the test below checks the table is complete). */
const triggers: Record<IptablesDiagnosticCode, () => readonly Diagnostic[]> = {
  'backend-iptables/invalid-option': () => compile(cluster, { 'deny-action': 'block' }).diagnostics,
  'backend-iptables/option-ignored': () => compile(cluster, { 'log-rate': '5/second' }).diagnostics,
  'backend-iptables/unknown-node': () => compile(cluster, { node: ['node-9'] }).diagnostics,
  'backend-iptables/stdout-unsupported': () => compile(cluster, { 'out-dir': '-', 'no-ipset': true }).diagnostics,
  'backend-iptables/file-name-too-long': () => compile([node(longNode(247), '198.19.0.1'), namespace('x')]).diagnostics,
  'backend-iptables/pod-not-enforced': () => compile([...cluster, pod('x', 'c', {}, '198.18.0.30', { node: 'node-7' }), denyAll]).diagnostics,
  'backend-iptables/node-local-not-filtered': () => compile([...cluster, denyAll], {}, { allowSelf: false }).diagnostics,
  'backend-iptables/pod-link-local-closed': () => compile(cluster, { 'pod-interface': ['cali*'] }).diagnostics,
  'backend-iptables/large-ipset': () => {
    // A peer of 1,048,577 separate addresses, patched into the resolved layer (a manifest with
    // that many pods or excepts would take long to load).
    const { program } = loadValid([...cluster, networkPolicy('x', 'from-block', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })]);
    const resolved = resolve(program);
    const peer = resolved.ingress[0]!.tuples[0]!.peer;
    const huge: [bigint, bigint][] = [];
    for (let i = 0n; i <= 1_048_576n; i++) huge.push([0x0a00_0000n + 2n * i, 0x0a00_0000n + 2n * i]);
    const patched = { ...resolved, peerSets: resolved.peerSets.map((s, i) => (i === peer ? { ...s, v4: huge } : s)) };
    // Lowering alone reports it (printing a million set members adds nothing to this test).
    return lowerProgram({ program, resolved: patched }, iptablesBackend.parseOptions({ node: ['node-1'] }).options).diagnostics;
  },
};

it('documents every code and has a trigger for each', () => {
  expect(Object.keys(triggers).sort()).toEqual(Object.keys(iptablesDiagnostics).sort());
  for (const entry of Object.values(iptablesDiagnostics)) expect(entry.docs.length).toBeGreaterThan(20);
});

for (const [code, run] of Object.entries(triggers)) {
  it(`reports ${code}`, () => {
    expect(run().map((d) => d.code)).toContain(code);
  });
}

/** A node name of `length` characters, in labels of 60 (a DNS subdomain, as node names are). */
function longNode(length: number): string {
  return Array.from({ length }, (_, i) => (i % 61 === 60 ? '.' : 'n')).join('');
}

it('refuses, at the node, a node name too long for its files (253 characters may be a node name)', () => {
  const at = (name: string, ip = '198.18.0.10') => [node(name, '198.19.0.1'), namespace('x'), pod('x', 'a', {}, ip, { node: name })];
  // .iptables makes 255 bytes of 246 characters: written; of 247 not, located at the Node.
  expect(compile(at(longNode(246))).files.map((f) => f.length)).toEqual([255]);
  const over = compile(at(longNode(247)));
  expect(over.diagnostics.map((d) => `${d.code} ${d.target.kind}`)).toEqual(['backend-iptables/file-name-too-long ref']);
  expect(over.diagnostics[0]!.message).toContain('its .iptables file: 256 bytes');
  expect(over.files).toEqual([]);
  // With IPv6 pods the node also gets .ip6tables, a byte longer.
  expect(compile(at(longNode(246), 'fd00::10')).diagnostics[0]!.message).toContain('its .ip6tables file: 256 bytes');
  // Standard output names no file.
  expect(compile(at(longNode(253)), { 'out-dir': '-', 'no-ipset': true }).diagnostics).toEqual([]);
});

it('reports unenforced pods once per missing node, not per pod, and nothing for pods to their own node', () => {
  const stray = Array.from({ length: 5 }, (_, i) => pod('x', `s${i}`, {}, `198.18.0.${40 + i}`, { node: i % 2 === 0 ? 'node-7' : 'node-8' }));
  const { diagnostics } = compile([...cluster, ...stray, denyAll]);
  expect(diagnostics.map((d) => d.message)).toEqual([
    '3 pods isolated by network policy (x/s0, x/s2, x/s4) are on node node-7, which is not in the inventory: no emitted ruleset enforces their policies',
    '2 pods isolated by network policy (x/s1, x/s3) are on node node-8, which is not in the inventory: no emitted ruleset enforces their policies',
  ]);
});

it('writes no files when options are invalid or stdout cannot hold the output', () => {
  expect(compile(cluster, { 'out-dir': '-' }).files).toEqual([]);
  expect(compile(cluster, { 'out-dir': '-', 'no-ipset': true }).files).toEqual([]);
  expect(compile(cluster, { node: ['node-9'] }).files).toEqual([]);
});

it('prints one file for stdout with one node and --no-ipset', () => {
  expect(compile(cluster, { 'out-dir': '-', 'no-ipset': true, node: ['node-1'] })).toEqual({ diagnostics: [], files: ['node-1.iptables'] });
});

it('refuses stdout for a node with IPv6 pods', () => {
  const dual = [node('node-1', '198.19.0.1'), namespace('x'), pod('x', 'a', {}, ['198.18.0.10', '2001:db8::a'], { node: 'node-1' })];
  expect(compile(dual, { 'out-dir': '-', 'no-ipset': true }).diagnostics.map((d) => d.code)).toEqual(['backend-iptables/stdout-unsupported']);
});

it('writes an ip6tables file only for nodes with IPv6 pods and an ipset file only when sets are used', () => {
  const objects = [
    node('node-1', '198.19.0.1'),
    node('node-2', '198.19.0.2'),
    namespace('x'),
    pod('x', 'a', {}, ['198.18.0.10', '2001:db8::a'], { node: 'node-1' }),
    pod('x', 'b', {}, '198.18.0.11', { node: 'node-1' }),
    pod('x', 'c', {}, '198.18.1.10', { node: 'node-2' }),
  ];
  expect(compile(objects).files).toEqual(['node-1.iptables', 'node-1.ip6tables', 'node-1.ipset', 'node-2.iptables']);
  expect(compile(objects, { 'no-ipset': true }).files).toEqual(['node-1.iptables', 'node-1.ip6tables', 'node-2.iptables']);
});

it('parses every flag', () => {
  const { options, diagnostics } = iptablesBackend.parseOptions({ node: ['b', 'a'], 'no-ipset': true, 'deny-action': 'reject', log: 'all', 'log-target': 'nflog', 'nflog-group': '7', 'log-rate': '60/minute', 'out-dir': 'out', report: true });
  expect(diagnostics).toEqual([]);
  expect(options).toEqual({ nodes: ['b', 'a'], ipset: false, denyAction: 'reject', log: 'all', logTarget: 'nflog', nflogGroup: 7, logRate: '1/sec', podInterfaces: [], stdout: false, report: true });
});

it('reads --pod-interface in iptables spelling, sorted and once each, whatever the order of the flags', () => {
  for (const given of [['veth*', 'cali*', 'eth1', 'cali*'], ['eth1', 'cali*', 'veth*']]) {
    const { options, diagnostics } = iptablesBackend.parseOptions({ 'pod-interface': given });
    expect(diagnostics).toEqual([]);
    expect(options.podInterfaces).toEqual(['cali+', 'eth1', 'veth+']);
  }
  expect(iptablesBackend.parseOptions({ 'pod-interface': 'lxc*' }).options.podInterfaces).toEqual(['lxc+']);
  expect(iptablesBackend.parseOptions({ 'pod-interface': 'abcdefghijklmn*' }).options.podInterfaces).toEqual(['abcdefghijklmn+']);
});

it('refuses interface names the kernel or iptables would not take as given, naming the flag and value', () => {
  const bad = ['', '*', 'abcdefghijklmnop', 'abcdefghijklmno*', 'ca*li', 'cali**', 'cali+', 'eth 0', 'eth\t0', 'a/b', 'a:1', 'a"b', "a'b", 'a\\b', '!cali', '-cali', '.', '..', 'calï'];
  for (const name of bad) {
    const { options, diagnostics } = iptablesBackend.parseOptions({ 'pod-interface': ['cali*', name] });
    expect(diagnostics.map((d) => [d.code, d.severity]), JSON.stringify(name)).toEqual([['backend-iptables/invalid-option', 'error']]);
    expect(diagnostics[0]!.message).toContain(`--pod-interface ${JSON.stringify(name)} is invalid`);
    expect(options.podInterfaces).toEqual(['cali+']);
  }
  expect(iptablesBackend.parseOptions({ 'pod-interface': true }).diagnostics.map((d) => d.code)).toEqual(['backend-iptables/invalid-option']);
  // An invalid name fails the compilation: no files that look protected and are not.
  expect(compile(cluster, { 'pod-interface': ['cali*', 'ca*li'] }).diagnostics.map((d) => d.code)).toContain('backend-iptables/invalid-option');
});

it('writes an ip6tables file for every node with --pod-interface, and says once that it applies to every pod', () => {
  const { diagnostics, files } = compile([...cluster, denyAll], { 'pod-interface': ['veth*', 'cali*'] });
  expect(files).toEqual(['node-1.iptables', 'node-1.ip6tables', 'node-2.iptables', 'node-2.ip6tables']);
  expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['backend-iptables/pod-link-local-closed', 'warning']]);
  expect(diagnostics[0]!.message).toMatch(/^--pod-interface cali\*, veth\*: .*for every pod, also where the policies would allow them/);
  const stdout = compile(cluster, { 'out-dir': '-', 'no-ipset': true, node: ['node-1'], 'pod-interface': 'cali*' });
  expect(stdout.files).toEqual([]);
  expect(stdout.diagnostics.filter((d) => d.code === 'backend-iptables/stdout-unsupported').map((d) => d.message)).toEqual([
    '--out-dir - prints a single iptables-restore file, but --pod-interface adds an ip6tables file for every node; write to a directory instead',
  ]);
});

it('rejects out-of-range values', () => {
  for (const [flag, value] of [['nflog-group', '65536'], ['log-rate', '0/second'], ['log-rate', '20000/second'], ['log-rate', '10/fortnight'], ['log', 'some'], ['log-target', 'syslog']] as const) {
    const { diagnostics } = iptablesBackend.parseOptions({ log: 'all', [flag]: value });
    expect(diagnostics.map((d) => d.code), `${flag} ${value}`).toContain('backend-iptables/invalid-option');
  }
});
