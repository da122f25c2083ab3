import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readFileBytes, wholeReadBytes } from '../src/inputs.js';

const defaults = { ...wholeReadBytes };
afterEach(() => Object.assign(wholeReadBytes, defaults));

it('reads a file past the whole-read limit in chunks, to the same bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-inputs-'));
  try {
    const file = join(dir, 'list.json');
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => `{"n":${i},"s":"ünï"}`).join(','));
    writeFileSync(file, bytes);
    for (const chunk of [1, 7, 4096, 1 << 20]) {
      // A limit of 10 bytes plays the 2 GiB that readFileSync refuses.
      Object.assign(wholeReadBytes, { limit: 10, chunk });
      expect(Buffer.from(readFileBytes(file)).equals(readFileSync(file))).toBe(true);
    }
    Object.assign(wholeReadBytes, defaults);
    expect(Buffer.from(readFileBytes(file)).equals(bytes)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
