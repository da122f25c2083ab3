// Every emitted object validates against Calico's CRD schemas (v3 object, v1 spec) and passes the
// CEL/validator.go checks the schemas cannot express. Runs whenever ../shared exists (CI has it).
import { clusterArb, corpusCases, numRuns, policiesArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/lower.js';
import { parseOptions } from '../src/options.js';
import { examplesProgram } from './support/examples.js';
import { load } from './support/harness.js';
import { crdValidators, schemaErrors, schemasAvailable, semanticProblems } from './support/schema.js';

const modes = [{}, { tier: 'netpolc', 'tier-order': '100' }, { log: 'all' }, { log: 'denied', tier: 'netpolc' }, { audit: true }, { audit: true, tier: 'netpolc', log: 'allowed' }, { 'name-prefix': 'k8s-', order: '2.5' }];

function problems(objects: Parameters<typeof semanticProblems>[0], validators: ReturnType<typeof crdValidators>): string[] {
  return [...objects.flatMap((o) => schemaErrors(validators, o).map((e) => `${o.kind} ${o.metadata.name}: ${e}`)), ...semanticProblems(objects)];
}

it.skipIf(!schemasAvailable)('validates every object emitted for the corpus and the examples, in every mode', () => {
  const validators = crdValidators();
  const programs = [...corpusCases().filter((c) => !c.expectError).map((c) => c.load().program), examplesProgram()];
  for (const program of programs) {
    for (const mode of modes) {
      const lowered = lowerProgram(program, parseOptions(mode).options);
      expect(lowered.objects.length).toBeGreaterThanOrEqual(0);
      expect(problems(lowered.objects, validators)).toEqual([]);
    }
  }
});

it.skipIf(!schemasAvailable)('validates every object emitted for random policies, in every mode', () => {
  const validators = crdValidators();
  fc.assert(
    fc.property(clusterArb(), policiesArb(8), fc.constantFrom(...modes), (cluster, policies, mode) => {
      const lowered = lowerProgram(load([...cluster.manifests, ...policies]), parseOptions(mode).options);
      expect(problems(lowered.objects, validators)).toEqual([]);
    }),
    { numRuns: numRuns(100) },
  );
});

it.skipIf(!schemasAvailable)('the schema check catches invalid objects (it can fail)', () => {
  const validators = crdValidators();
  const bad = { kind: 'NetworkPolicy', metadata: { name: 'Bad_Name', namespace: 'x' }, spec: { selector: { kind: 'all' }, types: [], ingress: [{ action: 'Allow', destination: { ports: [{ kind: 'number', port: 80 }] } }] } } as const;
  const found = problems([bad as never], validators);
  expect(found.some((p) => p.includes('types') || p.includes('fewer'))).toBe(true);
  expect(found.some((p) => p.includes('ports without'))).toBe(true);
  expect(found.some((p) => p.includes('DNS subdomain'))).toBe(true);
});
