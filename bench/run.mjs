#!/usr/bin/env node
// `npm run bench [-- --list | --only NAME[,NAME]]`: generates the synthetic workloads (cached in
// bench/.data, fixed seeds), measures each in a fresh process and prints the figures; also writes
// them to bench/results/latest.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generate, workloads } from './workloads.mjs';

const here = new URL('.', import.meta.url).pathname;
const dataDir = join(here, '.data');
const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const [name, w] of Object.entries(workloads)) console.log(`${name.padEnd(10)} ${w.pods} pods, ${w.namespaces} namespaces, ${w.policies} policies (seed ${w.seed})`);
  process.exit(0);
}
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1].split(',') : Object.keys(workloads);

function ensureData(name) {
  mkdirSync(dataDir, { recursive: true });
  const yamlPath = join(dataDir, `${name}.yaml`);
  const jsonPath = join(dataDir, `${name}.json`);
  if (!existsSync(yamlPath) || !existsSync(jsonPath)) {
    const objects = generate(workloads[name]);
    writeFileSync(jsonPath, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    writeFileSync(yamlPath, objects.map((o) => stringify(o)).join('---\n'));
  }
  return { yamlPath, jsonPath };
}

function measure(file) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', join(here, 'measure.mjs'), file], { encoding: 'utf8', cwd: join(here, '..') });
  if (r.status !== 0) throw new Error(`measurement of ${file} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const fmt = (ms) => (ms === null ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const results = {};
console.log('workload   input  size      load      resolve   JSON.parse floor  peak RSS   pods    policies  peer sets  tuples');
for (const name of only) {
  const { yamlPath, jsonPath } = ensureData(name);
  results[name] = {};
  for (const [format, path] of [['yaml', yamlPath], ['json', jsonPath]]) {
    const m = measure(path);
    results[name][format] = m;
    console.log(
      `${name.padEnd(10)} ${format.padEnd(6)} ${`${(m.bytes / 1e6).toFixed(1)} MB`.padEnd(9)} ${fmt(m.loadMs).padEnd(9)} ${fmt(m.resolveMs).padEnd(9)} ${fmt(m.parseFloorMs).padEnd(17)} ${`${m.maxRssMb.toFixed(0)} MB`.padEnd(10)} ${String(m.pods).padEnd(7)} ${String(m.policies).padEnd(9)} ${String(m.peerSets).padEnd(10)} ${m.tuples}`,
    );
  }
}
if (results.medium && results.large) {
  const ratio = results.large.json.resolveMs / results.medium.json.resolveMs;
  console.log(`\nresolution scaling large/medium: ${ratio.toFixed(2)}x for 5x the pods and policies (target <= 6x)`);
  results.scaling = { largeOverMedium: ratio };
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2) + '\n');
