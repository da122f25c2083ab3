import fc from 'fast-check';
import { expect, it } from 'vitest';
import { batchFiles, FileAssembler, type FileBatch } from '../src/index.js';
import { batchHeaderBytes } from '../src/output/file-assembler.js';
import { propertyParams } from '../src/testing/index.js';

// Files as lists of pieces: ASCII, and text whose UTF-8 takes two, three and four bytes per
// character; pieces on both sides of the size up to which the sink gathers them into runs.
const piece = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('é', '→', '😀', 'x'.repeat(3000), 'y'.repeat(255), 'z'.repeat(256), '→'.repeat(255)));
const filesArb = fc.array(fc.array(piece, { maxLength: 40 }), { maxLength: 30 });

function expected(files: string[][]): { path: string; content: string }[] {
  return files.map((pieces, i) => ({ path: `f${i}`, content: pieces.join('') }));
}

it('returns every file as the join of its pieces, across any batch size', () => {
  fc.assert(
    fc.property(filesArb, fc.constantFrom(1, 50, 4096, undefined), (files, batchChars) => {
      const a = new FileAssembler(undefined, batchChars === undefined ? {} : { batchChars });
      const sizes = files.map((pieces, i) => a.add(`f${i}`, (out) => out.push(...pieces)));
      a.finish();
      expect(a.files).toEqual(expected(files));
      expect(sizes).toEqual(files.map((p) => p.join('').length));
    }),
    propertyParams(),
  );
});

it('encodes every file to a sink as UTF-8, in order, whatever the block size', () => {
  fc.assert(
    fc.property(filesArb, fc.constantFrom(16, 200, 5000, undefined), (files, arenaBytes) => {
      const got: { path: string; content: string }[] = [];
      const a = new FileAssembler((b) => got.push(...batchFiles(b)), arenaBytes === undefined ? {} : { arenaBytes });
      files.forEach((pieces, i) => a.add(`f${i}`, (out) => out.push(...pieces)));
      a.finish();
      expect(a.files).toEqual([]);
      expect(got).toEqual(expected(files));
      for (const f of got) expect(Buffer.byteLength(f.content)).toBe(Buffer.from(f.content).length);
    }),
    propertyParams(),
  );
});

it('encodes long runs of small pieces whole (the sink gathers them in runs of some kilobytes)', () => {
  const files = [Array.from({ length: 300 }, (_, i) => `${i}:${'→é'.repeat(i % 90)};`), Array.from({ length: 50 }, () => 'a'.repeat(255))];
  const got: { path: string; content: string }[] = [];
  const a = new FileAssembler((b) => got.push(...batchFiles(b)));
  files.forEach((pieces, i) => a.add(`f${i}`, (out) => out.push(...pieces)));
  a.finish();
  expect(got).toEqual(expected(files));
});

it('never reuses the memory of a batch before it is released, and reuses it after', () => {
  const files = Array.from({ length: 200 }, (_, i) => [`file ${i} `, 'x'.repeat(i * 7)]);
  // Held: every batch stays intact while later files are encoded.
  const held: FileBatch[] = [];
  const a = new FileAssembler((b) => held.push(b), { arenaBytes: 4096 });
  files.forEach((pieces, i) => a.add(`f${i}`, (out) => out.push(...pieces)));
  a.finish();
  expect(held.flatMap((b) => batchFiles(b))).toEqual(expected(files));
  expect(new Set(held.map((b) => b.memory)).size).toBe(held.length);

  // Released at once: one block serves every batch that fits it.
  const memories = new Set<SharedArrayBuffer>();
  const got: { path: string; content: string }[] = [];
  const b = new FileAssembler(
    (batch) => {
      memories.add(batch.memory);
      got.push(...batchFiles(batch));
    },
    { arenaBytes: 4096 },
  );
  files.forEach((pieces, i) => b.add(`f${i}`, (out) => out.push(...pieces)));
  b.finish();
  expect(got).toEqual(expected(files));
  // Files of more than a block get a block of their own, which is not kept.
  const large = files.filter((p) => batchHeaderBytes + p.join('').length * 3 > 4096).length;
  expect(memories.size).toBe(1 + large);
});
