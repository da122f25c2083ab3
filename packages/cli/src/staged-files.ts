// File-system pieces of the staged writer: directories, staged names, processes, file heads.
import { closeSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, written out. Node's own (`mkdirSync(dir, { recursive: true })`, Node 20 and 22)
 * spins forever when a parent exists but making its child answers ENOENT, as under /proc or a
 * stale mount: `--out-dir /proc/x` hung at 100% CPU. Here a second ENOENT, once the parent
 * exists, is final.
 */
export function makeDirectories(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (isDirectory(dir)) return;
      throw new Error(`${dir} exists and is not a directory${linkNote(dir)}`);
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
    makeDirectories(parent);
    mkdirSync(dir);
  }
}

/** For a path that is a link: where it leads, and that no directory is there (dangling, or a loop). */
function linkNote(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? ` (a link to ${readlinkSync(path)}, which leads to no directory: it dangles or loops)` : '';
  } catch {
    return '';
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A staged file's name: `<target>.netpolc-tmp-<pid>-<start time in ms>` (see StagedWriter). */
export const stagedName = /(\.netpolc-tmp-(\d+)-\d+)$/;

/** The longest file name (a path segment) in bytes that Linux file systems take (NAME_MAX). */
const maxNameBytes = 255;

/**
 * The temporary name of the `index`th target: the target's name and the suffix, or, where that
 * would be longer than a file name may be (a 240-character node name), the name cut short and
 * made unique by its index, so that every target that fits may also be staged.
 */
export function stagedPath(target: string, suffix: string, index: number): string {
  const slash = target.lastIndexOf('/');
  const name = target.slice(slash + 1);
  if (Buffer.byteLength(name) + suffix.length <= maxNameBytes) return `${target}${suffix}`;
  const tag = `~${index}`;
  // Cut by characters to a byte budget: a name is ASCII in practice, UTF-8 is counted anyway.
  let short = name.slice(0, maxNameBytes - suffix.length - tag.length);
  while (Buffer.byteLength(short) + tag.length + suffix.length > maxNameBytes) short = short.slice(0, -1);
  return `${target.slice(0, slash + 1)}${short}${tag}${suffix}`;
}

/** Whether a process of this pid exists (one of another user's counts: EPERM). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A relative path of plain names (no `.` or `..` segment, no empty one): what backends write. */
const plainPath = /^[\w-][\w.-]*(?:\/[\w-][\w.-]*)*$/;

/**
 * `resolve(root, path)` for an absolute, normalised `root`; plain paths are joined without
 * `resolve` (a kube-scale profile: 84 ms in `resolve` for 10 000 files, 35 ms joined).
 */
export function targetPath(root: string, path: string): string {
  return root !== '/' && plainPath.test(path) ? `${root}/${path}` : resolve(root, path);
}

/** The first 512 bytes of a file, decoded. */
export function fileHead(path: string): string {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  try {
    return head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}
