// Mutants of the shared corpus: the node rulesets, interpreted, allow exactly what the reference
// evaluator allows between every two endpoints (pods, nodes, outside addresses), with and without
// ipsets.
import { evaluate, hasErrors, resolve } from '@netpolc/ir';
import { loadManifests, mutantConnections, mutantRuns, mutatedCorpusArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import { defaultOptions } from '../src/options.js';
import { networkVerdict } from './support/network.js';

it('agrees with the reference evaluator on mutants of the corpus, with and without ipsets', () => {
  fc.assert(
    fc.property(mutatedCorpusArb(), (manifests) => {
      const loaded = loadManifests(manifests);
      if (hasErrors(loaded.diagnostics)) return;
      const program = loaded.program;
      const resolved = resolve(program);
      const connections = mutantConnections(program);
      for (const ipset of [true, false]) {
        const { nodes } = lowerProgram({ program, resolved }, { ...defaultOptions, ipset });
        const wrong: string[] = [];
        for (const conn of connections) {
          const { src, dst } = conn;
          // A pod reaching itself never crosses a node's hooks (backend-iptables/node-local-not-filtered).
          if (src.kind === 'pod' && dst.kind === 'pod' && src.namespace === dst.namespace && src.name === dst.name) continue;
          const reference = evaluate(program, conn);
          if ('error' in reference) continue;
          const got = networkVerdict(program, nodes, conn);
          if (got !== undefined && got.allowed !== reference.allowed) wrong.push(`${JSON.stringify(conn)}: iptables ${got.allowed}, kubernetes ${reference.allowed} (ipset ${ipset})`);
        }
        expect(wrong).toEqual([]);
      }
    }),
    { numRuns: mutantRuns() },
  );
}, 240_000);
