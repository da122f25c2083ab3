import { expect, it } from 'vitest';
import { harnessVersion } from '../src/index.js';

it('exports its version', () => {
  expect(harnessVersion).toBe('0.1.0');
});
