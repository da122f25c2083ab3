// The Calico selector parser and printer on their own: Calico's lexical rules (labels, quotes
// without escapes, multi-word operators), precedence, and print/parse round trips.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { numRuns } from '@netpolc/ir/testing';
import { parseSelector, printSelector, quote, type Selector } from '../src/selector.js';

function parsed(text: string): Selector {
  const r = parseSelector(text);
  if ('error' in r) throw new Error(`${text}: ${r.error}`);
  return r.selector;
}

function error(text: string): string {
  const r = parseSelector(text);
  if ('selector' in r) throw new Error(`${text} parsed as ${printSelector(r.selector)}`);
  return r.error;
}

const eq = (key: string, value: string): Selector => ({ kind: 'eq', key, value });

it('parses every operator of the grammar', () => {
  expect(parsed("app == 'web'")).toEqual(eq('app', 'web'));
  expect(parsed('app != "web"')).toEqual({ kind: 'ne', key: 'app', value: 'web' });
  expect(parsed("tier in {'b', 'a', 'b'}")).toEqual({ kind: 'in', key: 'tier', values: ['a', 'b'] });
  expect(parsed("tier not in {'x'}")).toEqual({ kind: 'not-in', key: 'tier', values: ['x'] });
  expect(parsed("tier notin {'x'}")).toEqual({ kind: 'not-in', key: 'tier', values: ['x'] });
  expect(parsed('tier in {}')).toEqual({ kind: 'in', key: 'tier', values: [] });
  expect(parsed('has( kubernetes.io/metadata.name )')).toEqual({ kind: 'has', key: 'kubernetes.io/metadata.name' });
  expect(parsed('!has(legacy)')).toEqual({ kind: 'not', operand: { kind: 'has', key: 'legacy' } });
  expect(parsed('all()')).toEqual({ kind: 'all' });
  expect(parsed('global()')).toEqual({ kind: 'global' });
  expect(parsed("name contains 'x'")).toEqual({ kind: 'contains', key: 'name', value: 'x' });
  expect(parsed("name starts  with 'x'")).toEqual({ kind: 'starts-with', key: 'name', value: 'x' });
  expect(parsed("name ends with 'x'")).toEqual({ kind: 'ends-with', key: 'name', value: 'x' });
});

it('treats the empty selector as all()', () => {
  expect(parsed('')).toEqual({ kind: 'all' });
  expect(parsed(' \t ')).toEqual({ kind: 'all' });
});

it('binds ! tighter than &&, and && tighter than ||; parentheses group', () => {
  expect(parsed("a == 'x' || b == 'y' && c == 'z'")).toEqual({ kind: 'or', operands: [eq('a', 'x'), { kind: 'and', operands: [eq('b', 'y'), eq('c', 'z')] }] });
  expect(parsed("(a == 'x' || b == 'y') && c == 'z'")).toEqual({ kind: 'and', operands: [{ kind: 'or', operands: [eq('a', 'x'), eq('b', 'y')] }, eq('c', 'z')] });
  expect(parsed("!a == 'x' && b == 'y'")).toEqual({ kind: 'and', operands: [{ kind: 'not', operand: eq('a', 'x') }, eq('b', 'y')] });
  // Leading "!" operators collapse to one boolean (parser.go parseOperation).
  expect(parsed('!!has(a)')).toEqual({ kind: 'has', key: 'a' });
  expect(parsed('!!!has(a)')).toEqual({ kind: 'not', operand: { kind: 'has', key: 'a' } });
});

it('reads string literals without escapes, delimited by either quote', () => {
  expect(parsed(`k == "it's"`)).toEqual(eq('k', "it's"));
  expect(parsed(`k == 'say "hi"'`)).toEqual(eq('k', 'say "hi"'));
  expect(parsed(`k == 'a\\'`)).toEqual(eq('k', 'a\\'));
  expect(parsed("k == ''")).toEqual(eq('k', ''));
  expect(parsed("k == 'a && b || c'")).toEqual(eq('k', 'a && b || c'));
});

it('quotes values with the quote character they do not contain', () => {
  expect(quote('web')).toBe("'web'");
  expect(quote("it's")).toBe(`"it's"`);
  expect(() => quote(`it's "x"`)).toThrow();
  expect(printSelector(eq('k', "it's"))).toBe(`k == "it's"`);
});

it('accepts label keys of Calico identifier characters only', () => {
  expect(parsed("app.kubernetes.io/name-x_y == 'v'")).toEqual(eq('app.kubernetes.io/name-x_y', 'v'));
  expect(error("a:b == 'v'")).toMatch(/operator/);
  expect(error(`${'k'.repeat(513)} == 'v'`)).toMatch(/too long/);
});

it('rejects malformed selectors with a reason', () => {
  for (const bad of ["a = 'x'", 'a == x', "a in 'x'", "a in {'x'", 'has()', 'has(a', "a == 'x' & b", "a == 'x' | b", "a == 'x')", "(a == 'x'", "a == 'unterminated", "a 'x'", 'all(', "a == 'x' b == 'y'", '&&', 'a', 'a inx {}']) {
    expect(error(bad), bad).not.toBe('');
  }
});

it('prints the selectors netpolc emits in Calico style', () => {
  expect(printSelector({ kind: 'and', operands: [eq('app', 'web'), { kind: 'in', key: 'tier', values: ['a', 'b'] }, { kind: 'not-in', key: 'x', values: ['y'] }, { kind: 'has', key: 'h' }, { kind: 'not', operand: { kind: 'has', key: 'g' } }] })).toBe(
    "app == 'web' && tier in {'a', 'b'} && x not in {'y'} && has(h) && !has(g)",
  );
  expect(printSelector({ kind: 'or', operands: [{ kind: 'and', operands: [eq('a', '1'), eq('b', '2')] }, { kind: 'not', operand: eq('c', '3') }] })).toBe("(a == '1' && b == '2') || !(c == '3')");
});

// Random selectors in normal form (what the parser returns): no double negation, and/or with at
// least two operands, sets sorted and deduplicated.
const keyArb = fc.stringMatching(/^[a-zA-Z0-9_./-]{1,12}$/);
const valueArb = fc.oneof(fc.stringMatching(/^[a-z0-9 ._'-]{0,8}$/), fc.stringMatching(/^[A-Z0-9 "(){}|&!=-]{0,8}$/));
const leafArb: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant({ kind: 'all' } as const),
  fc.constant({ kind: 'global' } as const),
  keyArb.map((key) => ({ kind: 'has', key }) as const),
  fc.record({ kind: fc.constantFrom('eq', 'ne', 'contains', 'starts-with', 'ends-with'), key: keyArb, value: valueArb }),
  fc.record({ kind: fc.constantFrom('in', 'not-in'), key: keyArb, values: fc.uniqueArray(valueArb, { maxLength: 3 }).map((v) => [...v].sort()) }),
);
const { tree } = fc.letrec<{ tree: Selector }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    tie('tree').filter((s) => s.kind !== 'not').map((operand) => ({ kind: 'not', operand }) as const),
    fc.record({ kind: fc.constantFrom('and', 'or'), operands: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }) }),
  ),
}));

it('parses what it prints back to the same tree (random selectors)', () => {
  fc.assert(
    fc.property(tree, (s) => {
      expect(parsed(printSelector(s))).toEqual(s);
    }),
    { numRuns: numRuns(300) },
  );
});

it('prints a parsed selector to a fixed point', () => {
  fc.assert(
    fc.property(tree, (s) => {
      const once = printSelector(parsed(printSelector(s)));
      expect(printSelector(parsed(once))).toBe(once);
    }),
    { numRuns: numRuns(100) },
  );
});
