#!/usr/bin/env node
// `npm run bench [-- --list | --only NAME[,NAME] | --backends NAME[,NAME] | --runs N]`: generates
// the synthetic workloads (cached in bench/.data as YAML and as a JSON List, fixed seeds), measures
// each in fresh processes (N of them per figure, default 1: the run of median ratio to its floor
// is reported, with the range of the ratios) and prints the figures; also writes them to
// bench/results/latest.json.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { descriptions, generate, workloads } from './workloads.mjs';

const here = new URL('.', import.meta.url).pathname;
const dataDir = join(here, '.data');
const args = process.argv.slice(2);
const usage = 'usage: npm run bench [-- --list | --only NAME[,NAME] | --backends NAME[,NAME] | --runs N]';
const backendsKnown = ['iptables', 'nftables', 'calico', 'cilium', 'none'];
// A mistyped flag ran every workload for minutes before: flags and names are checked first.
function usageError(message) {
  console.error(`bench: ${message}\n${usage}`);
  process.exit(2);
}
if (args.includes('--help') || args.includes('-h')) {
  console.log(`${usage}\nworkloads: ${Object.keys(workloads).join(', ')}\nbackends: ${backendsKnown.join(', ')}`);
  process.exit(0);
}
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--list') continue;
  if (!['--only', '--backends', '--runs'].includes(args[i])) usageError(`unknown argument ${args[i]}`);
  if (i + 1 >= args.length || args[i + 1].startsWith('--')) usageError(`${args[i]} takes a value`);
  i++;
}
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1].split(',') : fallback);
for (const w of opt('--only', [])) if (!(w in workloads)) usageError(`unknown workload ${w} (npm run bench -- --list)`);
for (const b of opt('--backends', [])) if (!backendsKnown.includes(b)) usageError(`unknown backend ${b} (${backendsKnown.join(', ')})`);
if (args.includes('--list')) {
  for (const [name, w] of Object.entries(workloads)) {
    console.log(`${name.padEnd(19)} ${String(w.pods).padStart(7)} pods ${String(w.namespaces).padStart(6)} ns ${String(w.policies).padStart(6)} policies  ${descriptions[name]}`);
  }
  process.exit(0);
}
const only = opt('--only', Object.keys(workloads));
const backendNames = opt('--backends', ['iptables', 'nftables', 'calico', 'cilium']).filter((b) => b !== 'none');

// Cached files are made again when the generator changes: a stamp holds the hash of its source.
const generatorHash = createHash('sha256').update(readFileSync(join(here, 'workloads.mjs'))).digest('hex').slice(0, 16);

function ensureData(name) {
  mkdirSync(dataDir, { recursive: true });
  const yamlPath = join(dataDir, `${name}.yaml`);
  const jsonPath = join(dataDir, `${name}.json`);
  const stampPath = join(dataDir, `${name}.stamp`);
  const fresh = existsSync(yamlPath) && existsSync(jsonPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === generatorHash;
  if (!fresh) {
    const objects = generate(workloads[name]);
    writeFileSync(jsonPath, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    writeFileSync(yamlPath, objects.map((o) => jsyaml.dump(o, { noRefs: true, lineWidth: -1 })).join('---\n'));
    writeFileSync(stampPath, generatorHash);
  }
  return { yamlPath, jsonPath };
}

// On a small shared VM one process's times vary by a fifth or more from run to run (the floor as
// much as the compile), so figures to compare are best taken over several runs.
const runs = Number(opt('--runs', ['1'])[0]);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a whole number of runs, at least 1');
  process.exit(2);
}

function measureOnce(file, backend) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', join(here, 'measure.mjs'), file, ...(backend ? [backend] : [])], { encoding: 'utf8', cwd: join(here, '..'), maxBuffer: 1 << 24 });
  if (r.status !== 0) return { failed: (r.stderr || r.stdout).split('\n').slice(-5).join(' ') };
  return JSON.parse(r.stdout);
}

/**
 * The run of median ratio to its floor among `runs` (whole compile with a backend, else load +
 * resolve), with the range of the ratios.
 */
function measure(file, backend) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const m = measureOnce(file, backend);
    if (m.failed) return m;
    all.push(m);
  }
  const ratio = (m) => (m.totalMs ?? m.loadMs + m.resolveMs) / m.floorMs;
  all.sort((a, b) => ratio(a) - ratio(b));
  const median = all[(all.length - 1) >> 1];
  return runs === 1 ? median : { ...median, runs, ratioRange: [ratio(all[0]), ratio(all[all.length - 1])] };
}

const s = (ms) => (ms === undefined ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(0)}ms`);
const mb = (b) => `${(b / 1e6).toFixed(1)}MB`;
const n = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const rangeText = (m) => (m.ratioRange ? ` (${m.ratioRange.map((x) => x.toFixed(1)).join('-')}x over ${m.runs} runs)` : '');
const results = {};
console.log('times: load = read + parse + validate; floor = read + JSON.parse (js-yaml for YAML); ratio = whole compile / floor');
console.log(`output written under ${process.env.NETPOLC_BENCH_OUT || (existsSync('/dev/shm') ? '/dev/shm (memory; NETPOLC_BENCH_OUT=DIR for a disk)' : 'the temporary directory')}`);
for (const name of only) {
  const { yamlPath, jsonPath } = ensureData(name);
  const r = (results[name] = { yaml: measure(yamlPath), json: measure(jsonPath), backends: {} });
  const y = r.yaml;
  const j = r.json;
  console.log(`\n${name}: ${n(j.pods)} pods, ${n(j.policies)} policies, ${n(j.peerSets)} peer sets; input ${mb(j.bytes)} JSON, ${mb(y.bytes)} YAML`);
  console.log(`  JSON: floor ${s(j.floorMs)}, load ${s(j.loadMs)}, resolve ${s(j.resolveMs)}, peak RSS ${n(j.maxRssMb)}MB`);
  console.log(`  YAML: js-yaml floor ${s(y.floorMs)}, load ${s(y.loadMs)}, resolve ${s(y.resolveMs)}, peak RSS ${n(y.maxRssMb)}MB`);
  for (const b of backendNames) {
    const m = (r.backends[b] = measure(jsonPath, b));
    if (m.failed) {
      console.log(`  ${b.padEnd(8)} failed: ${m.failed}`);
      continue;
    }
    const per = m.perNode ? `; per node rules ${n(m.perNode.rules.max)}/${n(m.perNode.rules.mean, 1)}, set elements ${n(m.perNode.elements.max)}/${n(m.perNode.elements.mean, 1)} (max/mean)` : `; ${n(m.objects)} objects`;
    console.log(
      `  ${b.padEnd(8)} emit ${s(m.emitMs)}, write ${s(m.writeMs)}, whole ${s(m.totalMs)} = ${(m.totalMs / m.floorMs).toFixed(1)}x floor${rangeText(m)}, peak RSS ${n(m.maxRssMb)}MB, ${m.files} files ${mb(m.outputBytes)}${per}`,
    );
  }
  // The whole compile from YAML too, for the firewall backends (the YAML target is against js-yaml).
  r.yamlBackends = {};
  for (const b of backendNames.filter((x) => x === 'iptables' || x === 'nftables')) {
    const m = (r.yamlBackends[b] = measure(yamlPath, b));
    if (m.failed) console.log(`  YAML ${b} failed: ${m.failed}`);
    else console.log(`  YAML ${b.padEnd(8)} emit ${s(m.emitMs)}, write ${s(m.writeMs)}, whole ${s(m.totalMs)} = ${(m.totalMs / m.floorMs).toFixed(1)}x js-yaml floor${rangeText(m)}, peak RSS ${n(m.maxRssMb)}MB`);
  }
}
if (results.medium && results.large) {
  const ratio = results.large.json.resolveMs / results.medium.json.resolveMs;
  console.log(`\nresolution scaling large/medium: ${ratio.toFixed(2)}x (5x the pods and policies; target <= 6x)`);
  results.scaling = { largeOverMedium: ratio };
}
if (results.large && results['kube-scale']) {
  const ratio = results['kube-scale'].json.resolveMs / results.large.json.resolveMs;
  console.log(`resolution scaling kube-scale/large: ${ratio.toFixed(2)}x (6x the pods, 4x the policies; target <= 7x)`);
  results.scaling = { ...results.scaling, kubeScaleOverLarge: ratio };
}
// Workloads measured now replace their earlier figures; the others are kept (`--only` runs).
mkdirSync(join(here, 'results'), { recursive: true });
const latest = join(here, 'results', 'latest.json');
const earlier = existsSync(latest) ? JSON.parse(readFileSync(latest, 'utf8')).results : {};
const merged = { ...earlier, ...results, scaling: { ...earlier.scaling, ...results.scaling } };
writeFileSync(latest, JSON.stringify({ date: new Date().toISOString(), node: process.version, results: merged }, null, 2) + '\n');
