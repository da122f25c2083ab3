import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { byteWindows, readDefaults } from '@netpolc/ir/testing';
import { fileWindows } from '../src/inputs.js';

/**
 * A fresh directory for each test, given to `use` before it and removed after it; and the reading
 * thresholds and windows that tests shrink (to play the 512 MiB and 64 MiB) put back after each.
 */
export function scratchPerTest(prefix: string, use: (dir: string) => void): void {
  const defaults = { files: { ...fileWindows }, read: { ...readDefaults }, windows: { ...byteWindows } };
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    use(dir);
  });
  afterEach(() => {
    Object.assign(fileWindows, defaults.files);
    Object.assign(readDefaults, defaults.read);
    Object.assign(byteWindows, defaults.windows);
    rmSync(dir, { recursive: true, force: true });
  });
}
