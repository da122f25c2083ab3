import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { InputSource } from '@netpolc/ir';
import { InputError, UsageError } from '../io.js';

const extensions = /\.(ya?ml|json)$/;

function git(cwd: string, args: readonly string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'buffer', maxBuffer: 1 << 30 });
  if (r.error) throw new InputError(`--base-ref needs git: ${r.error.message}`);
  if (r.status !== 0) throw new InputError(`git ${args.join(' ')} failed: ${r.stderr.toString('utf8').trim()}`);
  return r.stdout.toString('utf8');
}

/**
 * Reads the given paths as they are at a git ref (the BASE of `netpolc diff --base-ref`): every
 * `*.yaml`, `*.yml`, `*.json` file under each path in that commit. A path missing at the ref
 * contributes nothing (everything in HEAD is then new).
 */
export function readGitSources(cwd: string, ref: string, paths: readonly string[]): InputSource[] {
  // The repository of the paths, not of the working directory: `netpolc diff --base-ref main
  // /repo/policies` from elsewhere reads /repo's history.
  const first = paths.find((p) => p !== '-');
  const top = git(first === undefined ? cwd : nearestDirectory(resolve(cwd, first)), ['rev-parse', '--show-toplevel']).trim();
  const verified = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: top });
  if (verified.status !== 0) throw new UsageError(`--base-ref ${ref} names no commit of the git repository ${top}`);
  const sources: InputSource[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === '-') throw new UsageError('--base-ref cannot read standard input');
    const inRepo = relative(top, resolve(cwd, path)) || '.';
    if (inRepo.startsWith('..')) throw new UsageError(`${path} is outside the git repository ${top}`);
    const files = git(top, ['ls-tree', '-r', '--name-only', '-z', ref, '--', inRepo])
      .split('\u0000')
      .filter((f) => f !== '' && extensions.test(f))
      .sort();
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      const content = spawnSync('git', ['show', `${ref}:${file}`], { cwd: top, maxBuffer: 1 << 30 });
      if (content.status !== 0) throw new InputError(`git show ${ref}:${file} failed`);
      const shown = relative(cwd, resolve(top, file)) || file;
      sources.push({ path: `${ref}:${shown}`, content: content.stdout });
    }
  }
  return sources;
}

/** The path itself when it is a directory, else the nearest directory above it that exists. */
function nearestDirectory(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    if (statSync(p, { throwIfNoEntry: false })?.isDirectory() || dirname(p) === p) return p;
  }
}
