// The output directory's lock: compiles take turns at renaming and removing files.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { lockName, withDirectoryLock } from '../src/dir-lock.js';
import { scratchPerTest } from './scratch.js';

let dir = '';
scratchPerTest('netpolc-lock-', (d) => (dir = d));
const scratch = (): string => dir;

it('holds the lock while the work runs and removes it after, also when the work fails', async () => {
  const dir = join(scratch(), 'out');
  const seen = await withDirectoryLock(dir, async () => readFileSync(join(dir, lockName), 'utf8'));
  expect(seen).toMatch(new RegExp(`^${process.pid} \\d+\\n$`));
  expect(existsSync(join(dir, lockName))).toBe(false);
  await expect(withDirectoryLock(dir, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(existsSync(join(dir, lockName))).toBe(false);
});

it('waits while a live process holds the lock, and goes on once that process is gone', async () => {
  const dir = scratch();
  const child = spawn('sleep', ['30']);
  writeFileSync(join(dir, lockName), `${child.pid} 1\n`);
  let ran = false;
  const work = withDirectoryLock(dir, async () => void (ran = true), { pollMs: 10 });
  await new Promise((r) => setTimeout(r, 300));
  expect(ran).toBe(false);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await work;
  expect(ran).toBe(true);
  expect(existsSync(join(dir, lockName))).toBe(false);
});

it('takes over a lock whose process is gone, or that records this pid under another start (a reused pid)', async () => {
  const dir = scratch();
  const gone = spawnSync('true').pid!;
  for (const stale of [`${gone} 1700000000000`, `${process.pid} 1`, 'garbled']) {
    writeFileSync(join(dir, lockName), `${stale}\n`);
    expect(await withDirectoryLock(dir, async () => 'ran')).toBe('ran');
    expect(existsSync(join(dir, lockName))).toBe(false);
  }
});

it('gives up after the wait with an error naming the holder and the file, and leaves its lock alone', async () => {
  const dir = scratch();
  const child = spawn('sleep', ['30']);
  try {
    writeFileSync(join(dir, lockName), `${child.pid} 1\n`);
    await expect(withDirectoryLock(dir, async () => 'ran', { waitMs: 200, pollMs: 20 })).rejects.toThrow(`another netpolc (pid ${child.pid}) has held ${join(dir, lockName)}`);
    expect(readFileSync(join(dir, lockName), 'utf8')).toBe(`${child.pid} 1\n`);
  } finally {
    child.kill('SIGKILL');
  }
});

it('runs without the lock where none can be made (the work reports its own error)', async () => {
  const file = join(scratch(), 'file');
  writeFileSync(file, 'x');
  expect(await withDirectoryLock(join(file, 'out'), async () => 'ran')).toBe('ran');
});

// As another user: root may remove any file. The lock belongs to a process that is gone, in a
// directory the test's user cannot write (run through setpriv as nobody when the suite is root).
it('runs without the lock when a stale one cannot be removed, instead of retrying forever', () => {
  const dist = new URL('../dist/dir-lock.js', import.meta.url).pathname;
  const locked = join(scratch(), 'out');
  mkdirSync(locked);
  writeFileSync(join(locked, lockName), `${spawnSync('true').pid!} 1\n`);
  const script = join(scratch(), 'stale.mjs');
  writeFileSync(script, `const { withDirectoryLock } = await import(${JSON.stringify(dist)});\nconsole.log(await withDirectoryLock(${JSON.stringify(locked)}, async () => 'ran'));\n`);
  chmodSync(scratch(), 0o755);
  chmodSync(script, 0o644);
  chmodSync(locked, 0o555);
  const asRoot = process.getuid?.() === 0;
  const argv = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, script] : [process.execPath, script];
  try {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal, 'spun until killed').toBeNull();
    expect(r.stdout).toBe('ran\n');
    expect(existsSync(join(locked, lockName))).toBe(true);
  } finally {
    chmodSync(locked, 0o755);
  }
});

it('runs without the lock when something that is no lock file has its name (a directory), instead of retrying forever', async () => {
  mkdirSync(join(scratch(), lockName));
  expect(await withDirectoryLock(scratch(), async () => 'ran')).toBe('ran');
  expect(existsSync(join(scratch(), lockName))).toBe(true);
});
