import { expect, it } from 'vitest';
import { ciliumBackend } from '../src/index.js';

it('is registered under its directory name', () => {
  expect(ciliumBackend.name).toBe('cilium');
});
