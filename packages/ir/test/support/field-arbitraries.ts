// Arbitraries for the fast readings' tests: manifests that are mostly valid, with every kind of
// wrong value now and then, so that both the clean case and each way out of it are exercised.
import fc from 'fast-check';

/** The value, or (now and then) absent or null. */
export const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> =>
  fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) });

/** A value of every wrong type (and a few wrong strings). */
export const wrong = fc.constantFrom<unknown>(5, 'x y', [], {}, true, 8.5, '');

/** The value, or now and then a wrong one; `weight` is how many times likelier the value is. */
export const some = <T>(arb: fc.Arbitrary<T>, weight = 8): fc.Arbitrary<unknown> => fc.oneof({ weight, arbitrary: arb }, { weight: 1, arbitrary: wrong });
