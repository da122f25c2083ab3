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
  expect([...bytes.lineStarts()]).toEqual([0, Buffer.byteLength('{"a": "ünï",\n'), bytes.length]);
  // Past the first allocation of line offsets.
  const many = new ByteText(new TextEncoder().encode('é\n'.repeat(3000)));
  expect([...many.lineStarts()]).toEqual(Array.from({ length: 3001 }, (_, i) => i * 3));
});

it('counts the UTF-16 code units of any stretch of bytes as the decoded string has them', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', '\n', 'é', '€', '😀', '"'), { maxLength: 30 }), fc.nat(), fc.nat(), fc.nat(), (chars, x, y, z) => {
      const text = chars.join('');
      const bytes = new ByteText(new TextEncoder().encode(text));
      // Offsets at character boundaries, in bytes and in code units.
      const bounds = [0];
      for (const c of chars) bounds.push(bounds[bounds.length - 1]! + Buffer.byteLength(c));
      const [a, b] = [x % bounds.length, y % bounds.length].sort((p, q) => p - q) as [number, number];
      expect(bytes.unitsBetween(bounds[a]!, bounds[b]!)).toBe(chars.slice(a, b).join('').length);
      // Counted on from the previous count (same start, further end), or afresh.
      const c = z % bounds.length;
      const [from, to] = c >= b ? [a, c] : [Math.min(a, c), Math.max(a, c)];
      expect(bytes.unitsBetween(bounds[from]!, bounds[to]!)).toBe(chars.slice(from, to).join('').length);
      const lines = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === '\n') lines.push(Buffer.byteLength(text.slice(0, i + 1)));
      expect([...bytes.lineStarts()]).toEqual(lines);
    }),
    { numRuns: numRuns(300) },
  );
});
