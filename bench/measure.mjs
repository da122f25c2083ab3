// One measurement in a fresh process (so peak RSS is this measurement's own):
// node bench/measure.mjs <file> -> prints JSON figures on stdout.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadProgram, resolve } from '@netpolc/ir';

const file = process.argv[2];
const t0 = performance.now();
const content = readFileSync(file);
const tRead = performance.now();
let parseFloor = null;
if (file.endsWith('.json')) {
  const p0 = performance.now();
  JSON.parse(readFileSync(file, 'utf8'));
  parseFloor = performance.now() - p0 + (tRead - t0);
}
const t1 = performance.now();
const loaded = loadProgram([{ path: file, content }]);
const t2 = performance.now();
const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
const resolved = resolve(loaded.program);
const t3 = performance.now();
let tuples = 0;
let isolated = 0;
for (const dir of [resolved.ingress, resolved.egress]) {
  for (const d of dir) {
    tuples += d.tuples.length;
    if (d.isolated) isolated++;
  }
}
process.stdout.write(
  JSON.stringify({
    bytes: content.length,
    readMs: tRead - t0,
    parseFloorMs: parseFloor,
    loadMs: t2 - t1 + (tRead - t0),
    resolveMs: t3 - t2,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    errors,
    pods: resolved.pods.length,
    policies: loaded.program.policies.length,
    peerSets: resolved.peerSets.length,
    tuples,
    isolatedDirections: isolated,
  }),
);
