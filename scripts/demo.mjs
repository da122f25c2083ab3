#!/usr/bin/env node
// `npm run demo`: runs netpolc on the bundled example cluster and prints each command first.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const inputs = ['--inventory', 'examples/cluster.yaml', 'examples/policies'];
const steps = [
  ['validate', ...inputs],
  ['matrix', ...inputs],
  ['matrix', '--port', '8080', ...inputs],
  ['explain', '--from', 'production/frontend-7d9f-abcde', '--to', 'production/api-5c6b-pqrst', '--port', '8080', ...inputs],
  ['explain', '--from', 'production/api-5c6b-klmno', '--to', 'production/db-0', '--port', '5432', ...inputs],
  ['explain', '--from', '203.0.113.7', '--to', 'production/frontend-7d9f-abcde', '--port', '8080', ...inputs],
  // The proposed change in examples/policies-next: exit code 1 means "changes found".
  ['diff', '--inventory', 'examples/cluster.yaml', 'examples/policies', 'examples/policies-next'],
];
let failed = 0;
for (const args of steps) {
  process.stdout.write(`\n$ netpolc ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['packages/cli/bin/netpolc.js', ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 && !(args[0] === 'diff' && r.status === 1)) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
