import { expect, it } from 'vitest';
import { resolve } from '@netpolc/ir';
import { corpusCases } from '@netpolc/ir/testing';
import { benchNftables } from '../src/bench.js';
import { compile } from './support/compile.js';

it('reports per-node figures that match what the backend writes', () => {
  const program = corpusCases().find((c) => c.name === 'named-ports')!.load().program;
  const figures = benchNftables(resolve(program), { kernel: false });
  const { texts, models } = compile(program);
  const bytes = [...texts.values()].map((t) => Buffer.byteLength(t));
  const rules = [...models.values()].map((m) => m.table.chains.reduce((n, c) => n + c.rules.length, 0));
  expect(figures.nodes).toBe(texts.size);
  expect(figures.totalBytes).toBe(bytes.reduce((a, b) => a + b, 0));
  expect(figures.bytes.max).toBe(Math.max(...bytes));
  expect(figures.rules).toEqual({ max: Math.max(...rules), mean: rules.reduce((a, b) => a + b, 0) / rules.length });
  expect(figures.largestNode).toBe([...texts.entries()].find(([, t]) => Buffer.byteLength(t) === figures.bytes.max)![0]);
  expect(figures.compileMs).toBeGreaterThan(0);
  expect(figures).toMatchObject({ kernelLoadMs: null, kernelReloadMs: null, kernelSkipped: 'not requested' });
});
