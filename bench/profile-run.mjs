// One compile in this process, for a profiler: load, resolve, emit and write as `npm run bench`
// measures them, printing the four times as JSON. For example
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-run.mjs bench/.data/kube-scale.json iptables
// (the profile of the main thread is the one whose name ends in .001; the other is the writer
// thread). Files go to a scratch directory in /dev/shm (or the temporary directory), removed at
// the end.
import { performance } from 'node:perf_hooks';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram, resolve } from '@netpolc/ir';
import { backends } from '../packages/cli/dist/backends.js';
import { StagedWriter } from '../packages/cli/dist/staged-writer.js';
import { fileContent } from '../packages/cli/dist/inputs.js';
const [file, backendName] = process.argv.slice(2);
const t0 = performance.now();
const loaded = loadProgram([{ path: file, content: fileContent(file) }]);
const t1 = performance.now();
const resolved = resolve(loaded.program);
const t2 = performance.now();
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'netpolc-profile-'));
const backend = backends[backendName];
const { options } = backend.parseOptions({ 'out-dir': dir });
const writer = new StagedWriter(dir);
const emitted = backend.emit({ program: loaded.program, resolved }, options, (b) => writer.addBatch(b));
for (const f of emitted.files) writer.add(f);
const t3 = performance.now();
await writer.commit();
const t4 = performance.now();
console.log(JSON.stringify({ load: t1 - t0, resolve: t2 - t1, emit: t3 - t2, write: t4 - t3 }));
rmSync(dir, { recursive: true, force: true });
