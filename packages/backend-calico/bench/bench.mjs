#!/usr/bin/env node
// `node bench/bench.mjs [small|medium|large|kube-scale ...]` (after `npx tsc -b`): times the
// calico backend on the repository's synthetic workloads (bench/workloads.mjs, fixed seeds):
// load (JSON), lowering to the model, printing, and output size. Prints one line per workload.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgram } from '@netpolc/ir';
import { generate, workloads } from '../../../bench/workloads.mjs';
import { lowerProgram } from '../dist/lower.js';
import { parseOptions } from '../dist/options.js';
import { printObjects } from '../dist/print.js';

const dataDir = new URL('../../../bench/.data/', import.meta.url).pathname;
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['small', 'medium', 'large'];
const time = (f) => {
  const t = process.hrtime.bigint();
  const v = f();
  return [v, Number(process.hrtime.bigint() - t) / 1e6];
};
for (const name of names) {
  const file = join(dataDir, `${name}.json`);
  const content = existsSync(file) ? readFileSync(file) : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: generate(workloads[name]) });
  const [loaded, loadMs] = time(() => loadProgram([{ path: `${name}.json`, content }]));
  for (const mode of [{}, { tier: 'netpolc', log: 'all' }]) {
    const options = parseOptions(mode).options;
    const [lowered, lowerMs] = time(() => lowerProgram(loaded.program, options));
    const [text, printMs] = time(() => printObjects(lowered.objects));
    const rules = lowered.objects.reduce((n, o) => n + (o.kind === 'NetworkPolicy' ? (o.spec.ingress?.length ?? 0) + (o.spec.egress?.length ?? 0) : 0), 0);
    console.log(`${name.padEnd(10)} ${JSON.stringify(mode).padEnd(30)} policies ${loaded.program.policies.length}, objects ${lowered.objects.length}, rules ${rules}; load ${loadMs.toFixed(0)} ms, lower ${lowerMs.toFixed(0)} ms, print ${printMs.toFixed(0)} ms, ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB`);
  }
}
