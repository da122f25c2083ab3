import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isDnsLabel, isDnsSubdomain } from '../src/index.js';
import { isLabelKey, isLabelValue, isQualifiedNamePart } from '../src/lower/names.js';
import { numRuns } from '../src/testing/index.js';

// The oracle: apimachinery's IsDNS1123Subdomain read literally: at most 253 characters of
// dot-separated RFC 1123 labels, with no limit per label (its rewrite checks each part with
// isDNS1123LabelExceptMaxLength).
const labelShape = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
function subdomainOracle(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every((part) => labelShape.test(part));
}

it('accepts exactly the RFC 1123 subdomains, long labels and names included', () => {
  const label = fc.oneof(fc.stringMatching(/^[a-z0-9-]{0,8}$/), fc.integer({ min: 60, max: 66 }).map((n) => 'a'.repeat(n)));
  const name = fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
    fc.array(fc.constantFrom('a'.repeat(63), 'b'.repeat(62)), { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.')),
    fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', '_'), maxLength: 12 }),
  );
  fc.assert(
    fc.property(name, (n) => {
      expect(isDnsSubdomain(n), n).toBe(subdomainOracle(n));
    }),
    { numRuns: numRuns(2000) },
  );
  expect(isDnsSubdomain('a'.repeat(63) + '.' + 'b'.repeat(63))).toBe(true);
  expect(isDnsSubdomain('a'.repeat(64) + '.b')).toBe(true);
  expect(isDnsSubdomain('a'.repeat(253))).toBe(true);
  expect(isDnsSubdomain('a'.repeat(254))).toBe(false);
  expect(isDnsLabel('a'.repeat(64))).toBe(false);
});

// The oracle: apimachinery's qualifiedNameFmt and IsValidLabelValue, as regular expressions.
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

it('reads qualified name parts and label values exactly as the apimachinery expressions do', () => {
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', '-', '_', '.', '/', ' ', 'é', '@', '`', '[', '{', ':'), maxLength: 8 }),
    fc.integer({ min: 61, max: 65 }).map((n) => 'v'.repeat(n)),
  );
  fc.assert(
    fc.property(text, (t) => {
      expect(isQualifiedNamePart(t), t).toBe(qualifiedNamePart.test(t));
      expect(isLabelValue(t), t).toBe(t === '' || (t.length <= 63 && qualifiedNamePart.test(t)));
      const [prefix, name, ...rest] = t.split('/');
      const keyOracle = rest.length === 0 && (name === undefined ? prefix!.length <= 63 && qualifiedNamePart.test(prefix!) : isDnsSubdomain(prefix!) && name.length <= 63 && qualifiedNamePart.test(name));
      expect(isLabelKey(t), t).toBe(keyOracle);
    }),
    { numRuns: numRuns(3000) },
  );
});
