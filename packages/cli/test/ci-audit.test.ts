import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { hasErrors } from '@netpolc/ir';
import { clusterArb, loadManifests, policiesArb, propertyParams, type Manifest } from '@netpolc/ir/testing';
import { cli } from './run-cli.js';
import { scratchPerTest } from './scratch.js';
import { bruteForceMismatches, changedInventory, inventoryChangeArb, listFile, type DiffJson } from './support/ci-audit.js';

// The audit of `netpolc diff` and `explain` as a pull-request check runs them (docs/ci.md):
// results against the reference evaluator, git refs, output for humans and bots, exit codes.

let dir = '';
scratchPerTest('netpolc-ci-audit-', (d) => (dir = d));

const scenario = clusterArb({ maxPods: 5 }).chain((cluster) => fc.record({ cluster: fc.constant(cluster), base: policiesArb(4), head: policiesArb(4), change: inventoryChangeArb }));

it('diff --format json equals the brute-force difference of evaluate() over every pod pair, ipBlock edge address and port (inventory changes included)', async () => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async ({ cluster, base, head, change }) => {
      const headInventory = changedInventory(cluster, change);
      const pb = loadManifests([...cluster.manifests, ...base]);
      const ph = loadManifests([...headInventory, ...head]);
      if (hasErrors(pb.diagnostics) || hasErrors(ph.diagnostics)) return;
      writeFileSync(join(dir, 'base.json'), listFile(base));
      writeFileSync(join(dir, 'head.json'), listFile(head));
      writeFileSync(join(dir, 'inv-base.json'), listFile(cluster.manifests));
      writeFileSync(join(dir, 'inv-head.json'), listFile(headInventory));
      const inventory = change.kind === 'none' ? ['--inventory', 'inv-base.json'] : ['--base-inventory', 'inv-base.json', '--head-inventory', 'inv-head.json'];
      const r = await cli(['diff', ...inventory, '--format', 'json', 'base.json', 'head.json'], '', dir);
      const json = JSON.parse(r.stdout) as DiffJson;
      expect(r.code).toBe(json.added.length + json.removed.length > 0 ? 1 : 0);
      expect(bruteForceMismatches(pb.program, ph.program, json)).toEqual([]);
      compared++;
    }),
    propertyParams(12),
  );
  expect(compared).toBeGreaterThan(propertyParams(12).numRuns / 4);
}, 600_000);

/** Writes manifests as one multi-document YAML file per entry of `files`. */
function yamlFiles(files: Record<string, readonly Manifest[]>, style: 'block' | 'flow'): void {
  for (const [name, items] of Object.entries(files)) {
    if (items.length === 0) continue;
    const docs = items.map((m) => (style === 'flow' ? JSON.stringify(m) : toBlockYaml(m, 0)));
    writeFileSync(join(dir, name), docs.map((d) => `---\n${d}\n`).join(''));
  }
}

/** A small YAML block emitter (keys sorted in reverse, to differ from the JSON order). */
function toBlockYaml(v: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return `${pad}[]`;
    return v.map((x) => (typeof x === 'object' && x !== null ? `${pad}-\n${toBlockYaml(x, indent + 2)}` : `${pad}- ${JSON.stringify(x)}`)).join('\n');
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? 1 : -1));
    if (entries.length === 0) return `${pad}{}`;
    return entries
      .map(([k, x]) => (typeof x === 'object' && x !== null && (Array.isArray(x) ? x.length > 0 : Object.keys(x).length > 0) ? `${pad}${k}:\n${toBlockYaml(x, indent + 2)}` : `${pad}${k}: ${typeof x === 'object' ? JSON.stringify(x) : JSON.stringify(x)}`))
      .join('\n');
  }
  return `${pad}${JSON.stringify(v)}`;
}

it('policies moved between files, reordered, renamed files and YAML reformatted (block vs flow, key order) show no change, exit 0', async () => {
  await fc.assert(
    fc.asyncProperty(clusterArb({ maxPods: 4 }), policiesArb(5), fc.nat(), async (cluster, policies, cut) => {
      if (hasErrors(loadManifests([...cluster.manifests, ...policies]).diagnostics)) return;
      writeFileSync(join(dir, 'inv.json'), listFile(cluster.manifests));
      const { mkdirSync, rmSync } = await import('node:fs');
      rmSync(join(dir, 'a'), { recursive: true, force: true });
      rmSync(join(dir, 'b'), { recursive: true, force: true });
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      const k = policies.length === 0 ? 0 : cut % (policies.length + 1);
      yamlFiles({ 'a/all.yaml': policies }, 'block');
      // HEAD: the same policies under other names (metadata.name), split over two files, reversed.
      const renamed = policies.map((m) => ({ ...m, metadata: { ...(m['metadata'] as object), name: `renamed-${(m['metadata'] as { name: string }).name}` } }));
      yamlFiles({ 'b/second part.yml': renamed.slice(0, k).reverse(), 'b/first.yaml': renamed.slice(k).reverse() }, 'flow');
      const r = await cli(['diff', '--inventory', 'inv.json', 'a', 'b'], '', dir);
      expect(r.stderr).not.toMatch(/: error /);
      expect(r.stdout).toMatch(/: 0 added, 0 removed connections\n$/);
      expect(r.code).toBe(0);
    }),
    propertyParams(25),
  );
});
