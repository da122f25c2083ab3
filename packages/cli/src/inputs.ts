import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compareValues, type InputSource } from '@netpolc/ir';
import { UsageError, type Io } from './io.js';

const extensions = ['.yaml', '.yml', '.json'];

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
        content = readFileSync(file);
      } catch (err) {
        throw new UsageError(`cannot read ${shown}: ${(err as Error).message}`);
      }
      sources.push({ path: shown.startsWith('..') ? file : shown, content });
    }
  }
  return sources;
}
