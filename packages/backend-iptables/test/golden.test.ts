import { readdirSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { resolve, type Diagnostic, type Program, type Protocol } from '@netpolc/ir';
import { casePorts, corpusCases, matrixText, referenceMatrixText } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import { iptablesBackend } from '../src/index.js';
import { networkVerdict } from './support/network.js';
import { bundle, exampleVariants, goldenDir, loadExamples } from './support/sources.js';

const cases = corpusCases();

function listGoldens(): string[] {
  return (readdirSync(goldenDir, { recursive: true, withFileTypes: true }) as Dirent[]).filter((f) => f.isFile()).map((f) => relative(goldenDir, join(f.parentPath, f.name)));
}

// Taken before any snapshot assertion can write a missing file.
const presentAtStart = listGoldens();

function expectedGoldens(): string[] {
  const out = exampleVariants.flatMap((v) => [`${v.name}.rules`, `${v.name}.diagnostics.txt`]);
  for (const c of cases) {
    if (!c.expectError) out.push(`${c.name}.rules`);
    out.push(`${c.name}.diagnostics.txt`);
  }
  return out.sort();
}

function diagnosticsText(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.severity} ${d.code}: ${d.message} @ ${JSON.stringify(d.target)}`).join('\n') + (ds.length > 0 ? '\n' : '');
}

/** The truth tables the emitted rulesets give, interpreted on the two nodes, in the reference layout. */
function iptablesMatrixText(program: Program, flags: Record<string, string | boolean>, ports: readonly { protocol: Protocol; port: number }[]): string {
  const { nodes } = lowerProgram({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
  return matrixText(program, ports, (conn) => networkVerdict(program, nodes, conn)?.allowed);
}

for (const c of cases) {
  it(`matches the golden files of corpus case ${c.name}`, async () => {
    const loaded = c.load();
    if (c.expectError) {
      // Invalid input never reaches a backend; the golden records why.
      expect(loaded.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      await expect(diagnosticsText(loaded.diagnostics.filter((d) => d.severity === 'error'))).toMatchFileSnapshot(`${goldenDir}${c.name}.diagnostics.txt`);
      return;
    }
    const out = iptablesBackend.emit({ program: loaded.program, resolved: resolve(loaded.program) }, iptablesBackend.parseOptions({}).options);
    await expect(bundle(out.files)).toMatchFileSnapshot(`${goldenDir}${c.name}.rules`);
    await expect(diagnosticsText(out.diagnostics)).toMatchFileSnapshot(`${goldenDir}${c.name}.diagnostics.txt`);
    // The rulesets, interpreted on the nodes, give the reference truth tables in every mode.
    const ports = casePorts(c.config);
    const reference = referenceMatrixText(loaded.program, ports);
    for (const flags of [{}, { 'no-ipset': true }, { log: 'all', 'deny-action': 'reject' }]) expect(iptablesMatrixText(loaded.program, flags, ports)).toBe(reference);
  });
}

for (const variant of exampleVariants) {
  it(`matches the golden files of the repository examples (${variant.name})`, async () => {
    const loaded = loadExamples();
    const parsed = iptablesBackend.parseOptions(variant.flags);
    expect(parsed.diagnostics).toEqual([]);
    const out = iptablesBackend.emit({ program: loaded.program, resolved: resolve(loaded.program) }, parsed.options);
    await expect(bundle(out.files)).toMatchFileSnapshot(`${goldenDir}${variant.name}.rules`);
    await expect(diagnosticsText(out.diagnostics)).toMatchFileSnapshot(`${goldenDir}${variant.name}.diagnostics.txt`);
    const ports = [80, 8080, 5432, 9102, 9090, 9187, 53].flatMap((port) => [{ protocol: 'TCP' as const, port }, { protocol: 'UDP' as const, port }]);
    expect(iptablesMatrixText(loaded.program, variant.flags as Record<string, string | boolean>, ports)).toBe(referenceMatrixText(loaded.program, ports));
  });
}

it('has a golden for every corpus case and example variant, and no golden without one', () => {
  // vitest -u writes missing goldens; any other run must find them committed.
  const updating = (expect.getState().snapshotState as unknown as { _updateSnapshot?: string })._updateSnapshot === 'all';
  const expected = expectedGoldens();
  const present = new Set(updating ? listGoldens() : presentAtStart);
  expect(expected.filter((f) => !present.has(f)), 'missing goldens').toEqual([]);
  expect([...present].filter((f) => !expected.includes(f)).sort(), 'orphan goldens').toEqual([]);
});
