// The label index answers every selector exactly as the reference evaluator's matcher does.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { selects } from '../src/evaluate/evaluate.js';
import { canonicalSelector, type Requirement } from '../src/model/selector.js';
import { LabelIndex } from '../src/resolve/label-index.js';
import { propertyParams } from '../src/testing/index.js';

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
