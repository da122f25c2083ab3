import { expect, it } from 'vitest';
import { nftablesBackend } from '../src/index.js';

it('is registered under its directory name', () => {
  expect(nftablesBackend.name).toBe('nftables');
});
