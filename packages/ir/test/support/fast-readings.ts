// Support of the fast readings' tests: arbitraries of manifests that are mostly valid, with every
// kind of wrong value now and then, so that both the clean case and each way out of it are
// exercised; and the comparison of a fast reading with its checked reading.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Diagnostic } from '../../src/index.js';

/** The value, or (now and then) absent or null. */
export const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> =>
  fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) });

/** A value of every wrong type (and a few wrong strings). */
export const wrong = fc.constantFrom<unknown>(5, 'x y', [], {}, true, 8.5, '');

/** The value, or now and then a wrong one; `weight` is how many times likelier the value is. */
export const some = <T>(arb: fc.Arbitrary<T>, weight = 8): fc.Arbitrary<unknown> => fc.oneof({ weight, arbitrary: arb }, { weight: 1, arbitrary: wrong });

/** One value read both ways: the checked reading (reporting into `diagnostics`) and the fast one. */
export type ReadBoth = (value: Record<string, unknown>, diagnostics: Diagnostic[]) => { checked: unknown; fast: unknown };

/**
 * Reads generated values both ways and checks that wherever the fast reading answers, the checked
 * one reports nothing and reads the same. Returns how many values were clean (no diagnostics)
 * and how many the fast reading answered, for the caller's bounds.
 */
export function compareReadings(values: fc.Arbitrary<unknown>, read: ReadBoth, params: fc.Parameters<[unknown]>): { clean: number; fast: number } {
  let clean = 0;
  let fast = 0;
  fc.assert(
    fc.property(values, (value) => {
      const diagnostics: Diagnostic[] = [];
      const both = read(value as Record<string, unknown>, diagnostics);
      if (diagnostics.length === 0) clean++;
      if (both.fast === undefined) return;
      fast++;
      expect(diagnostics).toEqual([]);
      expect(both.fast).toStrictEqual(both.checked);
    }),
    params,
  );
  return { clean, fast };
}
