// Test files run at once, in one package and across packages (turbo runs the packages in
// parallel): two files with one topology prefix refuse each other ("in use by live process").
// The bridged kernel tests of the two backends once shared one and failed the whole suite.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const packagesDir = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

it('gives every topology prefix literal (npc…) to one file only', () => {
  const files = new Map<string, Set<string>>();
  for (const pkg of readdirSync(packagesDir)) {
    for (const sub of ['src', 'test']) {
      let list: string[];
      try {
        list = sourceFiles(join(packagesDir, pkg, sub));
      } catch {
        continue;
      }
      for (const file of list) {
        if (file === import.meta.filename) continue;
        for (const m of readFileSync(file, 'utf8').matchAll(/'(npc[a-z0-9-]*)'/g)) {
          const seen = files.get(m[1]!) ?? new Set<string>();
          seen.add(file.slice(packagesDir.length + 1));
          files.set(m[1]!, seen);
        }
      }
    }
  }
  expect(files.size).toBeGreaterThan(30);
  const shared = [...files].filter(([, where]) => where.size > 1).map(([prefix, where]) => `${prefix}: ${[...where].sort().join(', ')}`);
  expect(shared).toEqual([]);
});
