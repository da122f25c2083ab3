// Resolutions of two policy sets against one inventory share an InventoryIndex (`netpolc diff`).
// A shared index must change nothing: each resolution equals one with its own index, in either
// order (the index memoises selections), and an index is used only for the inventory it fits.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { InventoryIndex, resolve, type Program, type ResolvedProgram } from '../src/index.js';
import { clusterArb, loadValid, numRuns, policiesArb } from '../src/testing/index.js';
import { relabelArb, relabelled } from './support/relabel.js';

/** Everything a resolution hands out, but its query functions. */
function view(r: ResolvedProgram) {
  const { pods, peerSets, ingress, egress, diagnostics, definitions, sharedAddresses, nodeAddresses, partial } = r;
  return { pods, peerSets, ingress, egress, diagnostics, definitions, sharedAddresses, nodeAddresses, partial };
}

const scenario = clusterArb({ maxPods: 6 }).chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    base: policiesArb(5),
    head: policiesArb(5),
    relabel: relabelArb,
    headFirst: fc.boolean(),
    subjects: fc.option(fc.func(fc.boolean()), { nil: undefined }),
  }),
);

it('resolves with a shared index exactly as with its own, and shares it only with the inventory it fits', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, base, head, relabel: rl, headFirst, subjects }) => {
      const pb = loadValid([...cluster.manifests, ...base]).program;
      const loaded = loadValid([...relabelled(cluster, rl), ...head]).program;
      // One inventory file loaded twice (as `netpolc diff` does) gives the same pod and node
      // objects; namespaces are compared by content.
      const ph: Program = rl ? loaded : { ...loaded, inventory: { namespaces: loaded.inventory.namespaces, pods: pb.inventory.pods, nodes: pb.inventory.nodes } };
      const index = new InventoryIndex(pb.inventory);
      expect(index.fits(pb.inventory)).toBe(true);
      expect(index.fits(ph.inventory)).toBe(rl === undefined);
      const options = subjects ? { subjects: (p: { name: string }) => subjects(p.name) } : {};
      for (const p of headFirst ? [ph, pb] : [pb, ph]) expect(view(resolve(p, { ...options, index }))).toEqual(view(resolve(p, options)));
    }),
    { numRuns: numRuns(150) },
  );
});
