import fc from 'fast-check';
import { expect, it } from 'vitest';
import { evaluate, hasErrors, resolve } from '@netpolc/ir';
import { clusterArb, connectionArb, loadManifests, numRuns, policiesArb } from '@netpolc/ir/testing';
import { lowerProgram } from '../src/lower.js';
import { CiliumEvaluator } from './support/cilium-eval.js';
import { options } from './support/harness.js';

const scenarioArb = (ipv6: boolean) =>
  clusterArb({ ipv6 }).chain((cluster) => fc.record({ cluster: fc.constant(cluster), policies: policiesArb(), connections: fc.array(connectionArb(cluster), { minLength: 1, maxLength: 25 }) }));

const seed = Number(process.env['NETPOLC_SEED'] ?? Date.now() % 2_147_483_647);

function check(ipBlockMatchesPods: boolean, ipv6: boolean): { runs: number; exact: number; connections: number; podBlocks: number } {
  const stats = { runs: 0, exact: 0, connections: 0, podBlocks: 0 };
  fc.assert(
    fc.property(scenarioArb(ipv6), ({ cluster, policies, connections }) => {
      const loaded = loadManifests([...cluster.manifests, ...policies], { semantics: { ipBlockMatchesPods } });
      fc.pre(!hasErrors(loaded.diagnostics));
      const program = loaded.program;
      const lowered = lowerProgram({ program, resolved: resolve(program) }, options());
      const evaluator = new CiliumEvaluator(program, lowered.policies.map((p) => p.object));
      // An error means "not expressible": the output must then still never allow more.
      const exact = !hasErrors(lowered.diagnostics);
      const nodeNarrowed = lowered.diagnostics.some((d) => d.code === 'backend-cilium/ipblock-covers-nodes');
      const nodeIps = new Set(program.inventory.nodes.flatMap((n) => n.addresses.map((a) => a.ip)));
      stats.runs++;
      if (exact) stats.exact++;
      if (exact && lowered.policies.some((p) => p.notes.some((n) => n.includes('also selected by labels')))) stats.podBlocks++;
      for (const conn of connections) {
        const ref = evaluate(program, conn);
        if ('error' in ref) continue;
        const got = evaluator.allowed(conn);
        stats.connections++;
        const context = `seed ${seed}, ${JSON.stringify(conn)}; diagnostics: ${lowered.diagnostics.map((d) => d.code).join(', ')}`;
        expect(got, `the Cilium evaluator cannot bind ${context}`).toBeTypeOf('boolean');
        if (got && !ref.allowed) expect.fail(`Cilium allows what Kubernetes denies (${context})`);
        if (ref.allowed && !got) {
          const touchesNode = nodeIps.has(ref.src.ip) || nodeIps.has(ref.dst.ip);
          expect(!exact || (nodeNarrowed && touchesNode), `Cilium denies what Kubernetes allows (${context})`).toBe(true);
        }
      }
    }),
    { numRuns: numRuns(), seed },
  );
  return stats;
}

it('agrees with the reference evaluator on random dual-stack clusters, policies and connections', () => {
  const stats = check(true, true);
  // Most generated programs must be checked for exact agreement, not only for "never wider".
  expect(stats.exact / stats.runs).toBeGreaterThan(0.5);
});

it('agrees with the reference evaluator on single-stack clusters, where ipBlocks around pods are expressible', () => {
  const stats = check(true, false);
  expect(stats.exact / stats.runs).toBeGreaterThan(0.8);
  // The ipBlock-to-pod-selector path must be exercised with exact checks.
  expect(stats.podBlocks / stats.runs).toBeGreaterThan(0.03);
});

it('agrees with the reference evaluator when ipBlocks do not match pods (Cilium-native profile)', () => {
  const stats = check(false, true);
  expect(stats.exact / stats.runs).toBeGreaterThan(0.5);
});
