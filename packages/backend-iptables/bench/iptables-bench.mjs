#!/usr/bin/env node
// Bench of the iptables backend (run after `npx tsc -b`):
//
//   node bench/iptables-bench.mjs [medium|large|kube-scale ...] [--no-kernel] [--no-ipset-sample]
//
// For each synthetic workload of the root bench generator (bench/workloads.mjs; kube-scale is
// 150k pods / 10k namespaces / 5k nodes / 20k policies, performance.md §4) it loads and resolves
// the cluster once, then measures the backend's own emit (what `netpolc compile` calls) for every
// node of the inventory, the cluster-level part of it alone (pod chains and sets, built once),
// and a `--node` emit of one node; it reports rules, chains, ipsets and set members per node (max
// and mean, from the emit's report), output bytes, and the kernel load time of the largest
// node's files (ipset restore, iptables-nft-restore, iptables-legacy-restore) in a scratch
// network namespace when run as root.
//
// `benchIptables(input, flags)` is the function the root `npm run bench` can call with a
// `{ program, resolved }` it already has; it returns the figures as plain JSON.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadProgram, resolve } from '@netpolc/ir';
import { ProgramLowering } from '../dist/emit.js';
import { iptablesBackend } from '../dist/index.js';

/** Per-node counts from the emit report (`node: R rules in C chains, S ipsets with M members, B bytes`). */
function parseReport(report) {
  const out = [];
  for (const line of report.split('\n')) {
    const m = /^(.*): (\d+) rules in (\d+) chains, (\d+) ipsets with (\d+) members, (\d+) bytes$/.exec(line);
    if (m) out.push({ node: m[1], rules: Number(m[2]), chains: Number(m[3]), sets: Number(m[4]), members: Number(m[5]), bytes: Number(m[6]) });
  }
  return out;
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/**
 * Compiles every node of `input` with the given backend flags and measures it.
 * @param {{ program: import('@netpolc/ir').Program, resolved: import('@netpolc/ir').ResolvedProgram }} input
 * @param {Record<string, string | boolean | string[]>} [flags]
 */
export function benchIptables(input, flags = {}) {
  // The per-node figures come from the report.
  const { options, diagnostics } = iptablesBackend.parseOptions({ report: true, ...flags });
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join('; '));
  globalThis.gc?.();
  const c0 = cpuMs();
  const t0 = performance.now();
  let emitted = iptablesBackend.emit(input, options);
  const emitMs = performance.now() - t0;
  const emitCpuMs = cpuMs() - c0;
  const perNode = parseReport(emitted.report ?? '');
  let largest;
  for (const n of perNode) if (largest === undefined || n.bytes > largest.bytes) largest = n;
  const file = (ext) => emitted.files.find((f) => f.path === `${largest.node}.${ext}`)?.content ?? '';
  // Keep only the largest node's text: the whole output runs to hundreds of megabytes.
  const largestFiles = largest ? { iptables: file('iptables'), ip6tables: file('ip6tables'), ipset: file('ipset') } : undefined;
  const fileCount = emitted.files.length;
  const warnings = emitted.diagnostics.length;
  emitted = undefined;
  globalThis.gc?.();

  // The cluster-level part alone: pod chains (once per distinct tuple list) and their sets.
  const t1 = performance.now();
  new ProgramLowering(input, options);
  const clusterMs = performance.now() - t1;

  // One node with --node: what a per-node deployment pays.
  const one = input.program.inventory.nodes[0]?.name;
  let oneNodeMs;
  if (one !== undefined && flags.node === undefined) {
    const t2 = performance.now();
    iptablesBackend.emit(input, { ...options, nodes: [one] });
    oneNodeMs = performance.now() - t2;
  }

  const stat = (key) => {
    const values = perNode.map((n) => n[key]);
    const sum = values.reduce((a, b) => a + b, 0);
    return { max: Math.max(0, ...values), mean: values.length ? sum / values.length : 0, total: sum };
  };
  return {
    flags: flags.node ? { ...flags, node: `${flags.node.length} nodes` } : flags,
    nodes: perNode.length,
    files: fileCount,
    emitMs,
    emitCpuMs,
    clusterMs,
    oneNodeMs,
    rules: stat('rules'),
    chains: stat('chains'),
    sets: stat('sets'),
    setMembers: stat('members'),
    bytes: stat('bytes'),
    warnings,
    largestNode: largest,
    /** Not serialised: the largest node's files, for {@link kernelLoad}. */
    largestFiles,
  };
}

/**
 * Loads one node's files into a scratch namespace (root only) and times each step; the
 * namespace is deleted afterwards.
 */
export async function kernelLoad(files) {
  const { withTopology, kernelSupport } = await import('@netpolc/netns-harness');
  const support = kernelSupport();
  if (!support.ok) return { skipped: support.reason };
  const dir = mkdtempSync(join(tmpdir(), 'npcipt-bench-'));
  try {
    for (const [ext, text] of Object.entries(files)) if (text) writeFileSync(join(dir, `node.${ext}`), text);
    const spec = { prefix: 'npciptb', nodes: [{ name: 'n', addresses: ['198.18.255.1', '2001:db8:ffff::1'] }], pods: [] };
    return withTopology(spec, (topology) => {
      const ns = topology.nodeNamespace('n');
      const time = (argv, file) => {
        const t = performance.now();
        topology.exec(ns, ['sh', '-c', `${argv} < ${join(dir, file)}`]);
        return performance.now() - t;
      };
      const out = {};
      if (files.ipset) out.ipsetRestoreMs = time('ipset restore', 'node.ipset');
      for (const variant of ['nft', 'legacy']) {
        out[`iptables${variant === 'nft' ? 'Nft' : 'Legacy'}Ms`] = time(`iptables-${variant}-restore`, 'node.iptables');
        if (files.ip6tables) out[`ip6tables${variant === 'nft' ? 'Nft' : 'Legacy'}Ms`] = time(`ip6tables-${variant}-restore`, 'node.ip6tables');
        topology.exec(ns, ['sh', '-c', `printf '*filter\\nCOMMIT\\n' | iptables-${variant}-restore; printf '*filter\\nCOMMIT\\n' | ip6tables-${variant}-restore`]);
      }
      return out;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Used only when the root generator has no kube-scale workload of its own.
const fallback = {
  'kube-scale': { pods: 150_000, namespaces: 10_000, policies: 20_000, seed: 4, nodes: 5_000 },
};

async function main(argv) {
  const kernel = !argv.includes('--no-kernel');
  const names = argv.filter((a) => !a.startsWith('--'));
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const { generate, workloads } = await import(pathToFileURL(join(root, 'bench/workloads.mjs')).href);
  const all = { ...fallback, ...workloads };
  for (const name of names.length > 0 ? names : ['medium', 'large']) {
    const w = all[name];
    if (!w) throw new Error(`unknown workload ${name} (${Object.keys(all).join(', ')})`);
    const t0 = performance.now();
    const objects = generate(w);
    const loaded = loadProgram([{ path: `${name}.json`, content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }]);
    const resolved = resolve(loaded.program);
    const t1 = performance.now();
    // Per-CIDR rules are a debug mode: beyond medium they run to tens of millions of rules in
    // total, so they are measured on the first 20 nodes only.
    const sample = name === 'medium' ? {} : { node: loaded.program.inventory.nodes.slice(0, 20).map((n) => n.name) };
    for (const flags of argv.includes('--no-ipset-sample') ? [{}] : [{}, { 'no-ipset': true, ...sample }]) {
      const { largestFiles, ...figures } = benchIptables({ program: loaded.program, resolved }, flags);
      const load = kernel && largestFiles ? await kernelLoad(largestFiles) : undefined;
      const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      process.stdout.write(`${JSON.stringify({ workload: name, pods: w.pods, policies: w.policies, loadAndResolveMs: Math.round(t1 - t0), ...figures, peakRssMb, kernelLoadLargest: load })}\n`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
