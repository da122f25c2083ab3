import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EmitFile } from '@netpolc/ir';

/**
 * Writes every file atomically: each goes to a temporary name next to its target and is
 * renamed into place only after all were written, so a failure never leaves partial files.
 */
export function writeFilesAtomically(outDir: string, files: readonly EmitFile[]): void {
  const staged: [string, string][] = [];
  const suffix = `.netpolc-tmp-${process.pid}-${Date.now()}`;
  try {
    for (const f of files) {
      const target = resolve(outDir, f.path);
      if (!target.startsWith(resolve(outDir))) throw new Error(`refusing to write outside the output directory: ${f.path}`);
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}${suffix}`;
      writeFileSync(tmp, f.content);
      staged.push([tmp, target]);
    }
  } catch (err) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw err;
  }
  for (const [tmp, target] of staged) renameSync(tmp, target);
}

/** Joins an output directory and a relative path for messages. */
export function shownPath(outDir: string, path: string): string {
  return join(outDir, path);
}
