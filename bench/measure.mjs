// One measurement in a fresh process, so peak RSS is this measurement's own:
//   node bench/measure.mjs <input file> [backend]
// Prints JSON: parse floor (read + JSON.parse, or js-yaml for YAML), load, resolve, and with a
// backend: emit (all nodes, default options), write (files into a scratch directory), bytes and
// per-node figures.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import jsyaml from 'js-yaml';
import { loadProgram, resolve } from '@netpolc/ir';
import { backends } from '../packages/cli/dist/backends.js';
import { StagedWriter } from '../packages/cli/dist/staged-writer.js';
import { fileContent } from '../packages/cli/dist/inputs.js';
import { objectStats, perNodeStats } from './stats.mjs';

const [file, backendName] = process.argv.slice(2);
// Files are written to memory (tmpfs) when the machine has one, as the input is read from the
// page cache: the figure is the compiler's, not the disk's. On this project's VM, ext4 with
// online discard took 1 to 7 s, varying run to run, for the same 10,000 files. NETPOLC_BENCH_OUT
// picks a directory (a disk) instead.
const outBase = process.env.NETPOLC_BENCH_OUT || (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const json = file.endsWith('.json');

// The floor: reading the file and merely parsing it (JSON.parse, or js-yaml for YAML). In a
// function, as the load below: what a module's top level computes stays referenced until its
// next await (the parsed tree through the whole compile), which `netpolc compile` never does.
function floor() {
  // A text longer than V8's largest string cannot be read whole, let alone parsed: no floor.
  if (statSync(file).size > constants.MAX_STRING_LENGTH) return null;
  const f0 = performance.now();
  const text = readFileSync(file, 'utf8');
  if (json) JSON.parse(text);
  else jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA });
  return performance.now() - f0;
}
const floorMs = floor();

function load() {
  const content = fileContent(file);
  return { bytes: content instanceof Uint8Array ? content.length : content.size, loaded: loadProgram([{ path: file, content }]) };
}
const t0 = performance.now();
const { bytes, loaded } = load();
const t1 = performance.now();
const resolved = resolve(loaded.program);
const t2 = performance.now();
const out = {
  bytes,
  floorMs,
  loadMs: t1 - t0,
  resolveMs: t2 - t1,
  errors: loaded.diagnostics.filter((d) => d.severity === 'error').length,
  pods: resolved.pods.length,
  policies: loaded.program.policies.length,
  peerSets: resolved.peerSets.length,
};
if (backendName) {
  const backend = backends[backendName];
  const dir = mkdtempSync(join(outBase, 'netpolc-bench-'));
  out.outputDir = outBase;
  try {
    const { options } = backend.parseOptions({ 'out-dir': dir });
    // As `netpolc compile` does it: files stream to a writer thread while the next are built, so
    // `write` is only what remains to be written once the emit returns.
    const writer = new StagedWriter(dir);
    let outputBytes = 0;
    const put = (f) => {
      writer.add(f);
      outputBytes += Buffer.byteLength(f.content);
    };
    const putBatch = (b) => {
      writer.addBatch(b);
      for (const f of b.files) outputBytes += f.end - f.start;
    };
    const t3 = performance.now();
    const emitted = backend.emit({ program: loaded.program, resolved }, options, putBatch);
    for (const f of emitted.files) put(f);
    const t4 = performance.now();
    await writer.commit();
    const t5 = performance.now();
    // Peak RSS of the compile itself, before the files are read back for the counts.
    out.maxRssMb = process.resourceUsage().maxRSS / 1024;
    const written = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort()
      .map((path) => ({ path, content: readFileSync(join(dir, path), 'utf8') }));
    Object.assign(out, {
      emitMs: t4 - t3,
      writeMs: t5 - t4,
      totalMs: t5 - t0,
      files: written.length,
      outputBytes,
      diagnostics: emitted.diagnostics.length,
      perNode: perNodeStats(backendName, written),
      objects: backendName === 'calico' || backendName === 'cilium' ? objectStats(written).objects : undefined,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
out.maxRssMb ??= process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out));
