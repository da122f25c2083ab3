#!/usr/bin/env node
// Figures of the nftables backend on the root bench workloads (bench/workloads.mjs, fixed seeds):
//   npm run bench -w @netpolc/backend-nftables [-- --only medium,large] [-- --no-kernel] [-- --flags default]
// Loads the JSON form (fast path), resolves, then runs benchNftables (compile time for all
// nodes, per-node rules/sets/elements/bytes, kernel load time of the largest node's file).
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadProgram, resolve } from '@netpolc/ir';
import { benchNftables } from '@netpolc/backend-nftables/bench';
import { generate, workloads } from '../../../bench/workloads.mjs';

const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1].split(',') : ['medium', 'large'];
const kernel = !args.includes('--no-kernel');
const allFlagSets = { default: {}, 'log+reject+counters': { log: 'all', 'deny-action': 'reject', counters: true } };
// `--flags default` (or `log+reject+counters`) runs one flag set, so peak RSS is that run's own.
const flagsIndex = args.indexOf('--flags');
const flagSets = flagsIndex >= 0 ? { [args[flagsIndex + 1]]: allFlagSets[args[flagsIndex + 1]] } : allFlagSets;

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const out = {};
for (const name of only) {
  // The root bench caches each workload's JSON form in bench/.data; generate it when missing.
  const cached = new URL(`../../../bench/.data/${name}.json`, import.meta.url);
  const content = existsSync(cached) ? readFileSync(cached, 'utf8') : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: generate(workloads[name]) });
  const t0 = performance.now();
  const loaded = loadProgram([{ path: `${name}.json`, content }]);
  const resolved = resolve(loaded.program);
  const prepMs = performance.now() - t0;
  out[name] = {};
  for (const [label, flags] of Object.entries(flagSets)) {
    const f = benchNftables(resolved, { flags, kernel: kernel && label === 'default' });
    out[name][label] = f;
    console.log(
      `${name} (${resolved.pods.length} pods, ${loaded.program.policies.length} policies, ${f.nodes} nodes; load+resolve ${fmt(prepMs)} ms) [${label}]\n` +
        `  compile all nodes ${fmt(f.compileMs)} ms (${fmt(f.totalBytes / 1e6, 1)} MB), one node (--node ${f.oneNode}) ${fmt(f.compileOneNodeMs)} ms; peak RSS so far ${fmt(process.resourceUsage().maxRSS / 1024)} MB\n` +
        `  per node max/mean: rules ${fmt(f.rules.max)}/${fmt(f.rules.mean, 1)}, chains ${fmt(f.chains.max)}/${fmt(f.chains.mean, 1)}, sets ${fmt(f.sets.max)}/${fmt(f.sets.mean, 1)}, ` +
        `set elements ${fmt(f.setElements.max)}/${fmt(f.setElements.mean, 1)}, map elements ${fmt(f.mapElements.max)}/${fmt(f.mapElements.mean, 1)}, bytes ${fmt(f.bytes.max)}/${fmt(f.bytes.mean)}\n` +
        `  kernel: ${f.kernelLoadMs === null ? `skipped (${f.kernelSkipped})` : `nft -f ${f.largestNode} ${fmt(f.kernelLoadMs)} ms, reload ${fmt(f.kernelReloadMs)} ms`}`,
    );
  }
}
if (args.includes('--json')) console.log(JSON.stringify(out, null, 2));
