import fc from 'fast-check';
import { expect, it } from 'vitest';
import { evaluate, hasErrors, resolve } from '@netpolc/ir';
import { clusterArb, connectionArb, loadManifests, numRuns, policiesArb } from '@netpolc/ir/testing';
import { lowerProgram } from '../src/lower.js';
import { CiliumEvaluator } from './support/cilium-eval.js';
import { options } from './support/harness.js';

/** Label keys Cilium leaves out of identities in the evaluated release (1.17), old and new. */
const droppedKeys = ['pod-template-hash', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'batch.kubernetes.io/job-completion-index', 'controller-uid'] as const;

const scenarioArb = (ipv6: boolean, renameRole: boolean) =>
  clusterArb({ ipv6 }).chain((cluster) =>
    fc.record({
      cluster: fc.constant(cluster),
      policies: policiesArb(),
      // Echo requests among them, with and without the icmp-essentials profile.
      connections: fc.array(connectionArb(cluster, { icmp: true }), { minLength: 1, maxLength: 25 }),
      role: renameRole ? fc.constantFrom(...droppedKeys) : fc.constant('role'),
      icmpEssentials: fc.boolean(),
    }),
  );

/**
 * The generated label key `role` renamed in labels, `matchLabels` and `matchExpressions`, so that
 * pods, namespaces and selectors use a key Cilium drops.
 */
function renameKey(value: unknown, to: string, parent = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKey(v, to, parent));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const labelMap = parent === 'labels' || parent === 'matchLabels';
    const key = labelMap && k === 'role' ? to : k;
    out[key] = parent === 'matchExpressions' && k === 'key' && v === 'role' ? to : renameKey(v, to, k);
  }
  return out;
}

const seed = Number(process.env['NETPOLC_SEED'] ?? Date.now() % 2_147_483_647);

function check(ipBlockMatchesPods: boolean, ipv6: boolean, renameRole = false, runs = numRuns(), ipBlockMatchesNodes = true): { runs: number; exact: number; connections: number; podBlocks: number; nodeNarrowed: number } {
  const stats = { runs: 0, exact: 0, connections: 0, podBlocks: 0, nodeNarrowed: 0 };
  fc.assert(
    fc.property(scenarioArb(ipv6, renameRole), ({ cluster, policies, connections, role, icmpEssentials }) => {
      const manifests = [...cluster.manifests, ...policies].map((m) => (role === 'role' ? m : (renameKey(m, role) as typeof m)));
      const loaded = loadManifests(manifests, { semantics: { ipBlockMatchesPods, ipBlockMatchesNodes, allowIcmpEssentials: icmpEssentials } });
      fc.pre(!hasErrors(loaded.diagnostics));
      const program = loaded.program;
      const lowered = lowerProgram({ program, resolved: resolve(program) }, options());
      const evaluator = new CiliumEvaluator(program, lowered.policies.map((p) => p.object));
      // An error means "not expressible": the output must then still never allow more.
      const exact = !hasErrors(lowered.diagnostics);
      // Node traffic that Cilium can allow only with entities wider than the policy is denied,
      // with a warning: ipblock-covers-nodes, or node-entities-withheld (without --node-entities).
      const nodeNarrowed = lowered.diagnostics.some((d) => d.code === 'backend-cilium/ipblock-covers-nodes' || d.code === 'backend-cilium/node-entities-withheld');
      const nodeIps = new Set(program.inventory.nodes.flatMap((n) => n.addresses.map((a) => a.ip)));
      stats.runs++;
      if (exact) stats.exact++;
      if (nodeNarrowed) stats.nodeNarrowed++;
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
    { numRuns: runs, seed },
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

it('agrees with the reference evaluator when ipBlocks match neither pods nor nodes (Cilium default CIDR semantics)', () => {
  const stats = check(false, true, false, numRuns(), false);
  expect(stats.exact / stats.runs).toBeGreaterThan(0.5);
  // Cilium's CIDR rules then mean exactly what the profile asks: no node traffic is narrowed.
  expect(stats.nodeNarrowed).toBe(0);
});

it('agrees with the reference evaluator when pods and selectors use label keys Cilium leaves out of identities', () => {
  // 200 local runs: 60 met a wrong identity label filter in only half of the seeds tried.
  const stats = check(true, false, true, numRuns(200));
  // Selectors on the renamed key are errors (about a third of programs stay exact); those that
  // remain must still be checked exactly.
  expect(stats.exact / stats.runs).toBeGreaterThan(0.1);
});
