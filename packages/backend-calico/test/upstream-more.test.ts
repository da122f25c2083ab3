// More policy shapes of the upstream Kubernetes NetworkPolicy e2e suite (kubernetes/kubernetes
// test/e2e/network/netpol/network_policy.go), those upstream.test.ts lacks: every state upstream
// probes (before and after an update, relabel or second policy) on the x/y/z x a/b/c model. The
// Calico evaluator over the emitted YAML must give the reference evaluator's verdict for every pair
// of pods, the node and an outside address; packages/ir/test/upstream-cases-more.test.ts pins the
// reference verdicts to upstream's own tables.
import type { Protocol, RawOptions } from '@netpolc/ir';
import { upstreamModel, upstreamMoreScenarios } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { load, upstreamMismatches } from './support/harness.js';

const ports: readonly (readonly [Protocol, number])[] = [['TCP', 80], ['TCP', 81], ['UDP', 80], ['UDP', 81], ['SCTP', 80], ['SCTP', 81]];

const modes: readonly RawOptions[] = [{}, { tier: 'netpolc', log: 'denied' }];

for (const [name, s] of Object.entries(upstreamMoreScenarios)) {
  it(`upstream: ${name}`, () => {
    const program = load([...upstreamModel(s.labels ?? {}), ...s.policies]);
    for (const raw of modes) expect(upstreamMismatches(program, raw, ports), JSON.stringify(raw)).toEqual([]);
  });
}
