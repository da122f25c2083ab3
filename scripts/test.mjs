#!/usr/bin/env node
// `npm test`: builds, runs every package's vitest suite through turbo, then prints the one line
// CI reads: `N passed, N failed, N skipped`. Vitest's own summary is per package; this sums the
// JSON reports (test-results.json) each package writes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystemTools } from './system-tools.mjs';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
ensureSystemTools();

const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json')));
for (const p of packages) rmSync(join(root, 'packages', p, 'test-results.json'), { force: true });

const extra = process.argv.slice(2);
const run = spawnSync('npx', ['turbo', 'run', 'test', '--continue', '--output-logs=new-only', ...extra], { cwd: root, env, stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const p of packages) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const file = join(root, 'packages', p, 'test-results.json');
  if (!existsSync(file)) {
    missing.push(p);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  // A suite that fails to load (syntax error, bad import) has no tests but must still fail.
  const brokenSuites = (r.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).every((a) => a.status !== 'failed')).length;
  failed += brokenSuites;
}
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(', ')} (counted as failed)`);
  failed += missing.length;
}
if (run.status !== 0 && failed === 0) {
  console.log(`turbo exited with ${run.status} (build or test runner failure; counted as failed)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
