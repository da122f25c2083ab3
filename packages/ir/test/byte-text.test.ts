// A text held as bytes (inputs longer than a string may be): its searches go window by window,
// as Node's Buffer#indexOf misreports matches past 2 GiB; small windows hold the windowing to
// one search of the whole.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ByteText, bytesIndexOf } from '../src/source/text.js';
import { numRuns } from '../src/testing/index.js';

it('finds what one search of the whole finds, window by window', () => {
  const alphabet = fc.constantFrom('a', 'b', 'é', '\n', '{');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 40 }), fc.array(alphabet, { minLength: 1, maxLength: 3 }), fc.nat({ max: 45 }), fc.integer({ min: 1, max: 9 }), (text, needle, from, extra) => {
      const buffer = Buffer.from(text.join(''));
      const search = needle.join('');
      const window = Buffer.byteLength(search) + extra - 1;
      expect(bytesIndexOf(buffer, search, from, window)).toBe(buffer.indexOf(search, from));
      expect(bytesIndexOf(buffer, 10, from, extra)).toBe(buffer.indexOf(10, from));
    }),
    { numRuns: numRuns(500) },
  );
});

it('reads bytes as a string reads its text: character codes of ASCII, slices decoded, lines', () => {
  const text = '{"a": "ünï",\n "b": [1, 2]}\n';
  const bytes = new ByteText(new TextEncoder().encode(text));
  expect(bytes.slice(7, 12)).toBe('ünï');
  expect(bytes.charCodeAt(0)).toBe(text.charCodeAt(0));
  expect(bytes.charCodeAt(bytes.length)).toBeNaN();
  expect(bytes.indexOf('"b"', 0)).toBe(Buffer.byteLength('{"a": "ünï",\n '));
  expect(bytes.lineStarts()).toEqual([0, Buffer.byteLength('{"a": "ünï",\n'), bytes.length]);
});
