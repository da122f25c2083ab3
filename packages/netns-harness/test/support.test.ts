import { afterEach, expect, it, vi } from 'vitest';
import { kernelSupport, kernelTestMode } from '../src/index.js';
import { gateFor } from '../src/support.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

it('reads the kernel test mode from NETPOLC_KERNEL_TESTS', () => {
  vi.stubEnv('NETPOLC_KERNEL_TESTS', 'require');
  expect(kernelTestMode()).toBe('require');
  vi.stubEnv('NETPOLC_KERNEL_TESTS', '');
  expect(kernelTestMode()).toBe('auto');
  vi.stubEnv('NETPOLC_KERNEL_TESTS', 'auto');
  expect(kernelTestMode()).toBe('auto');
});

it('skips loudly without kernel support in auto mode', () => {
  const gate = gateFor({ ok: false, reason: 'not root' }, 'auto');
  expect(gate.skip).toBe(true);
  expect(gate.label('probes pods')).toBe('probes pods [skipped: no kernel support: not root]');
});

it('fails with the reason without kernel support in require mode', () => {
  const gate = gateFor({ ok: false, reason: 'missing nft' }, 'require');
  expect(gate.skip).toBe(false);
  expect(gate.label('probes pods')).toBe('probes pods');
  expect(() => gate.assertSupported()).toThrow(
    'kernel tests are required (NETPOLC_KERNEL_TESTS=require) but unavailable: missing nft',
  );
});

it('runs the tests when the kernel supports them', () => {
  for (const mode of ['auto', 'require'] as const) {
    const gate = gateFor({ ok: true }, mode);
    expect(gate.skip).toBe(false);
    expect(gate.label('probes pods')).toBe('probes pods');
    expect(() => gate.assertSupported()).not.toThrow();
  }
});

it('caches the kernel support answer', () => {
  const first = kernelSupport();
  expect(kernelSupport()).toBe(first);
  if (!first.ok) expect(first.reason).not.toBe('');
});
