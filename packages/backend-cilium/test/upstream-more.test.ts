// More policy shapes of the upstream Kubernetes NetworkPolicy e2e suite (kubernetes/kubernetes
// test/e2e/network/netpol/network_policy.go), those upstream.test.ts lacks: every state upstream
// probes (before and after an update, relabel or second policy) on the x/y/z x a/b/c model. The
// emitted objects must give the reference evaluator's truth table under Cilium semantics;
// packages/ir/test/upstream-cases-more.test.ts pins the reference verdicts to upstream's tables.
import { expect, it } from 'vitest';
import { upstreamModel, upstreamMoreScenarios } from '@netpolc/ir/testing';
import { truthTableProblems } from './support/harness.js';

for (const [name, s] of Object.entries(upstreamMoreScenarios)) {
  it(`gives the Kubernetes truth table under Cilium semantics: upstream ${name}`, () => {
    expect(truthTableProblems([...upstreamModel(s.labels ?? {}), ...s.policies])).toEqual([]);
  });
}
