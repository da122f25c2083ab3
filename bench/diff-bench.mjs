#!/usr/bin/env node
// Bench of `netpolc diff` (issue 7): two large (25k pods) policy sets that differ by one policy,
// and by 100 policies. Each case runs in a fresh process: node bench/diff-bench.mjs [workload]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, workloads } from './workloads.mjs';

const here = new URL('.', import.meta.url).pathname;
const dir = join(here, '.data', 'diff');
const name = process.argv[2] ?? 'large';
mkdirSync(dir, { recursive: true });
const objects = generate(workloads[name]);
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
const inventory = objects.filter((o) => o.kind !== 'NetworkPolicy');
const list = (items) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
writeFileSync(join(dir, 'inventory.json'), list(inventory));
writeFileSync(join(dir, 'base.json'), list(policies));
// A realistic change: each changed policy opens its frontend rule to port 8443 too, and
// tightens its DNS egress from 10.0.0.0/8 to 10.0.0.0/9.
const change = (p) => ({
  ...p,
  spec: {
    ...p.spec,
    ingress: [{ ...p.spec.ingress[0], ports: [...p.spec.ingress[0].ports, { protocol: 'TCP', port: 8443 }] }, ...p.spec.ingress.slice(1)],
    egress: [{ ...p.spec.egress[0], to: [{ ipBlock: { cidr: '10.0.0.0/9' } }] }],
  },
});
// The policies to change: evenly spread, each the only policy selecting its pods (a change to a
// policy that an identical one shadows changes no connection), so the diff has work to report.
const subjectKey = (p) => `${p.metadata.namespace}#${JSON.stringify(p.spec.podSelector)}`;
const subjects = new Map();
for (const p of policies) subjects.set(subjectKey(p), (subjects.get(subjectKey(p)) ?? 0) + 1);
const sole = policies.map((p, i) => i).filter((i) => subjects.get(subjectKey(policies[i])) === 1);
for (const k of [1, 100]) {
  const step = Math.floor(sole.length / k);
  const chosen = new Set(sole.filter((_, j) => j % step === 0).slice(0, k));
  writeFileSync(join(dir, `head-${k}.json`), list(policies.map((p, i) => (chosen.has(i) ? change(p) : p))));
}
for (const k of [1, 100]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', join(here, '..', 'packages/cli/bin/netpolc.js'), 'diff', '--format', 'json', '--inventory', join(dir, 'inventory.json'), join(dir, 'base.json'), join(dir, `head-${k}.json`)], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t0;
  const out = JSON.parse(r.stdout);
  const rss = spawnSync('sh', ['-c', `/usr/bin/time -f %M ${process.execPath} --max-old-space-size=8192 ${join(here, '..', 'packages/cli/bin/netpolc.js')} diff --format json --inventory ${join(dir, 'inventory.json')} ${join(dir, 'base.json')} ${join(dir, `head-${k}.json`)} > /dev/null`], { encoding: 'utf8' });
  const kb = Number(rss.stderr.trim().split('\n').pop());
  console.log(`${name}: ${k} changed polic${k === 1 ? 'y' : 'ies'}: exit ${r.status}, ${(ms / 1000).toFixed(2)} s, peak RSS ${Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : '?'}, ${out.summary.added} added / ${out.summary.removed} removed connections (${out.added.length + out.removed.length} JSON items)`);
}
