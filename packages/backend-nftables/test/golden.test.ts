import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { evaluate, resolve, type Connection, type Endpoint, type LoadResult } from '@netpolc/ir';
import { corpusCases } from '@netpolc/ir/testing';
import { nftablesBackend } from '../src/index.js';
import type { Ruleset } from '../src/model.js';
import { goldenCases, goldenDir } from './support/cases.js';
import { clusterDecision } from './support/cluster.js';
import { parseRuleset } from './support/parse.js';

// Goldens are the exact files `netpolc compile --backend nftables` writes, one directory per
// case (`<case>/<node>.nft`, plus `diagnostics.txt` when the backend reports something). They
// were read by hand; regenerate with `npx vitest run -u` and review the diff. Besides the bytes,
// each golden is parsed back and interpreted against the reference evaluator.

const cases = goldenCases();
const outside = ['203.0.113.9', '198.18.0.99', '8.8.8.8', '198.19.0.1', '198.19.0.2', '2001:db8::5', '2001:db8:ff::1'];

function diagnosticsText(r: LoadResult, ds: readonly { severity: string; code: string; message: string; target: Parameters<LoadResult['locate']>[0] }[]): string {
  return ds.map((d) => {
    const loc = r.locate(d.target);
    return `${loc ? `${loc.file}:${loc.line}:${loc.column}` : '-'} ${d.severity} ${d.code}: ${d.message}\n`;
  }).join('');
}

for (const c of cases) {
  it(`${c.name}: golden per-node rulesets that mean what the reference evaluator says`, async () => {
    const r = c.load();
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const parsed = nftablesBackend.parseOptions({ 'out-dir': 'out', ...c.flags });
    expect(parsed.diagnostics).toEqual([]);
    const result = nftablesBackend.emit({ program: r.program, resolved: resolve(r.program) }, parsed.options);
    for (const f of result.files) await expect(f.content).toMatchFileSnapshot(join(goldenDir, c.name, f.path));
    const diagnosticsPath = join(goldenDir, c.name, 'diagnostics.txt');
    if (result.diagnostics.length > 0) await expect(diagnosticsText(r, result.diagnostics)).toMatchFileSnapshot(diagnosticsPath);
    else expect(existsSync(diagnosticsPath), `${diagnosticsPath} is stale`).toBe(false);
    const expectedFiles = [...result.files.map((f) => f.path), ...(result.diagnostics.length > 0 ? ['diagnostics.txt'] : [])].sort();
    expect(readdirSync(join(goldenDir, c.name)).sort(), 'orphan golden files').toEqual(expectedFiles);

    const rulesets = new Map<string, Ruleset>(result.files.map((f) => [f.path.replace(/\.nft$/, ''), parseRuleset(f.content)]));
    const endpoints: Endpoint[] = r.program.inventory.pods.filter((p) => p.actionable).flatMap((p) => p.addresses.map((a) => ({ kind: 'pod', namespace: p.namespace, name: p.name, ip: a.ip }) as const));
    endpoints.push(...outside.map((ip) => ({ kind: 'ip', ip }) as const));
    for (const src of endpoints) {
      for (const dst of endpoints) {
        if (src.kind === 'ip' && dst.kind === 'ip') continue;
        if (src.ip!.includes(':') !== dst.ip!.includes(':')) continue;
        for (const { protocol, port } of c.ports) {
          const conn: Connection = { src, dst, protocol, port };
          const reference = evaluate(r.program, conn);
          if ('error' in reference) continue;
          // Hairpinned: a pod's connection to itself crosses its node (through a Service).
          expect(clusterDecision(r.program, rulesets, conn, { hairpin: true })!.allowed, JSON.stringify(conn)).toBe(reference.allowed);
        }
      }
    }
  });
}

it('has a golden directory for every valid corpus case and the examples, and nothing else', () => {
  const expected = cases.map((c) => c.name).sort();
  const dirs = (existsSync(goldenDir) ? readdirSync(goldenDir, { recursive: true, withFileTypes: true }) : [])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(goldenDir.length + 1));
  const caseOf = (path: string): string => path.slice(0, path.lastIndexOf('/'));
  expect([...new Set(dirs.map(caseOf))].sort()).toEqual(expected);
  // Error cases never reach a backend (the CLI stops at input errors): they have no golden.
  for (const e of corpusCases().filter((x) => x.expectError)) expect(expected).not.toContain(e.name);
});
