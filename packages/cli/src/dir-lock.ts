// An advisory lock on a compile's output directory. Two compiles committing into one directory
// at once removed each other's files: the first one's removal of files it no longer answers for
// took the second one's fresh `.ip6tables` files, leaving nodes without IPv6 rules (which the
// reload script then unhooks). With the lock, their renames and removals take turns, and the
// directory ends as one of them left it.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutputError } from './io.js';
import { isRunning, makeDirectories } from './staged-files.js';

/** The lock's name: hidden, so that no reader of the directory takes it for an output. */
export const lockName = '.netpolc-lock';

/** This process, as the lock records it: pid and start time (containers reuse small pids). */
const holder = `${process.pid} ${Math.round(performance.timeOrigin)}`;

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  readonly waitMs?: number;
  readonly pollMs?: number;
}

/**
 * Runs `work` holding `dir`'s lock, waiting while another live process holds it. A lock whose
 * process is gone (a killed compile) is taken over. Where no lock can be made (a read-only
 * directory, one that cannot be made), `work` runs without it and reports its own error.
 */
export async function withDirectoryLock<T>(dir: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = join(dir, lockName);
  const waitMs = options.waitMs ?? 120_000;
  const started = Date.now();
  let locked = false;
  for (;;) {
    try {
      makeDirectories(dir);
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${holder}\n`);
      } finally {
        closeSync(fd);
      }
      locked = true;
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') break;
    }
    const seen = readHolder(path);
    if (seen === undefined) continue; // released meanwhile
    const pid = Number(seen.split(' ')[0]);
    // Gone, garbled, or this pid under another start (a reused pid): a lock nobody holds.
    const stale = !Number.isInteger(pid) || pid <= 0 || (pid === process.pid ? seen !== holder : !isRunning(pid));
    if (stale) {
      // One that cannot be removed (another user's in a sticky directory, a directory of that
      // name) is treated as when no lock can be made: the work runs without it (retrying would
      // spin forever).
      if (readHolder(path) === seen && !unlinkQuietly(path)) break;
      continue;
    }
    if (Date.now() - started > waitMs) {
      throw new OutputError(`another netpolc (pid ${pid}) has held ${path} for over ${Math.round(waitMs / 1000)} s while writing ${dir}; remove the file if that process is not a compile (nothing was written)`);
    }
    await sleep(options.pollMs ?? 50);
  }
  try {
    return await work();
  } finally {
    if (locked && readHolder(path) === holder) unlinkQuietly(path);
  }
}

/** The lock's text; undefined when there is none, '' when it cannot be read (garbled, then). */
function readHolder(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '';
  }
}

/** Removes a file; false when it is still there. */
function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
