// Independent second reading of the calico backend: its printed YAML, evaluated by an interpreter
// written from upstream Calico sources (test/support/independent/), against the reference
// evaluate() of @netpolc/ir. See test/support/independent/evaluator.ts for the Calico rules and
// their upstream citations.
import { describe, expect, it } from 'vitest';
import { allConnections, allModes, load, runProgram, type Mode } from './support/independent/compare.js';
import { handScenarios, model } from './support/independent/scenarios.js';

describe('hand-written upstream-style scenarios', () => {
  for (const s of handScenarios) {
    it(s.name, () => {
      const program = load([...model(s.model), ...s.policies]);
      expect(program, 'scenario loads').toBeDefined();
      const conns = allConnections(program!);
      const problems: string[] = [];
      for (const mode of allModes) {
        const r = runProgram(program!, mode, conns);
        problems.push(...r.problems.slice(0, 5));
      }
      expect(problems).toEqual([]);
    });
  }
});
