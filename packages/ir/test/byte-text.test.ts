// A text held as bytes (inputs longer than a string may be): its searches go window by window,
// as Node's Buffer#indexOf misreports matches past 2 GiB; small windows hold the windowing to
// one search of the whole.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isAscii, isUtf8 } from 'node:buffer';
import { ByteText, byteWindows, bytesIndexOf, checkSource } from '../src/source/text.js';
import { byteSource, windowsArb, withWindows } from './support/byte-source.js';
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
  const second = Buffer.byteLength('{"a": "ünï",\n');
  expect(bytes.lineAt(3)).toEqual({ line: 0, start: 0, end: second });
  expect(bytes.lineAt(second)).toEqual({ line: 1, start: second, end: bytes.length });
  expect(bytes.lineAt(bytes.length)).toEqual({ line: 2, start: bytes.length, end: bytes.length + 1 });
  // Over many blocks of the line index.
  const many = withWindows({ windowBytes: 64, behindBytes: 8, lineBlockBytes: 100 }, () => {
    const t = new ByteText(byteSource(new TextEncoder().encode('é\n'.repeat(3000))));
    return [t.lineAt(0), t.lineAt(1500 * 3 + 1), t.lineAt(9000)];
  });
  expect(many).toEqual([
    { line: 0, start: 0, end: 3 },
    { line: 1500, start: 4500, end: 4503 },
    { line: 3000, start: 9000, end: 9001 },
  ]);
});

it('counts the UTF-16 code units of any stretch of bytes as the decoded string has them', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', '\n', 'é', '€', '😀', '"'), { maxLength: 30 }), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 20 }), (chars, x, y, z, lineBlockBytes) => {
      const text = chars.join('');
      // Line index blocks of a few bytes: lines then span blocks, and blocks lines.
      const bytes = withWindows({ ...byteWindows, lineBlockBytes }, () => {
        const t = new ByteText(new TextEncoder().encode(text));
        t.lineAt(0);
        return t;
      });
      // Offsets at character boundaries, in bytes and in code units.
      const bounds = [0];
      for (const c of chars) bounds.push(bounds[bounds.length - 1]! + Buffer.byteLength(c));
      const [a, b] = [x % bounds.length, y % bounds.length].sort((p, q) => p - q) as [number, number];
      expect(bytes.unitsBetween(bounds[a]!, bounds[b]!)).toBe(chars.slice(a, b).join('').length);
      // Counted on from the previous count (same start, further end), or afresh.
      const c = z % bounds.length;
      const [from, to] = c >= b ? [a, c] : [Math.min(a, c), Math.max(a, c)];
      expect(bytes.unitsBetween(bounds[from]!, bounds[to]!)).toBe(chars.slice(from, to).join('').length);
      // Every offset's line, against the line starts of the decoded string.
      const lines = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === '\n') lines.push(Buffer.byteLength(text.slice(0, i + 1)));
      const length = Buffer.byteLength(text);
      // In order, then backwards (the index answers on from its last answer when it can).
      const offsets = Array.from({ length: length + 1 }, (_, i) => i);
      for (const offset of [...offsets, ...offsets.reverse()]) {
        let line = 0;
        while (line + 1 < lines.length && lines[line + 1]! <= offset) line++;
        expect(bytes.lineAt(offset)).toEqual({ line, start: lines[line], end: lines[line + 1] ?? length + 1 });
      }
    }),
    { numRuns: numRuns(300) },
  );
});

it('reads bytes from a source window by window exactly as bytes held whole', () => {
  const alphabet = fc.constantFrom('a', 'b', 'é', '€', '😀', '\n', '{', '},{"k"');
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('char' as const), at: fc.integer({ min: -2, max: 400 }) }),
    fc.record({ op: fc.constant('find' as const), at: fc.integer({ min: -2, max: 400 }), needle: fc.array(alphabet, { minLength: 1, maxLength: 3 }).map((a) => a.join('')) }),
    fc.record({ op: fc.constant('slice' as const), at: fc.nat({ max: 400 }), size: fc.nat({ max: 400 }) }),
    fc.record({ op: fc.constant('units' as const), at: fc.nat({ max: 400 }), size: fc.nat({ max: 400 }) }),
    fc.record({ op: fc.constant('lines' as const), at: fc.nat({ max: 400 }) }),
  );
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 80 }), windowsArb, fc.array(opArb, { maxLength: 12 }), (chars, windows, ops) => {
      const bytes = Buffer.from(chars.join(''));
      // Offsets at character boundaries: slices and counts are asked for whole characters.
      const bounds = [0];
      for (const c of chars.join('')) bounds.push(bounds[bounds.length - 1]! + Buffer.byteLength(c));
      const bound = (n: number): number => bounds[Math.min(bounds.length - 1, bounds.findIndex((b) => b >= n) < 0 ? bounds.length - 1 : bounds.findIndex((b) => b >= n))]!;
      withWindows(windows, () => {
        const whole = new ByteText(bytes);
        const source = byteSource(bytes, windows.most);
        const paged = new ByteText(source);
        expect(paged.length).toBe(whole.length);
        for (const o of ops) {
          if (o.op === 'char') expect(paged.charCodeAt(o.at)).toBe(whole.charCodeAt(o.at));
          else if (o.op === 'find') expect(paged.indexOf(o.needle, o.at)).toBe(whole.indexOf(o.needle, o.at));
          else if (o.op === 'slice') {
            const [a, b] = [bound(o.at), bound(o.at + o.size)];
            expect(paged.slice(a, b)).toBe(whole.slice(a, b));
          } else if (o.op === 'units') {
            const [a, b] = [bound(o.at), bound(o.at + o.size)];
            expect(paged.unitsBetween(a, b)).toBe(whole.unitsBetween(a, b));
          } else expect(paged.lineAt(Math.min(o.at, bytes.length))).toEqual(whole.lineAt(Math.min(o.at, bytes.length)));
        }
        // Read a window at a time: never more than a window, or what one slice or search asks for
        // and the bytes before it that a window keeps.
        const asked = Math.max(1, ...ops.map((o) => (o.op === 'slice' ? o.size * 4 : o.op === 'find' ? Buffer.byteLength(o.needle) : 1)));
        expect(source.largest).toBeLessThanOrEqual(Math.max(windows.windowBytes, asked + Math.min(windows.behindBytes, windows.windowBytes >> 1)));
      });
    }),
    { numRuns: numRuns(500) },
  );
});

it('checks a source window by window as a whole reading checks its bytes, and finds whether it is all ASCII', () => {
  const alphabet = fc.constantFrom('a', 'a', 'a', 'é', '€', '😀', '\n', '\u0000');
  const broken = fc.constantFrom(0x80, 0xc3, 0xe2, 0xf0, 0xff, 0xbf);
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 60 }), fc.option(fc.tuple(fc.nat(), broken)), windowsArb, (chars, flaw, windows) => {
      const text = Buffer.from(chars.join(''));
      const bytes = flaw ? Buffer.concat([text.subarray(0, flaw[0] % (text.length + 1)), Buffer.of(flaw[1]), text.subarray(flaw[0] % (text.length + 1))]) : text;
      const expected = !isUtf8(bytes) ? { error: 'invalid UTF-8' } : bytes.includes(0) ? { error: 'contains NUL bytes' } : { ascii: isAscii(bytes) };
      expect(withWindows(windows, () => checkSource(byteSource(bytes, windows.most)))).toEqual(expected);
    }),
    { numRuns: numRuns(500) },
  );
});

it('finds a match that spans two windows, wherever it lies', () => {
  const needle = '},{"k"';
  for (let at = 0; at < 24; at++) {
    const bytes = Buffer.from(`${'ab'.repeat(12).slice(0, at)}${needle}${'é'.repeat(4)}${needle}`);
    const whole = new ByteText(bytes);
    for (let windowBytes = 1; windowBytes <= 20; windowBytes++) {
      for (const behindBytes of [0, 1, 3]) {
        withWindows({ windowBytes, behindBytes }, () => {
          const paged = new ByteText(byteSource(bytes));
          for (let from = 0; from <= bytes.length; from++) expect(paged.indexOf(needle, from)).toBe(whole.indexOf(needle, from));
        });
      }
    }
  }
});
