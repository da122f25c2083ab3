import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isDnsLabel, isDnsSubdomain } from '../src/index.js';
import { numRuns } from '../src/testing/index.js';

// The oracle: apimachinery's IsDNS1123Subdomain read literally (at most 253 characters,
// dot-separated RFC 1123 labels of at most 63).
function subdomainOracle(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every((part) => isDnsLabel(part));
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
  expect(isDnsSubdomain('a'.repeat(64) + '.b')).toBe(false);
});
