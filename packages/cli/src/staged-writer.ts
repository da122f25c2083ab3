import { chmodSync, existsSync, lstatSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { releaseBatch, type EmitFile, type FileBatch } from '@netpolc/ir';
import { OutputError } from './io.js';
import { count } from './count.js';
import { fileHead, isRunning, makeDirectories, stagedName, stagedPath, targetPath } from './staged-files.js';

// The writer thread: writes each file to its temporary name as it arrives and reports, when
// told the stream ended, the first error. Directories are made by the main thread before it
// hands files over. Inline source, so it runs the same from `dist` and from the TypeScript
// sources under test.
const writerSource = `
const { parentPort } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
let error;
function write(tmp, content, mode) {
  if (error) return;
  try {
    writeFileSync(tmp, content, { mode, flag: 'wx' });
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
}
parentPort.on('message', (m) => {
  if (m.end) {
    parentPort.postMessage({ error });
  } else if (m.memory) {
    const bytes = new Uint8Array(m.memory);
    for (const f of m.files) write(f.tmp, bytes.subarray(f.start, f.end), f.mode);
    // The batch's memory goes back to the backend (FileBatch in @netpolc/ir).
    Atomics.store(new Int32Array(m.memory, 0, 1), 0, 0);
  } else {
    write(m.tmp, m.content, m.mode);
  }
});
`;

/**
 * The mode a staged file is created with: readable by its owner only when a file is at its
 * target (directly or through a link), whose mode it takes at commit (a 0600 snapshot's next
 * content must not be readable by others meanwhile); else as any new file (0666 under the umask
 * and the directory's default ACL, which a later chmod would override).
 */
const privateMode = 0o600;
const newFileMode = 0o666;

/** The file at `path`, directly or through links (none for a path under a file or a loop). */
function fileAt(path: string): Stats | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

/** Signals held while the staged files are renamed into place (see commitStaged). */
const heldSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The suffixes of this process's writers that have not finished: their files are never stale. */
const active = new Set<string>();

/** Up to this many files (a small compile) are written by the main thread, without a thread. */
const threadThreshold = 8;

/**
 * Writes output files atomically: each goes to a temporary name next to its target and is renamed
 * into place only after all were written, so a failure never leaves partial files. Files are
 * written on a worker thread while the backend builds the next ones (a kube-scale compile writes
 * 500 MB in 10 000 files); small outputs are written in the main thread.
 */
export class StagedWriter {
  private readonly root: string;
  private readonly suffix = `.netpolc-tmp-${process.pid}-${Date.now()}`;
  private readonly staged: [string, string][] = [];
  /** The mode each staged file is created with (see privateMode). */
  private readonly modes: number[] = [];
  private readonly held: { tmp: string; content: string | Uint8Array; mode: number }[] = [];
  private worker: Worker | undefined;
  /** Directories made (or failed) so far, and the first failure, reported on commit. */
  private readonly dirs = new Set<string>();
  private dirError: string | undefined;

  constructor(outDir: string) {
    this.root = resolve(outDir);
    active.add(this.suffix);
  }

  /** The target paths of the files added so far. */
  targets(): string[] {
    return this.staged.map(([, target]) => target);
  }

  /** Number of files added so far. */
  get count(): number {
    return this.staged.length;
  }

  /** Stages one file (its write may still be in flight). */
  add(file: EmitFile): void {
    const { tmp, mode } = this.stage(file.path);
    if (this.hold(1)) this.held.push({ tmp, content: file.content, mode });
    else this.post({ tmp, content: file.content, mode });
  }

  /** Stages a batch of files in shared memory, and releases the batch once written. */
  addBatch(batch: FileBatch): void {
    const files = batch.files.map((f) => ({ ...this.stage(f.path), start: f.start, end: f.end }));
    if (this.hold(files.length)) {
      // Copied out: the backend reuses the memory as soon as it is released.
      for (const f of files) this.held.push({ tmp: f.tmp, content: Buffer.from(new Uint8Array(batch.memory, f.start, f.end - f.start)), mode: f.mode });
      releaseBatch(batch);
    } else {
      const worker = this.thread();
      for (const f of files) this.ensureDirectory(dirname(f.tmp));
      worker.postMessage({ memory: batch.memory, files });
    }
  }

  /** Hands one file to the writer thread, its directory made first. */
  private post(file: { tmp: string; content: string | Uint8Array; mode: number }): void {
    const worker = this.thread();
    this.ensureDirectory(dirname(file.tmp));
    worker.postMessage(file);
  }

  /** Makes a directory of staged files once; a failure is kept for {@link commit}. */
  private ensureDirectory(dir: string): void {
    if (this.dirs.has(dir)) return;
    this.dirs.add(dir);
    try {
      makeDirectories(dir);
    } catch (e) {
      this.dirError ??= e instanceof Error ? e.message : String(e);
    }
  }

  /** The temporary name of a file and the mode it is created with, recorded for the rename. */
  private stage(path: string): { tmp: string; mode: number } {
    const target = targetPath(this.root, path);
    // The root itself ends in '/' only when it is '/'.
    const prefix = this.root.endsWith('/') ? this.root : `${this.root}/`;
    if (target !== this.root && !target.startsWith(prefix)) throw new Error(`refusing to write outside the output directory: ${path}`);
    const tmp = stagedPath(target, this.suffix, this.staged.length);
    this.staged.push([tmp, target]);
    const mode = fileAt(target) ? privateMode : newFileMode;
    this.modes.push(mode);
    return { tmp, mode };
  }

  /** Whether `count` more files are still a small output, held in memory. */
  private hold(count: number): boolean {
    return !this.worker && this.held.length + count <= threadThreshold;
  }

  /** The writer thread, started on first use with the files held so far. */
  private thread(): Worker {
    if (!this.worker) {
      this.worker = new Worker(writerSource, { eval: true });
      for (const h of this.held.splice(0)) this.post(h);
    }
    return this.worker;
  }

  /**
   * Waits for every write, then renames every file into place; on a failure removes them all.
   * Returns how many files an interrupted earlier run had staged in the same directories, which
   * it then removes ({@link removeInterrupted}).
   */
  async commit(): Promise<number> {
    try {
      return await this.commitStaged();
    } finally {
      active.delete(this.suffix);
    }
  }

  private async commitStaged(): Promise<number> {
    // An output of no files still makes its directory: `wrote 0 files to DIR` and no DIR would
    // break the next step (`kubectl apply -f DIR`, a reload script).
    if (this.staged.length === 0) this.ensureDirectory(this.root);
    const error = await this.finishWrites();
    if (error !== undefined) {
      this.removeStaged();
      throw new OutputError(`could not write the output files: ${error} (nothing was written)`);
    }
    // A target taken by a directory (or anything but a file) would fail its rename after the
    // files before it were replaced: refuse before the first one, so nothing changes.
    // So would a link to one, or to a system file (`-o /dev/stdout`, a link to /proc/self/fd/1):
    // the rename would replace the link itself.
    // What each target is now, read once: for this check and for the modes kept below.
    const existing = this.staged.map(([, target]) => lstatSync(target, { throwIfNoEntry: false }));
    const at = existing.findIndex((st, i) => {
      if (st === undefined || st.isFile()) return false;
      if (!st.isSymbolicLink()) return true;
      const target = this.staged[i]![1];
      const to = statSync(target, { throwIfNoEntry: false });
      return (to !== undefined && !to.isFile()) || /^\/(dev|proc|sys)(\/|$)/.test(resolve(dirname(target), readlinkSync(target)));
    });
    if (at >= 0) {
      this.removeStaged();
      const target = this.staged[at]![1];
      const link = existing[at]!.isSymbolicLink() ? ` (a link to ${readlinkSync(target)}; for standard output give -)` : '';
      throw new OutputError(`could not write ${target}: something other than a file is there${link} (nothing was written)`);
    }
    let moved = 0;
    // Ctrl-C (or a TERM, a HUP) while the files are moved into place would leave some nodes'
    // new files next to others' old ones (9 000 renames take about 0.3 s): such a signal is held
    // until every file is in place, then takes effect. A KILL cannot be held.
    const held: NodeJS.Signals[] = [];
    const hold = (signal: NodeJS.Signals): void => void held.push(signal);
    for (const signal of heldSignals) process.on(signal, hold);
    try {
      for (const [i, [tmp, target]] of this.staged.entries()) {
        // A file replaced keeps its permissions (a 0600 snapshot stays private), also one a link
        // there leads to (the link becomes a file of that mode). A file staged private whose
        // target went meanwhile gets a new file's mode.
        const replaced = existing[i];
        const mode = replaced?.isFile() ? replaced.mode : replaced?.isSymbolicLink() ? fileAt(target)?.mode : undefined;
        if (mode !== undefined) chmodSync(tmp, mode & 0o7777);
        else if (this.modes[i] === privateMode) chmodSync(tmp, newFileMode & ~process.umask());
        renameSync(tmp, target);
        moved++;
      }
    } catch (e) {
      // Not foreseen above (permissions changed meanwhile, say): say how far it got.
      this.removeStaged();
      const done = moved === 0 ? 'nothing was written' : `${count(moved, 'file')} of ${this.staged.length} had already been replaced, the first ${this.staged[0]![1]}`;
      throw new OutputError(`could not move the output files into place: ${e instanceof Error ? e.message : String(e)} (${done})`);
    } finally {
      // A signal that came during the renames reaches `hold` in the next poll of the event loop:
      // the first hop may still be this turn's check phase, the second follows a poll.
      for (let hop = 0; hop < 2; hop++) await new Promise<void>((done) => setImmediate(done));
      for (const signal of heldSignals) process.off(signal, hold);
      if (held.length > 0) process.kill(process.pid, held[0]);
    }
    return this.removeInterrupted();
  }

  /**
   * Removes the staged files of runs that were interrupted (Ctrl-C, a kill, running out of
   * memory) in the directories this one wrote: their temporary names never became files of the
   * output, and nothing else would remove them. A file counts as such when the process its name
   * records is gone, or is this one under an earlier start (containers reuse small pids); files
   * of a live compile writing the same directory stay.
   */
  private removeInterrupted(): number {
    let removed = 0;
    for (const dir of this.dirs) {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const staged = stagedName.exec(entry.name);
        if (!staged || !entry.isFile() || active.has(staged[1]!)) continue;
        const pid = Number(staged[2]);
        if (pid !== process.pid && isRunning(pid)) continue;
        try {
          unlinkSync(join(dir, entry.name));
          removed++;
        } catch {
          // Removed meanwhile, or not ours to remove: left as it is.
        }
      }
    }
    return removed;
  }

  /**
   * After {@link commit}: removes the files of the output directory that `owns` claims (by name,
   * then by their first 512 bytes, read only for a name it claims) and this compile did not
   * write, and returns their names, sorted.
   */
  removeLeftovers(owns: (path: string, head: () => string) => boolean): string[] {
    const written = new Set(this.staged.map(([, target]) => target));
    const removed: string[] = [];
    // No directory (a compile without files into a new one): nothing was left there.
    if (!existsSync(this.root)) return removed;
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      const path = targetPath(this.root, entry.name);
      if (!entry.isFile() || written.has(path)) continue;
      try {
        if (!owns(entry.name, () => fileHead(path))) continue;
        unlinkSync(path);
      } catch (e) {
        throw new OutputError(`wrote the output files, but could not remove ${path}, left from an earlier compile: ${e instanceof Error ? e.message : String(e)}`);
      }
      removed.push(entry.name);
    }
    return removed.sort();
  }

  /** Waits for the writes in flight and removes every staged file. */
  async abort(): Promise<void> {
    active.delete(this.suffix);
    if (!this.worker) {
      // A small output is still held in memory: nothing was written, nothing to remove.
      this.held.length = 0;
      return;
    }
    await this.finishWrites();
    this.removeStaged();
  }

  private async finishWrites(): Promise<string | undefined> {
    if (!this.worker) {
      const held = this.held.splice(0);
      for (const h of held) this.ensureDirectory(dirname(h.tmp));
      if (this.dirError !== undefined) return this.dirError;
      try {
        for (const h of held) writeFileSync(h.tmp, h.content, { mode: h.mode, flag: 'wx' });
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    }
    const worker = this.worker;
    this.worker = undefined;
    try {
      return await new Promise<string | undefined>((done, fail) => {
        worker.once('message', (m: { error?: string }) => done(this.dirError ?? m.error));
        worker.once('error', fail);
        worker.postMessage({ end: true });
      });
    } finally {
      await worker.terminate();
    }
  }

  private removeStaged(): void {
    for (const [tmp] of this.staged) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Never written (its directory could not be made): nothing to remove.
      }
    }
  }
}

