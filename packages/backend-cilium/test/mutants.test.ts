// Mutants of the shared corpus, interpreted by the Cilium evaluator: never wider than the
// reference evaluator, and exactly it where the lowering warned of nothing.
import { hasErrors, resolve } from '@netpolc/ir';
import { loadManifests, mutatedCorpusArb, numRuns } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/lower.js';
import { CiliumEvaluator, defaultEvalOptions } from './support/cilium-eval.js';
import { disagreements, options } from './support/harness.js';

it('agrees with the reference evaluator on mutants of the corpus (narrower only where it warns), with and without --node-entities', () => {
  fc.assert(
    fc.property(mutatedCorpusArb(), (manifests) => {
      const loaded = loadManifests(manifests);
      if (hasErrors(loaded.diagnostics)) return;
      const program = loaded.program;
      for (const raw of [{}, { 'node-entities': true }]) {
        const lowered = lowerProgram({ program, resolved: resolve(program) }, options(raw));
        if (hasErrors(lowered.diagnostics)) continue;
        const objects = lowered.policies.map((p) => p.object);
        const found = disagreements({ loaded, objects, policies: lowered.policies, diagnostics: lowered.diagnostics, evaluator: new CiliumEvaluator(program, objects, defaultEvalOptions) });
        const warned = lowered.diagnostics.some((d) => d.severity === 'warning');
        expect(warned ? found.filter((d) => d.endsWith('kubernetes false, cilium true')) : found).toEqual([]);
      }
    }),
    { numRuns: Math.max(20, Math.round(numRuns(60) / 3)) },
  );
});
