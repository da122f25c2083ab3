// Mutants of the shared corpus: every node's ruleset, interpreted, allows exactly what the
// reference evaluator allows between every two endpoints (pods, nodes, outside addresses).
import { evaluate, hasErrors } from '@netpolc/ir';
import { loadManifests, mutantConnections, mutantRuns, mutatedCorpusArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { clusterDecision } from './support/cluster.js';
import { compile } from './support/compile.js';

it('agrees with the reference evaluator on mutants of the corpus', () => {
  fc.assert(
    fc.property(mutatedCorpusArb(), (manifests) => {
      const loaded = loadManifests(manifests);
      if (hasErrors(loaded.diagnostics)) return;
      const program = loaded.program;
      const { models } = compile(program);
      const wrong: string[] = [];
      for (const conn of mutantConnections(program)) {
        const reference = evaluate(program, conn);
        if ('error' in reference) continue;
        const got = clusterDecision(program, models, conn);
        // A pod reaching itself never reaches a node (backend-nftables/self-traffic-not-enforced).
        if (got === undefined || got.self) continue;
        if (got.allowed !== reference.allowed) wrong.push(`${JSON.stringify(conn)}: nftables ${got.allowed}, kubernetes ${reference.allowed}`);
      }
      expect(wrong).toEqual([]);
    }),
    { numRuns: mutantRuns() },
  );
}, 240_000);
