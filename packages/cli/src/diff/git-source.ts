import { spawnSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { InputSource } from '@netpolc/ir';
import { UsageError } from '../io.js';

const extensions = /\.(ya?ml|json)$/;

function git(cwd: string, args: readonly string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'buffer', maxBuffer: 1 << 30 });
  if (r.error) throw new UsageError(`--base-ref needs git: ${r.error.message}`);
  if (r.status !== 0) throw new UsageError(`git ${args.join(' ')} failed: ${r.stderr.toString('utf8').trim()}`);
  return r.stdout.toString('utf8');
}

/**
 * Reads the given paths as they are at a git ref (the BASE of `netpolc diff --base-ref`): every
 * `*.yaml`, `*.yml`, `*.json` file under each path in that commit. A path missing at the ref
 * contributes nothing (everything in HEAD is then new).
 */
export function readGitSources(cwd: string, ref: string, paths: readonly string[]): InputSource[] {
  const top = git(cwd, ['rev-parse', '--show-toplevel']).trim();
  git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
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
      if (content.status !== 0) throw new UsageError(`git show ${ref}:${file} failed`);
      const shown = relative(cwd, resolve(top, file)) || file;
      sources.push({ path: `${ref}:${shown}`, content: content.stdout });
    }
  }
  return sources;
}
