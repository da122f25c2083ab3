// Independent second reading of the Cilium backend: the printed CiliumNetworkPolicy YAML is
// interpreted by test/support/independent/cilium.ts (written from upstream Cilium sources only)
// and compared with the reference evaluate() on every probe.
import { describe, expect, it } from 'vitest';
import { e2eModel, e2ePolicies } from './support/independent/scenarios.js';
import { runScenario, verdictProblems } from './support/independent/compare.js';

const optionSets: Record<string, Record<string, string>> = {
  default: {},
  '1.15': { 'cilium-version': '1.15' },
  '1.13': { 'cilium-version': '1.13' },
  'cluster c1': { 'cluster-name': 'c1' },
};

describe('upstream-style scenarios', () => {
  for (const [optName, raw] of Object.entries(optionSets)) {
    for (const [name, policies] of Object.entries(e2ePolicies)) {
      it(`${name} [${optName}]`, () => {
        const r = runScenario({ manifests: [...e2eModel(), ...policies], raw });
        expect(r.compared).toBeGreaterThan(100);
        expect(verdictProblems(r)).toBeUndefined();
      });
    }
  }
});
