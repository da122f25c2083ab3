// The mutated-corpus arbitrary: reproducible, it changes the cases, and enough mutants are valid
// for the backends' conformance properties to test something.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { hasErrors, type Program } from '../src/index.js';
import { corpusCases, loadManifests, mutatedCorpusArb } from '../src/testing/index.js';

it('gives the same mutants for the same seed, mostly valid, and not the corpus itself', () => {
  const a = fc.sample(mutatedCorpusArb(), { numRuns: 200, seed: 7 });
  const b = fc.sample(mutatedCorpusArb(), { numRuns: 200, seed: 7 });
  expect(b).toEqual(a);
  const valid = a.filter((m) => !hasErrors(loadManifests(m).diagnostics));
  expect(valid.length).toBeGreaterThan(100);
  // Some mutants are refused (a port out of range, an except outside its CIDR): the mutations reach the checks.
  expect(valid.length).toBeLessThan(200);
  // Policies and labels without their source places (the files differ).
  const meaning = (p: Program): string => JSON.stringify([p.policies, p.inventory.pods.map((q) => [q.labels, q.ports]), p.inventory.namespaces.map((n) => n.labels)], (k, v: unknown) => (k === 'origin' ? undefined : v));
  const originals = new Set(corpusCases().filter((c) => !c.expectError).map((c) => meaning(c.load().program)));
  const changed = valid.filter((m) => !originals.has(meaning(loadManifests(m).program)));
  expect(changed.length).toBeGreaterThan(50);
});
