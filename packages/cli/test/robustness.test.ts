// Whatever the input, every command ends with a diagnosis (exit 0, 1 or 2), never as a bug (3),
// and a compile that fails leaves no output behind. The ir package holds the loader alone to
// this; here the backends, the matrix and the diff run on what the loader accepted.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { clusterArb, policiesArb, propertyParams, type Manifest } from '@netpolc/ir/testing';
import { backendNames } from '../src/backends.js';
import { cli } from './run-cli.js';

/** Values of the wrong type or at the edge of their range, as hand-written YAML gets them. */
const odd: unknown[] = [null, 0, -1, 65535, 65536, 1.5, '', 'yes', '80', 'http', 'UDP', 'SCTP', 'Egress', '::1', '::/0', '0.0.0.0/0',
  '198.18.0.1', '198.18.0.0/33', 'fe80::1%eth0', {}, [], [{}], [null], true, 2 ** 40, 'a'.repeat(300)];

/** The manifest with the node at `path` (indices chosen modulo each level's size) replaced. */
function replaceAt(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [step, ...rest] = path as [number, ...number[]];
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...(value as Record<string, unknown>) };
  copy[key] = replaceAt(copy[key], rest, replacement);
  return copy;
}

const mutatedArb = clusterArb({ maxPods: 4 })
  .chain((c) => policiesArb(4).map((p) => [...c.manifests, ...p] as Manifest[]))
  .chain((docs) =>
    fc.record({
      docs: fc.constant(docs),
      edits: fc.array(fc.tuple(fc.nat(docs.length - 1), fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), fc.constantFrom(...odd)), { minLength: 1, maxLength: 3 }),
    }),
  );

it('ends every command on mutated manifests with a diagnosis, and a failed compile writes nothing', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedArb, async ({ docs, edits }) => {
      let mutated: unknown[] = docs;
      for (const [i, path, value] of edits) mutated = mutated.map((d, j) => (j === i ? replaceAt(d, path, value) : d));
      const dir = mkdtempSync(join(tmpdir(), 'netpolc-fuzz-'));
      try {
        writeFileSync(join(dir, 'base.yaml'), docs.map((d) => stringify(d)).join('---\n'));
        writeFileSync(join(dir, 'head.yaml'), mutated.map((d) => stringify(d)).join('---\n'));
        const commands = [['validate', 'head.yaml'], ['matrix', 'head.yaml'], ['matrix', '--port', '80', '--protocol', 'UDP', 'head.yaml'], ['diff', 'base.yaml', 'head.yaml']];
        for (const args of commands) expect([0, 1, 2], args.join(' ')).toContain((await cli(args, '', dir)).code);
        for (const backend of backendNames) {
          const out = join(dir, `out-${backend}`);
          const r = await cli(['compile', '--backend', backend, '--out-dir', out, 'head.yaml'], '', dir);
          expect([0, 2], `${backend}: ${r.stderr}`).toContain(r.code);
          if (r.code !== 0) expect(existsSync(out), backend).toBe(false);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    propertyParams(60),
  );
}, 600_000);
