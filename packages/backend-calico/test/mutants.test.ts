// Mutants of the shared corpus (its shapes: named ports, wide CIDRs with excepts, several policies
// on one pod), interpreted by the Calico evaluator after a print and parse, allow exactly what the
// reference evaluator allows on every pod pair, a node and an outside address.
import { hasErrors } from '@netpolc/ir';
import { loadManifests, mutantProbes, mutantRuns, mutatedCorpusArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { upstreamMismatches } from './support/harness.js';

it('agrees with the reference evaluator on mutants of the corpus, in the default tier and in one of its own', () => {
  fc.assert(
    fc.property(mutatedCorpusArb(), (manifests) => {
      const loaded = loadManifests(manifests);
      if (hasErrors(loaded.diagnostics)) return;
      for (const raw of [{}, { tier: 'netpolc' }]) expect(upstreamMismatches(loaded.program, raw, mutantProbes)).toEqual([]);
    }),
    { numRuns: mutantRuns() },
  );
});
