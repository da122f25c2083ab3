import { closeSync, fstatSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { compareValues, maxStringLength, type ByteSource, type InputSource } from '@netpolc/ir';
import { InputError, UsageError, type Io } from './io.js';

const extensions = ['.yaml', '.yml', '.json'];

/**
 * `from`: files larger than this are read window by window where the loader needs their bytes,
 * never whole: a string cannot hold them anyway, and `kubectl get -o json` of a cluster near
 * Kubernetes' 150k-pod limit is 1-2 GB. `spoolFrom`: standard input longer than this goes to a
 * temporary file as it comes, rather than gathered in memory and copied into one buffer (a
 * 739 MB pipe peaked at 1.09 GB spooled from 512 MiB on). Mutable for tests only.
 */
export const fileWindows = { from: maxStringLength, spoolFrom: 64 << 20 };

/** The bytes of a file, or for a file larger than `fileWindows.from`, a source of them. */
export function fileContent(file: string, shown = file): Uint8Array | ByteSource {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    return stat.size > fileWindows.from ? fileSource(file, shown, stat) : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's bytes, read at each request. The file is opened for each window (64 MiB), so that
 * nothing stays open; one that changed since it was first seen ends the command, since a load
 * from parts of two versions would be neither.
 */
function fileSource(file: string, shown: string, first: Stats): ByteSource {
  return {
    size: first.size,
    read(into, position) {
      const fd = openSync(file, 'r');
      try {
        const now = fstatSync(fd);
        if (now.size !== first.size || now.mtimeMs !== first.mtimeMs || now.ino !== first.ino) {
          throw new InputError(`${shown} changed while netpolc read it: run again once it is written`);
        }
        return readSync(fd, into, 0, Math.min(into.length, first.size - position), position);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * A stream's bytes (standard input), held in memory up to `fileWindows.spoolFrom` bytes. A longer
 * one (`kubectl get pods -A -o json | netpolc ...` of a large cluster) is spooled to a temporary
 * file, removed at once and read through its descriptor: whole when a string can hold it, else
 * window by window (a window of memory instead of the whole, and no 4 GiB limit of a buffer).
 */
export async function readStream(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array | ByteSource> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let fd: number | undefined;
  try {
    for await (const chunk of stream) {
      size += chunk.length;
      if (fd !== undefined) writeAll(fd, chunk);
      else {
        chunks.push(chunk);
        if (size <= fileWindows.spoolFrom) continue;
        fd = spoolFile();
        for (const c of chunks) writeAll(fd, c);
        chunks.length = 0;
      }
    }
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    throw err;
  }
  if (fd === undefined) return Buffer.concat(chunks);
  const spooled = fd;
  return { size, read: (into, position) => readSync(spooled, into, 0, Math.min(into.length, size - position), position) };
}

/** A new file for spooling, open for reading and writing, already removed from its directory. */
function spoolFile(): number {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-stdin-'));
  try {
    return openSync(join(dir, 'stdin'), 'w+', 0o600);
  } finally {
    // Its data lives as long as the descriptor (the process): nothing is left behind.
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let n = 0; n < bytes.length; ) n += writeSync(fd, bytes, n);
}

/**
 * The input files under a directory, in name order. Symbolic links are followed, to files and to
 * directories (each directory once, by its real path, so a link loop ends); what is neither a
 * file nor a directory (a FIFO would block the read forever) is left out and named in `skipped`.
 */
function listDirectory(dir: string, shown: (path: string) => string, out: string[], skipped: string[], exclude: string | undefined, visited = new Set<string>()): void {
  let entries;
  try {
    const real = realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    if (real === exclude) {
      skipped.push(dir);
      return;
    }
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareValues(a.name, b.name));
  } catch (err) {
    throw new InputError(`cannot read directory ${shown(dir)}: ${(err as Error).message}`);
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    const input = extensions.some((x) => e.name.endsWith(x));
    // A link is judged by what it points to; a broken one named like an input is kept, so that
    // reading it says what is wrong.
    const target = e.isSymbolicLink() ? linkTarget(full) : e;
    if (target?.isDirectory()) listDirectory(full, shown, out, skipped, exclude, visited);
    else if (!input) continue;
    else if (target === undefined || target.isFile()) out.push(full);
    else skipped.push(full);
  }
}

/** What a link points to, or undefined when it points nowhere (broken, or a loop). */
function linkTarget(link: string): Stats | undefined {
  try {
    return statSync(link);
  } catch {
    return undefined;
  }
}

/** What is wrong with a path that is a broken symbolic link (undefined for anything else). */
function brokenLink(path: string): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  try {
    statSync(path);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return `a loop of symbolic links (ELOOP: ${path} leads back to itself)`;
    return code === 'ENOENT' ? `a broken symbolic link (to ${readlinkSync(path)}, which does not exist)` : undefined;
  }
}

/**
 * A path with the symbolic links of its existing part resolved; the rest, not on disk (a broken
 * link, whose read says why; a directory still to be made), as it is.
 */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}

/**
 * {@link realPath} of each path, with one lstat per path: the real path of a file that is no link
 * (or does not exist) is its directory's, made once per directory, and its own name. realPath of
 * 10 000 output files took 0.22 s.
 */
export function realPaths(paths: readonly string[]): string[] {
  const dirs = new Map<string, string>();
  return paths.map((path) => {
    let stats;
    try {
      stats = lstatSync(path, { throwIfNoEntry: false });
    } catch {
      return realPath(path);
    }
    if (stats?.isSymbolicLink()) return realPath(path);
    const dir = dirname(path);
    let real = dirs.get(dir);
    if (real === undefined) dirs.set(dir, (real = realPath(dir)));
    return dir === path ? real : join(real, basename(path));
  });
}

/**
 * Expands paths (files, directories recursively, `-` for stdin) into sources, each file once,
 * in a deterministic order. Paths in messages stay as the user wrote them, relative to cwd.
 * `seen`: the real paths (and `-`) already read, by an earlier call, which are not read again.
 */
export async function readInputs(io: Io, paths: readonly string[], outDir?: string, seen = new Set<string>()): Promise<InputSource[]> {
  // Compile's output directory under an input directory is left out (its files would come back
  // as input on the next run: a warning per emitted Calico or Cilium policy); as an input path
  // itself it is refused.
  const outputDirectory = outDir === undefined ? undefined : realPath(outDir);
  const sources: InputSource[] = [];
  for (const path of paths) {
    // `cat ""` fails too: an unset variable, not the working directory.
    if (path === '') throw new UsageError('an input path is empty (an unset variable?); give . for the working directory');
    if (path === '-') {
      if (seen.has('-')) continue;
      seen.add('-');
      let content: Uint8Array | ByteSource;
      try {
        content = await io.readStdin();
      } catch (err) {
        // A full or read-only temporary directory, when a long input is spooled there.
        throw new InputError(`cannot read standard input: ${(err as Error).message} (a long input is spooled to ${tmpdir()}; TMPDIR picks another directory)`);
      }
      sources.push({ path: '<stdin>', content });
      continue;
    }
    const absolute = resolve(io.cwd, path);
    if (outputDirectory !== undefined && realPath(absolute) === outputDirectory) {
      throw new UsageError(`--out-dir ${outDir} is also an input path (${path}): its files would be read back as input; write them elsewhere`);
    }
    let stat;
    try {
      stat = statSync(absolute);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(`cannot read ${path}: ${brokenLink(absolute) ?? (code === 'ENOENT' ? 'no such file or directory' : (err as Error).message)}`);
    }
    const files: string[] = [];
    // As the user wrote it: under an absolute path, absolute; else relative to the working
    // directory, unless that climbs out of it.
    const shownPath = (file: string): string => {
      const rel = relative(io.cwd, file) || file;
      return isAbsolute(path) || rel.startsWith('..') ? file : rel;
    };
    if (stat.isDirectory()) {
      const skipped: string[] = [];
      listDirectory(absolute, shownPath, files, skipped, outputDirectory);
      for (const f of skipped) io.stderr.write(`netpolc: skipped ${shownPath(f)}: ${realPath(f) === outputDirectory ? 'the output directory' : 'not a regular file'}\n`);
    } else files.push(absolute);
    for (const file of files) {
      // Each file once, however it is reached (a path and a link to it).
      const key = realPath(file);
      if (seen.has(key)) continue;
      seen.add(key);
      const shown = shownPath(file);
      let content: Uint8Array | ByteSource;
      try {
        content = fileContent(file, shown);
      } catch (err) {
        throw new InputError(`cannot read ${shown}: ${brokenLink(file) ?? (err as Error).message}`);
      }
      sources.push({ path: shown, content });
    }
  }
  return sources;
}
