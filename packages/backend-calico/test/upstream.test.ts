// The policies of the upstream Kubernetes NetworkPolicy e2e suite (test/e2e/network/netpol,
// KEP-1611) on the upstream model (namespaces x, y, z; pods a, b, c; ports 80/81 on TCP, UDP,
// SCTP): the Calico evaluator over the emitted YAML gives the reference truth tables for every
// pair of pods, the node and an outside address, in the default output and in a tier of its own
// with logging, with host endpoints and network sets beside the pods (support/harness.ts). The
// states are the shared table upstreamScenarios (@netpolc/ir/testing); packages/ir/test/
// upstream-cases.test.ts pins their reference verdicts to upstream's tables.
import type { Protocol, RawOptions } from '@netpolc/ir';
import { upstreamModel, upstreamScenarios } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { load, upstreamMismatches } from './support/harness.js';

const ports: readonly (readonly [Protocol, number])[] = [['TCP', 80], ['TCP', 81], ['TCP', 82], ['UDP', 80], ['UDP', 81], ['SCTP', 80], ['SCTP', 81]];

const modes: readonly RawOptions[] = [{}, { tier: 'netpolc', log: 'denied' }, { log: 'all', order: '7' }];

for (const [name, s] of Object.entries(upstreamScenarios)) {
  it(`upstream: ${name}`, () => {
    const program = load([...upstreamModel(s.labels ?? {}), ...s.policies]);
    for (const raw of modes) expect(upstreamMismatches(program, raw, ports), JSON.stringify(raw)).toEqual([]);
  });
}
