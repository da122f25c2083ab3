import { expect, it } from 'vitest';
import { calicoBackend } from '../src/index.js';

it('is registered under its directory name', () => {
  expect(calicoBackend.name).toBe('calico');
});
