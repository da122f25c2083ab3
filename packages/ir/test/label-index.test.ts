// The label index, and the resolution's pod peer selections built on it, answer every selector
// exactly as the reference evaluator's matcher does.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { selects } from '../src/evaluate/evaluate.js';
import { canonicalSelector, type Requirement } from '../src/model/selector.js';
import { LabelIndex } from '../src/resolve/label-index.js';
import { resolve } from '../src/resolve/resolve.js';
import { clusterArb, loadManifests, policiesArb, propertyParams } from '../src/testing/index.js';

const keys = ['app', 'tier', 'env'] as const;
const values = ['a', 'b', 'c'] as const;
const labelsArb = fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 3 });
const requirementArb: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([]) }),
);

it('selects exactly the items whose labels the selector matches, in id order', () => {
  fc.assert(
    fc.property(fc.array(labelsArb, { maxLength: 30 }), fc.array(requirementArb, { maxLength: 4 }), (items, reqs) => {
      const index = new LabelIndex((id) => items[id]!);
      items.forEach((_, id) => index.add(id));
      const selector = canonicalSelector(reqs);
      const expected = items.flatMap((labels, id) => (selects(selector, labels) ? [id] : []));
      expect(index.select(selector)).toEqual(expected);
    }),
    propertyParams(2000),
  );
});

it("answers a resolution's pod peer selections as the evaluator's matcher does, in pod order", () => {
  fc.assert(
    fc.property(clusterArb({ maxPods: 8 }), policiesArb(4), (cluster, policies) => {
      const { program } = loadManifests([...cluster.manifests, ...policies]);
      const resolved = resolve(program);
      const nsLabels = new Map(program.inventory.namespaces.map((n) => [n.name, n.labels]));
      for (const policy of program.policies) {
        for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
          if (rule.peers === 'any') continue;
          for (const peer of rule.peers) {
            if (peer.kind !== 'pods') continue;
            const scope = peer.namespaces;
            const expected = resolved.pods.flatMap((p, i) => {
              const inScope = scope.kind === 'policy-namespace' ? p.namespace === policy.namespace : selects(scope.selector, nsLabels.get(p.namespace) ?? {});
              return inScope && selects(peer.pods, p.labels) ? [i] : [];
            });
            expect(resolved.selectPods(scope, peer.pods, policy.namespace)).toEqual(expected);
          }
        }
      }
    }),
    propertyParams(300),
  );
});
