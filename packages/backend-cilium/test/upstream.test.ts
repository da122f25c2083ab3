// Policy shapes of the upstream e2e suite (kubernetes test/e2e/network/netpol) on its x/y/z × a/b/c
// model (the shared table upstreamScenarios of @netpolc/ir/testing, whose reference verdicts
// packages/ir/test/upstream-cases.test.ts pins to upstream's tables): the emitted objects must give
// the Kubernetes truth tables under Cilium semantics.
import { expect, it } from 'vitest';
import { upstreamModel, upstreamScenarios } from '@netpolc/ir/testing';
import { truthTableProblems } from './support/harness.js';

for (const [name, s] of Object.entries(upstreamScenarios)) {
  it(`gives the Kubernetes truth table under Cilium semantics: ${name}`, () => {
    expect(truthTableProblems([...upstreamModel(s.labels ?? {}), ...s.policies])).toEqual([]);
  });
}
