import { readdirSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { resolve, type Program, type Protocol } from '@netpolc/ir';
import { casePorts, corpusCases, matrixText, referenceMatrixText } from '@netpolc/ir/testing';
import { ciliumBackend } from '../src/index.js';
import { CiliumEvaluator } from './support/cilium-eval.js';
import { options } from './support/harness.js';
import { parseCiliumYaml } from './support/parse.js';
import { loadExamples } from './support/sources.js';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const cases = corpusCases();

/** The truth tables of the emitted YAML under Cilium semantics, in the reference layout. */
function ciliumMatrixText(program: Program, yaml: string, ports: readonly { protocol: Protocol; port: number }[]): string {
  const evaluator = new CiliumEvaluator(program, parseCiliumYaml(yaml));
  return matrixText(program, ports, (conn) => evaluator.allowed(conn));
}

function diagnosticsText(ds: readonly { code: string; severity: string; message: string; target: unknown }[]): string {
  return ds.map((d) => `${d.severity} ${d.code}: ${d.message} @ ${JSON.stringify(d.target)}`).join('\n') + (ds.length > 0 ? '\n' : '');
}

for (const c of cases) {
  it(`matches the golden output for corpus case ${c.name}`, async () => {
    const loaded = c.load();
    if (c.expectError) {
      // Invalid input never reaches a backend; the golden records why.
      expect(loaded.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      await expect(diagnosticsText(loaded.diagnostics.filter((d) => d.severity === 'error'))).toMatchFileSnapshot(`${goldenDir}${c.name}.diagnostics.txt`);
      return;
    }
    const out = ciliumBackend.emit({ program: loaded.program, resolved: resolve(loaded.program) }, options({ 'out-dir': '-' }));
    const yaml = out.files[0]!.content;
    await expect(yaml).toMatchFileSnapshot(`${goldenDir}${c.name}.yaml`);
    await expect(diagnosticsText(out.diagnostics)).toMatchFileSnapshot(`${goldenDir}${c.name}.diagnostics.txt`);
    // The truth tables of the output under Cilium semantics are the Kubernetes ones.
    const ports = casePorts(c.config);
    expect(ciliumMatrixText(loaded.program, yaml, ports)).toBe(referenceMatrixText(loaded.program, ports));
  });
}

it('matches the golden output and report for the repository examples', async () => {
  const loaded = loadExamples();
  const out = ciliumBackend.emit({ program: loaded.program, resolved: resolve(loaded.program) }, options({ 'out-dir': '-', report: true }));
  await expect(out.files[0]!.content).toMatchFileSnapshot(`${goldenDir}examples.yaml`);
  await expect(out.report).toMatchFileSnapshot(`${goldenDir}examples.report.txt`);
  await expect(diagnosticsText(out.diagnostics)).toMatchFileSnapshot(`${goldenDir}examples.diagnostics.txt`);
  const ports = [80, 8080, 5432, 9102, 53].flatMap((port) => [{ protocol: 'TCP' as const, port }, { protocol: 'UDP' as const, port }]);
  expect(ciliumMatrixText(loaded.program, out.files[0]!.content, ports)).toBe(referenceMatrixText(loaded.program, ports));
});

it('has a golden for every corpus case and no golden without a case', () => {
  const expected = new Set<string>(['examples.yaml', 'examples.report.txt', 'examples.diagnostics.txt']);
  for (const c of cases) {
    if (!c.expectError) expected.add(`${c.name}.yaml`);
    expected.add(`${c.name}.diagnostics.txt`);
  }
  const present = (readdirSync(goldenDir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((f) => f.isFile())
    .map((f) => relative(goldenDir, join(f.parentPath, f.name)));
  expect([...present].sort()).toEqual([...expected].sort());
});
