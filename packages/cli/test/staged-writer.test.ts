// The compile command's atomic writer: files are written on a worker thread once a compile has
// more than a handful, renamed into place only on commit, and never left behind on a failure.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, expect, it } from 'vitest';
import { FileAssembler, type FileBatch } from '@netpolc/ir';
import { StagedWriter } from '../src/staged-writer.js';
import { targetPath } from '../src/staged-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'netpolc-writer-'));
  dirs.push(d);
  return d;
}

function listAll(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

for (const count of [3, 200]) {
  it(`writes ${count} files (nested too) only when committed`, async () => {
    const out = join(scratch(), 'out');
    const w = new StagedWriter(out);
    const files = Array.from({ length: count }, (_, i) => ({ path: i % 2 ? `sub/f${i}.txt` : `f${i}.txt`, content: `file ${i}\n`.repeat(i + 1) }));
    for (const f of files) w.add(f);
    await w.commit();
    expect(w.count).toBe(count);
    const names = listAll(out).filter((n) => n !== 'sub');
    expect(names).toEqual(files.map((f) => f.path).sort());
    for (const f of files) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.content);
  });

  it(`leaves nothing behind when aborted (${count} files)`, async () => {
    const out = scratch();
    const w = new StagedWriter(out);
    for (let i = 0; i < count; i++) w.add({ path: `f${i}`, content: 'x' });
    await w.abort();
    expect(listAll(out)).toEqual([]);
  });
}

for (const count of [3, 200]) {
  it(`writes ${count} files handed over in shared-memory batches, and releases every batch`, async () => {
    const out = join(scratch(), 'out');
    const w = new StagedWriter(out);
    const batches: FileBatch[] = [];
    // Small blocks: many batches, and files of more than a block (a block of their own).
    const assembler = new FileAssembler(
      (b) => {
        batches.push(b);
        w.addBatch(b);
      },
      { arenaBytes: 2048 },
    );
    const files = Array.from({ length: count }, (_, i) => ({ path: i % 2 ? `sub/f${i}.txt` : `f${i}.txt`, content: `fïle ${i}\n`.repeat(i + 1) }));
    for (const f of files) assembler.add(f.path, (o) => o.push(f.content));
    assembler.finish();
    await w.commit();
    expect(w.count).toBe(count);
    for (const f of files) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.content);
    for (const b of batches) expect(new Int32Array(b.memory, 0, 1)[0]).toBe(0);
  });
}

for (const before of [2, 50]) {
  it(`fails and removes every staged file when one write fails (${before + 4} files)`, async () => {
    const out = scratch();
    // `blocked` is a file, so nothing can be written under `blocked/`.
    writeFileSync(join(out, 'blocked'), 'not a directory');
    const w = new StagedWriter(out);
    for (let i = 0; i < before; i++) w.add({ path: `ok${i}`, content: 'x' });
    w.add({ path: 'blocked/f', content: 'x' });
    for (let i = 0; i < 3; i++) w.add({ path: `late${i}`, content: 'x' });
    await expect(w.commit()).rejects.toThrow(/could not write the output files/);
    expect(listAll(out)).toEqual(['blocked']);
  });
}

for (const count of [3, 200]) {
  it(`replaces no file when a target is taken by a directory (${count} files)`, async () => {
    // Old code: the files renamed before the directory's turn stayed replaced (half a new output).
    const out = scratch();
    for (let i = 0; i < count; i++) writeFileSync(join(out, `f${i}`), 'old');
    mkdirSync(join(out, 'fdir'));
    const w = new StagedWriter(out);
    for (let i = 0; i < count; i++) w.add({ path: `f${i}`, content: 'new' });
    w.add({ path: 'fdir', content: 'new' });
    await expect(w.commit()).rejects.toThrow(/something other than a file is there \(nothing was written\)/);
    for (let i = 0; i < count; i++) expect(readFileSync(join(out, `f${i}`), 'utf8')).toBe('old');
    expect(listAll(out)).toEqual([...Array.from({ length: count }, (_, i) => `f${i}`), 'fdir'].sort());
  });
}

// Where making a directory answers ENOENT although its parent exists (procfs; a stale mount),
// Node's recursive mkdir loops forever: `netpolc compile --out-dir /proc/x` spun at 100% CPU.
// Run in a child process with a time limit, so that a regression fails instead of hanging the
// suite (a loop in synchronous code cannot be interrupted from the test).
it.runIf(existsSync('/proc/self'))('stops with an error, not a hang, where a directory cannot be made under an existing parent (/proc)', () => {
  const dist = new URL('../dist/staged-writer.js', import.meta.url).pathname;
  for (const count of [3, 200]) {
    const script = `
      const { StagedWriter } = await import(${JSON.stringify(dist)});
      const w = new StagedWriter('/proc/netpolc-test-nope/out');
      for (let i = 0; i < ${count}; i++) w.add({ path: 'sub/f' + i, content: 'x' });
      try { await w.commit(); console.log('committed'); } catch (e) { console.log(e.message); }`;
    // A file, not `-e`: `--input-type=module` would pass to the writer thread's CommonJS source.
    const file = join(scratch(), 'writer.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal, `${count} files: killed after 20 s`).toBeNull();
    expect(r.stdout.trim()).toBe("could not write the output files: ENOENT: no such file or directory, mkdir '/proc/netpolc-test-nope' (nothing was written)");
  }
});

// Ctrl-C while files are renamed into place left some new files next to old ones. The child
// sends itself SIGINT from inside the fifth rename (fs.renameSync wrapped, the ESM binding
// synced), so the signal surely arrives mid-loop.
it('holds Ctrl-C while the files are moved into place: every file lands, then the signal ends the process', () => {
  const dist = new URL('../dist/staged-writer.js', import.meta.url).pathname;
  const out = join(scratch(), 'out');
  const script = `
    import { createRequire, syncBuiltinESMExports } from 'node:module';
    const fs = createRequire(import.meta.url)('node:fs');
    const rename = fs.renameSync;
    let n = 0;
    fs.renameSync = (a, b) => { rename(a, b); if (++n === 5) process.kill(process.pid, 'SIGINT'); };
    syncBuiltinESMExports();
    const { StagedWriter } = await import(${JSON.stringify(dist)});
    const w = new StagedWriter(${JSON.stringify(out)});
    for (let i = 0; i < 200; i++) w.add({ path: 'f' + i, content: 'x' });
    await w.commit();
    console.log('not interrupted');`;
  const file = join(scratch(), 'interrupt.mjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  expect(r.signal).toBe('SIGINT');
  expect(r.stdout).toBe('');
  const names = readdirSync(out);
  expect(names.filter((n) => n.includes('netpolc-tmp'))).toEqual([]);
  expect(names).toHaveLength(200);
});

for (const count of [3, 200]) {
  it(`stages a file that replaces one privately, then gives it that file's mode; new files are created as any file (${count} files)`, () => {
    // The staged file of a 0600 target was 0644 (under umask 022) until the commit. New files are
    // not chmod-ed: a directory's default ACL decides their mode as for any file made there.
    const dist = new URL('../dist/staged-writer.js', import.meta.url).pathname;
    const out = join(scratch(), 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'f0'), 'old');
    chmodSync(join(out, 'f0'), 0o640);
    // A link to a private file elsewhere: replaced by a file of that mode, not a 0640 one.
    const elsewhere = join(scratch(), 'private');
    writeFileSync(elsewhere, 'secret');
    chmodSync(elsewhere, 0o600);
    symlinkSync(elsewhere, join(out, 'f1'));
    const script = `
      import { createRequire, syncBuiltinESMExports } from 'node:module';
      const fs = createRequire(import.meta.url)('node:fs');
      process.umask(0o027);
      const chmod = fs.chmodSync;
      const staged = {};
      fs.chmodSync = (p, m) => { staged[p.split('/').pop().split('.')[0]] = fs.statSync(p).mode & 0o7777; chmod(p, m); };
      syncBuiltinESMExports();
      const { StagedWriter } = await import(${JSON.stringify(dist)});
      const w = new StagedWriter(${JSON.stringify(out)});
      for (let i = 0; i < ${count}; i++) w.add({ path: 'f' + i, content: 'x' });
      await w.commit();
      console.log(JSON.stringify(staged));`;
    const file = join(scratch(), 'modes.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ f0: 0o600, f1: 0o600 });
    expect(statSync(join(out, 'f0')).mode & 0o7777).toBe(0o640);
    expect(lstatSync(join(out, 'f1')).isFile()).toBe(true);
    expect(statSync(join(out, 'f1')).mode & 0o7777).toBe(0o600);
    for (let i = 2; i < count; i++) expect(statSync(join(out, `f${i}`)).mode & 0o7777).toBe(0o640);
  });
}

it('stages files in the root directory / (a prefix check once refused every one)', async () => {
  const w = new StagedWriter('/');
  w.add({ path: 'netpolc-test-never-written', content: 'x' });
  expect(w.count).toBe(1);
  // Held in memory (a small output): aborting writes nothing.
  await w.abort();
  expect(existsSync('/netpolc-test-never-written')).toBe(false);
});

it('removes the files an interrupted run staged, and only those (Ctrl-C left thousands behind)', async () => {
  const out = scratch();
  mkdirSync(join(out, 'sub'));
  const gone = spawnSync('true').pid!; // a process that has exited
  const stale = [`f1.netpolc-tmp-${gone}-1700000000000`, `sub/f2.netpolc-tmp-${gone}-1700000000001`, `f3.netpolc-tmp-${process.pid}-1`];
  // pid 1 is running: a compile of another process writing here now. `other`: a writer of this
  // process that has not finished.
  const kept = ['f4.netpolc-tmp-1-1700000000000', 'notes.txt', 'f5.netpolc-tmp-x-1'];
  for (const name of [...stale, ...kept]) writeFileSync(join(out, name), 'x');
  const other = new StagedWriter(out);
  for (let i = 0; i < 20; i++) other.add({ path: `o${i}`, content: 'x' });
  const w = new StagedWriter(out);
  for (let i = 0; i < 20; i++) w.add({ path: i % 2 ? `sub/w${i}` : `w${i}`, content: 'x' });
  expect(await w.commit()).toBe(3);
  for (const name of stale) expect(existsSync(join(out, name)), name).toBe(false);
  for (const name of kept) expect(existsSync(join(out, name)), name).toBe(true);
  await other.commit();
  expect(listAll(out).filter((n) => n.includes('netpolc-tmp'))).toEqual(['f4.netpolc-tmp-1-1700000000000', 'f5.netpolc-tmp-x-1']);
  expect(listAll(out)).toHaveLength(1 + 20 + 20 + kept.length); // sub, w…, o…, kept
});

it('makes the output directory of an output without files ("wrote 0 files to DIR" left no DIR)', async () => {
  const out = join(scratch(), 'a', 'b');
  expect(await new StagedWriter(out).commit()).toBe(0);
  expect(listAll(out)).toEqual([]);
  const blocked = join(scratch(), 'file');
  writeFileSync(blocked, 'x');
  await expect(new StagedWriter(blocked).commit()).rejects.toThrow(`could not write the output files: ${blocked} exists and is not a directory (nothing was written)`);
});

it('says where a link that stands for the output directory leads when no directory is there (it said EEXIST, mkdir)', async () => {
  const dir = scratch();
  symlinkSync('loop', join(dir, 'loop'));
  symlinkSync('nowhere/deeper', join(dir, 'dangling'));
  for (const [name, to] of [['loop', 'loop'], ['dangling', 'nowhere/deeper']] as const) {
    const w = new StagedWriter(join(dir, name));
    w.add({ path: 'f', content: 'x' });
    await expect(w.commit()).rejects.toThrow(`could not write the output files: ${join(dir, name)} exists and is not a directory (a link to ${to}, which leads to no directory: it dangles or loops) (nothing was written)`);
  }
  expect(readdirSync(dir).sort()).toEqual(['dangling', 'loop']);
});

it('stages targets whose names leave no room for the temporary suffix (a 240-character node name failed with ENAMETOOLONG)', async () => {
  const out = scratch();
  // Two names of 250 bytes that differ only at the end: their shortened temporary names must not collide.
  const names = ['a', 'b'].map((c) => `${'n'.repeat(240)}.iptable${c}`);
  for (const holds of [true, false]) {
    const w = new StagedWriter(out);
    // Nine files or more go through the writer thread.
    const files = holds ? names : [...names, ...Array.from({ length: 9 }, (_, i) => `f${i}`)];
    for (const path of files) w.add({ path, content: `${path} ${holds}` });
    await w.commit();
    for (const path of names) expect(readFileSync(join(out, path), 'utf8')).toBe(`${path} ${holds}`);
    expect(listAll(out).filter((n) => n.includes('netpolc-tmp'))).toEqual([]);
  }
});

it('refuses a path outside the output directory', () => {
  const root = scratch();
  mkdirSync(join(root, 'out'));
  const w = new StagedWriter(join(root, 'out'));
  expect(() => w.add({ path: '../escape', content: 'x' })).toThrow(/outside the output directory/);
  expect(() => w.add({ path: '../out-sibling/x', content: 'x' })).toThrow(/outside the output directory/);
});

it('joins output paths as path.resolve does', () => {
  const segment = fc.stringMatching(/^[a-z.\-_/]{0,6}$/);
  fc.assert(
    fc.property(fc.constantFrom('/', '/tmp/out', '/a/b-c.d'), fc.array(segment, { minLength: 1, maxLength: 4 }), (root, parts) => {
      const path = parts.join('/');
      expect(targetPath(root, path)).toBe(resolve(root, path));
    }),
    { numRuns: 2000 },
  );
  expect(targetPath('/out', 'node-1/ipv4.rules')).toBe('/out/node-1/ipv4.rules');
});
