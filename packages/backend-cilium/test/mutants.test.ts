// Mutants of the shared corpus, interpreted by the Cilium evaluator: never wider than the
// reference evaluator, and exactly it where the lowering warned of nothing.
import { hasErrors } from '@netpolc/ir';
import { loadManifests, mutantRuns, mutatedCorpusArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compile, disagreements, options } from './support/harness.js';

it('agrees with the reference evaluator on mutants of the corpus (narrower only where it warns), with and without --node-entities', () => {
  fc.assert(
    fc.property(mutatedCorpusArb(), (manifests) => {
      if (hasErrors(loadManifests(manifests).diagnostics)) return;
      for (const raw of [{}, { 'node-entities': true }]) {
        const compiled = compile(manifests, options(raw));
        if (hasErrors(compiled.diagnostics)) continue;
        const found = disagreements(compiled);
        const warned = compiled.diagnostics.some((d) => d.severity === 'warning');
        expect(warned ? found.filter((d) => d.endsWith('kubernetes false, cilium true')) : found).toEqual([]);
      }
    }),
    { numRuns: mutantRuns() },
  );
});
