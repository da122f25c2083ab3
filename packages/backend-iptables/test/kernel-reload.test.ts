import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram, resolve, type Program, type RawOptions } from '@netpolc/ir';
import { corpusCases } from '@netpolc/ir/testing';
import { kernelGate, transportOf, withTopology, type Probe, type Topology } from '@netpolc/netns-harness';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import { iptablesBackend } from '../src/index.js';
import { chainPrefix, hookComment } from '../src/names.js';
import { disagreements, expectedVerdict, kernelTimeout, probesOf, rulesByChain, saveFilter, tool, topologyOf, variants, type PortProbe, type Variant } from './support/kernel.js';
import { networkVerdict } from './support/network.js';
import { parseIpSets } from './support/parse.js';

// The documented reload procedure (deploy/netpolc-iptables-reload), run inside each node
// namespace on a host that has its own FORWARD and INPUT rules, chain and ipset: a ruleset from
// before the INPUT hook, then policy set A, B, B again, A with logging and REJECT (more chains),
// B without and with ipsets, A with --pod-interface (a raw table) and two interface names, B
// without it (the raw table emptied), and the old ruleset again. After each step the kernel must
// hold exactly one hook at the top of FORWARD and of INPUT (none in INPUT for the old ruleset)
// and of raw PREROUTING exactly with --pod-interface, the host's rules unchanged, netpolc's
// chains (raw ones included) and sets exactly those of the files, and probes must
// match the reference evaluator (for the old ruleset: except pod -> own node, which it did not
// filter).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const reloadScript = fileURLToPath(new URL('../deploy/netpolc-iptables-reload', import.meta.url));

const hostRules = ['*filter', ':HOST-CHAIN - [0:0]', '-A HOST-CHAIN -s 198.18.250.1/32 -j DROP', '-A FORWARD -s 198.18.250.2/32 -j DROP', '-A FORWARD -j HOST-CHAIN', '-A INPUT -s 198.18.250.4/32 -j DROP', 'COMMIT', ''].join('\n');
const hostChains: Record<'FORWARD' | 'INPUT', string[]> = { FORWARD: ['-s 198.18.250.2/32 -j DROP', '-j HOST-CHAIN'], INPUT: ['-s 198.18.250.4/32 -j DROP'] };
const hooks = { FORWARD: `-m comment --comment "${hookComment}" -j NETPOLC-FORWARD`, INPUT: `-m comment --comment "${hookComment}" -j NETPOLC-INPUT` };

/** A node's files as the backend wrote them before the INPUT hook existed (FORWARD only). */
function withoutInputHook(files: { path: string; content: string }[]): { path: string; content: string }[] {
  const old = (line: string): boolean => /^(:NETPOLC-INPUT|-A NETPOLC-INPUT|-I INPUT )/.test(line);
  return files.map((f) => (f.path.endsWith('tables') ? { ...f, content: f.content.split('\n').filter((l) => !old(l)).join('\n') } : f));
}
const ports: readonly PortProbe[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'UDP', port: 81 },
  { protocol: 'SCTP', port: 80 },
];

function compile(program: Program, flags: RawOptions): Map<string, { path: string; content: string }[]> {
  const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
  const byNode = new Map<string, { path: string; content: string }[]>();
  for (const f of out.files) {
    const node = f.path.replace(/\.(ipset|iptables|ip6tables)$/, '');
    byNode.set(node, [...(byNode.get(node) ?? []), f]);
  }
  return byNode;
}

function setsOf(topology: Topology, ns: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of topology.exec(ns, ['ipset', 'save']).split('\n')) {
    const w = line.split(' ');
    if (w[0] === 'create') out.set(w[1]!, []);
    if (w[0] === 'add') out.get(w[1]!)!.push(w[2]!);
  }
  for (const members of out.values()) members.sort();
  return out;
}

kit(gate.label('reloads with the documented procedure: one hook, host rules kept, chains and sets replaced (nft and legacy)'), () => {
  gate.assertSupported();
  const byName = new Map(corpusCases().map((c) => [c.name, c]));
  const a = byName.get('allow-same-namespace')!.load().program;
  const b = byName.get('ipblock-except')!.load().program;
  const steps: { program: Program; flags: RawOptions; name: string; legacy?: boolean }[] = [
    { program: b, flags: {}, name: 'B from before the INPUT hook', legacy: true },
    { program: a, flags: {}, name: 'A' },
    { program: b, flags: {}, name: 'B' },
    { program: b, flags: {}, name: 'B again' },
    { program: a, flags: { log: 'all', 'deny-action': 'reject' }, name: 'A with log and reject' },
    { program: b, flags: { 'no-ipset': true }, name: 'B without ipsets' },
    { program: b, flags: {}, name: 'B with ipsets' },
    { program: a, flags: { 'pod-interface': ['vp*'] }, name: 'A with --pod-interface (the raw table)' },
    { program: a, flags: { 'pod-interface': ['vp*', 'cali*'] }, name: 'A with two pod interfaces' },
    { program: b, flags: {}, name: 'B without --pod-interface (the raw table emptied)' },
    { program: a, flags: {}, name: 'A from before the INPUT hook', legacy: true },
  ];
  const spec = topologyOf(a, 'npciptl');
  expect(topologyOf(b, 'npciptl')).toEqual(spec);
  const dir = mkdtempSync(join(tmpdir(), 'npcipt-reload-'));
  try {
    withTopology(spec, (topology) => {
      const probes = probesOf(spec, ports);
      for (const variant of variants) {
        topology.resetFirewalls();
        for (const node of spec.nodes) {
          const ns = topology.nodeNamespace(node.name);
          topology.exec(ns, [`iptables-${variant}-restore`, '--noflush'], hostRules);
          topology.exec(ns, ['ipset', 'create', 'host-set', 'hash:ip']);
          topology.exec(ns, ['ipset', 'add', 'host-set', '198.18.250.3']);
        }
        steps.forEach((step, i) => {
          const label = `${variant}, step ${i} (${step.name})`;
          const files = compile(step.program, step.flags);
          for (const node of spec.nodes) {
            const stepDir = join(dir, `${variant}-${i}`);
            rmSync(stepDir, { recursive: true, force: true });
            mkdirSync(stepDir, { recursive: true });
            const nodeFiles = step.legacy ? withoutInputHook(files.get(node.name) ?? []) : (files.get(node.name) ?? []);
            for (const f of nodeFiles) writeFileSync(join(stepDir, f.path), f.content);
            const ns = topology.nodeNamespace(node.name);
            const run = topology.run(ns, ['sh', reloadScript, stepDir, node.name, variant], undefined);
            expect(run.stderr, `${label} ${node.name}`).toBe('');
            expect(run.status, `${label} ${node.name}`).toBe(0);
            checkState(topology, ns, variant, nodeFiles, `${label} ${node.name}`);
          }
          // The old ruleset did not filter pod -> own node (INPUT).
          const own = (p: Probe): boolean => 'pod' in p.from && spec.nodes.some((n) => n.addresses.includes(p.to) && spec.pods.find((q) => q.id === (p.from as { pod: string }).pod)!.node === n.name);
          expect(disagreements(step.program, spec, topology.probe(step.legacy ? probes.filter((p) => !own(p)) : probes)), label).toEqual([]);
        });
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, kernelTimeout);

/** The kernel holds exactly the files' chains, hooks and sets, beside the host's own (when `host`). */
function checkState(topology: Topology, ns: string, variant: Variant, files: readonly { path: string; content: string }[], label: string, host = true): void {
  const rules = files.find((f) => f.path.endsWith('.iptables'))!.content;
  const saved = saveFilter(topology, ns, 4, variant);
  for (const chain of ['FORWARD', 'INPUT'] as const) {
    const inFile = rules.split('\n').some((l) => l.startsWith(`-I ${chain} `));
    const got = rulesByChain(saved, (c) => c === chain).get(chain) ?? [];
    expect(got, `${label}: ${chain} holds one hook, first, and the host's rules`).toEqual([...(inFile ? [hooks[chain]] : []), ...(host ? hostChains[chain] : [])]);
  }
  if (host) expect(rulesByChain(saved, (c) => c === 'HOST-CHAIN').get('HOST-CHAIN'), `${label}: host chain`).toEqual(['-s 198.18.250.1/32 -j DROP']);
  const ours = (c: string): boolean => c.startsWith(chainPrefix);
  // The file's tables apart: an optional *raw section (--pod-interface), then *filter.
  const [rawPart, filterPart] = rules.includes('\n*raw\n') ? rules.split('\n*filter\n') : ['', rules];
  expect(rulesByChain(saved, ours), `${label}: netpolc chains`).toEqual(rulesByChain(filterPart!, ours));
  const savedRaw = topology.exec(ns, [tool(4, variant, 'save'), '-t', 'raw']);
  const rawHook = `-m comment --comment "${hookComment}" -j NETPOLC-PREROUTING`;
  expect(rulesByChain(savedRaw, (c) => c === 'PREROUTING').get('PREROUTING') ?? [], `${label}: PREROUTING holds one hook exactly with --pod-interface`).toEqual(rawPart === '' ? [] : [rawHook]);
  expect(rulesByChain(savedRaw, ours), `${label}: netpolc's raw chains`).toEqual(rulesByChain(rawPart!, ours));
  const setFile = files.find((f) => f.path.endsWith('.ipset'));
  const want = new Map<string, string[]>(host ? [['host-set', ['198.18.250.3']]] : []);
  for (const s of setFile ? parseIpSets(setFile.content).sets : []) want.set(s.name, [...s.members].sort());
  expect(setsOf(topology, ns), `${label}: ipsets`).toEqual(want);
}

kit(gate.label('no packet sees a window while reloads alternate between two policy sets (nft and legacy)'), () => {
  gate.assertSupported();
  const byName = new Map(corpusCases().map((c) => [c.name, c]));
  // B = A plus default-deny-all: y keeps its ingress isolation (denied on node-2 in both),
  // x becomes isolated in both directions.
  const caseA = byName.get('allow-same-namespace')!;
  const a = caseA.load().program;
  const extra = byName.get('default-deny-all')!.sources().filter((f) => f.path === 'policies.yaml').map((f) => ({ ...f, path: 'deny-all.yaml' }));
  const loadedB = loadProgram([...caseA.sources(), ...extra]);
  expect(loadedB.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const b = loadedB.program;
  const spec = topologyOf(a, 'npciptw');
  const dir = mkdtempSync(join(tmpdir(), 'npcipt-window-'));
  try {
    withTopology(spec, (topology) => {
      // Connections every node decides the same way under A and B: a window on a node (hook
      // missing, set flushed, chain half written) would let a denied one through or drop an
      // allowed one. Connections whose deciding node moves between A and B are left out: nodes
      // reload independently, so across nodes a mix of old and new rules is expected (README).
      const probes = probesOf(spec, [{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 80 }]).filter((p) => 'pod' in p.from);
      const perNode = (program: Program, p: Probe): string => {
        const { nodes } = lowerProgram({ program, resolved: resolve(program) }, iptablesBackend.parseOptions({}).options);
        const [namespace, name] = (p.from as { pod: string }).pod.split('/') as [string, string];
        const v = networkVerdict(program, nodes, { src: { kind: 'pod', namespace, name }, dst: { kind: 'ip', ip: p.to }, protocol: transportOf(p.protocol), port: p.port })!;
        return JSON.stringify(v.traversed.map((t) => [t.node, t.hook, t.passed]).sort());
      };
      const stable = probes.filter((p) => perNode(a, p) === perNode(b, p));
      expect(stable.some((p) => expectedVerdict(a, spec, p))).toBe(true);
      expect(stable.some((p) => !expectedVerdict(a, spec, p))).toBe(true);
      for (const variant of variants) {
        topology.resetFirewalls();
        for (const [name, program, flags] of [['a', a, {}], ['b', b, { 'deny-action': 'reject' }]] as const) {
          const sub = join(dir, `${variant}-${name}`);
          mkdirSync(sub, { recursive: true });
          for (const files of compile(program, flags).values()) for (const f of files) writeFileSync(join(sub, f.path), f.content);
        }
        // Each node reloads B then A until told to stop, counting its cycles; probing goes on
        // until every node has done two cycles since it began (and three rounds at least), so
        // the probes overlap reloads however fast either side runs on a loaded machine.
        const file = (what: string, node: string): string => join(dir, `${variant}-${node}.${what}`);
        const stop = join(dir, `${variant}.stop`);
        const children = spec.nodes.map((n) => {
          const reload = (set: string): string => `sh ${reloadScript} ${dir}/${variant}-${set} ${n.name} ${variant}`;
          const count = file('count', n.name);
          const loop = `${reload('a')}; echo 0 > ${count}; c=0; while [ ! -e ${stop} ]; do ${reload('b')}; ${reload('a')}; c=$((c+1)); echo $c > ${count}.tmp; mv ${count}.tmp ${count}; done; touch ${file('done', n.name)}`;
          return spawn('ip', ['netns', 'exec', topology.nodeNamespace(n.name), 'sh', '-c', loop], { stdio: 'ignore', env: { ...process.env, NETPOLC_LOCK: join(dir, `${n.name}.lock`), PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` } });
        });
        const cycles = (): number[] => spec.nodes.map((n) => (existsSync(file('count', n.name)) ? Number(readFileSync(file('count', n.name), 'utf8')) : -1));
        const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        try {
          const deadline = Date.now() + 60_000;
          while (cycles().some((c) => c < 0) && Date.now() < deadline) pause(20);
          const before = cycles();
          let rounds = 0;
          const problems: string[] = [];
          const overlapped = (): boolean => cycles().every((c, i) => c - before[i]! >= 2);
          while ((rounds < 3 || !overlapped()) && Date.now() < deadline) {
            problems.push(...disagreements(a, spec, topology.probe(stable)).map((d) => `${variant} round ${rounds}: ${d}`));
            rounds++;
          }
          writeFileSync(stop, '');
          expect(problems).toEqual([]);
          expect(before.every((c) => c >= 0), 'every node reloaded A before probing').toBe(true);
          expect(overlapped(), `reload cycles during ${rounds} probe rounds: ${before.join(',')} -> ${cycles().join(',')}`).toBe(true);
          // A reload still running would race the next variant's reset.
          while (!spec.nodes.every((n) => existsSync(file('done', n.name))) && Date.now() < deadline + 30_000) pause(20);
          expect(spec.nodes.every((n) => existsSync(file('done', n.name))), 'reload loops stopped').toBe(true);
        } finally {
          writeFileSync(stop, '');
          for (const c of children) c.kill('SIGKILL');
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, kernelTimeout);

// A file cut short at a line boundary (a copy that stopped, a full disk) was valid input: an
// .iptables file without its last lines lost the hooks (the script deleted the old ones and had
// none to insert) and an .ipset file cut before a `swap` left a set created but empty, both
// loaded with exit 0 and the node open (an audit of 2026-12-03); so did a copy without the
// .iptables file (its family's hooks went). The script now refuses a file whose last line is not
// the end-of-file line, and a copy without a file the .iptables file lists (or without that
// file), and the running ruleset stays as it was.
kit(gate.label('refuses files cut short, missing from the copy or with CRLF line ends, keeping the running ruleset (nft)'), () => {
  gate.assertSupported();
  const byName = new Map(corpusCases().map((c) => [c.name, c]));
  const a = byName.get('allow-same-namespace')!.load().program;
  const b = byName.get('ipblock-except')!.load().program;
  const spec = topologyOf(a, 'npcipttr');
  const dir = mkdtempSync(join(tmpdir(), 'npcipt-truncated-'));
  const variant: Variant = 'nft';
  type File = { path: string; content: string };
  const cutOne = (ext: string, cut: (text: string) => string) => (files: File[]) => files.map((f) => (f.path.endsWith(ext) ? { path: f.path, content: cut(f.content) } : f));
  const cuts: { name: string; cut: (files: File[]) => File[]; refusal: RegExp }[] = [
    { name: 'the .iptables file without its last three lines', cut: cutOne('.iptables', (t) => t.split('\n').slice(0, -4).join('\n') + '\n'), refusal: /does not end with the line .* nothing was changed/ },
    { name: 'the .ipset file cut before its last swap', cut: cutOne('.ipset', (t) => t.slice(0, t.lastIndexOf('\nswap ') + 1)), refusal: /does not end with the line .* nothing was changed/ },
    { name: 'the .ipset file left out of the copy', cut: (files) => files.filter((f) => !f.path.endsWith('.ipset')), refusal: /\.ipset is missing .* nothing was changed/ },
    { name: 'the .iptables file left out of the copy', cut: (files) => files.filter((f) => !f.path.endsWith('.iptables')), refusal: /\.iptables is missing: nothing was changed/ },
    { name: 'CRLF line ends', cut: (files) => files.map((f) => ({ path: f.path, content: f.content.replaceAll('\n', '\r\n') })), refusal: /CRLF/ },
    { name: 'files listing another node', cut: (files) => files.map((f) => ({ path: f.path, content: f.content.replace(/^(# netpolc files: .*)$/m, (l) => l.replaceAll('node-', 'host-')) })), refusal: /not node-\d+\.iptables: renamed since the compile/ },
  ];
  try {
    withTopology(spec, (topology) => {
      topology.resetFirewalls();
      const good = compile(a, {});
      const next = compile(b, {});
      const probes = probesOf(spec, ports);
      const load = (stepDir: string, node: string, files: readonly { path: string; content: string }[]) => {
        rmSync(stepDir, { recursive: true, force: true });
        mkdirSync(stepDir, { recursive: true });
        for (const f of files) writeFileSync(join(stepDir, f.path), f.content);
        return topology.run(topology.nodeNamespace(node), ['sh', reloadScript, stepDir, node, variant], undefined);
      };
      for (const node of spec.nodes) expect(load(join(dir, 'a'), node.name, good.get(node.name) ?? []).status).toBe(0);
      for (const { name, cut, refusal } of cuts) {
        let tried = 0;
        for (const node of spec.nodes) {
          const whole = next.get(node.name) ?? [];
          const files = cut(whole);
          if (files.length === whole.length && files.every((f, i) => f.content === whole[i]!.content)) continue;
          tried++;
          const run = load(join(dir, 'cut'), node.name, files);
          expect(run.status, `${name}, ${node.name}`).toBe(1);
          expect(run.stderr, `${name}, ${node.name}`).toMatch(refusal);
          const check = topology.run(topology.nodeNamespace(node.name), ['sh', reloadScript, '--check', join(dir, 'cut'), node.name, variant], undefined);
          expect(check.status, `--check of ${name}, ${node.name}`).toBe(1);
          checkState(topology, topology.nodeNamespace(node.name), variant, good.get(node.name) ?? [], `${name}, ${node.name}`, false);
        }
        expect(tried, `nodes with ${name}`).toBeGreaterThan(0);
        expect(disagreements(a, spec, topology.probe(probes)), name).toEqual([]);
      }
      // A file the .iptables file does not list is not loaded: an .ip6tables file left from a
      // compile before the node lost its IPv6 pods (here one that would fail to load).
      let stale = 0;
      for (const node of spec.nodes) {
        const whole = next.get(node.name) ?? [];
        if (whole.some((f) => f.path.endsWith('.ip6tables'))) continue;
        stale++;
        const run = load(join(dir, 'stale'), node.name, [...whole, { path: `${node.name}.ip6tables`, content: '*filter\n-A NO-SUCH-CHAIN -j DROP\nCOMMIT\n# netpolc: end of file\n' }]);
        expect(run.stderr, `stale .ip6tables, ${node.name}`).toBe('');
        expect(run.status, `stale .ip6tables, ${node.name}`).toBe(0);
      }
      expect(stale, 'nodes without an .ip6tables file').toBeGreaterThan(0);
      expect(disagreements(b, spec, topology.probe(probes)), 'after the reload beside a stale file').toEqual([]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, kernelTimeout);
