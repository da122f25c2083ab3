import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compareValues, type InputSource } from '@netpolc/ir';
import { UsageError, type Io } from './io.js';

const extensions = ['.yaml', '.yml', '.json'];

/**
 * `readFileSync` refuses files of 2 GiB and more (ERR_FS_FILE_TOO_LARGE); `kubectl get -o json`
 * of a cluster near Kubernetes' 150k-pod limit comes close. Such files are read in chunks into
 * one buffer (up to Node's largest buffer, 4 GiB).
 */
export const wholeReadBytes = { limit: 2 ** 31 - 1, chunk: 64 << 20 };

/** The bytes of a file. */
export function readFileBytes(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < wholeReadBytes.limit) return readFileSync(fd);
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, out, at, Math.min(wholeReadBytes.chunk, size - at), at);
      // The file shrank while read: what was there.
      if (n === 0) return out.subarray(0, at);
      at += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function listDirectory(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareValues(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) listDirectory(full, out);
    else if (extensions.some((x) => e.name.endsWith(x))) out.push(full);
  }
}

/**
 * Expands paths (files, directories recursively, `-` for stdin) into sources, each file once,
 * in a deterministic order. Paths in messages stay as the user wrote them, relative to cwd.
 */
export async function readInputs(io: Io, paths: readonly string[]): Promise<InputSource[]> {
  const sources: InputSource[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === '-') {
      if (seen.has('-')) continue;
      seen.add('-');
      sources.push({ path: '<stdin>', content: await io.readStdin() });
      continue;
    }
    const absolute = resolve(io.cwd, path);
    let stat;
    try {
      stat = statSync(absolute);
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or directory`);
    }
    const files: string[] = [];
    if (stat.isDirectory()) listDirectory(absolute, files);
    else files.push(absolute);
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      const shown = relative(io.cwd, file) || file;
      let content: Uint8Array;
      try {
        content = readFileBytes(file);
      } catch (err) {
        throw new UsageError(`cannot read ${shown}: ${(err as Error).message}`);
      }
      sources.push({ path: shown.startsWith('..') ? file : shown, content });
    }
  }
  return sources;
}
