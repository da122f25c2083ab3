import { expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';

it('is registered under its directory name', () => {
  expect(iptablesBackend.name).toBe('iptables');
});
