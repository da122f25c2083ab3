import { join } from 'node:path';
import { expect, it } from 'vitest';
import { allowedResolved, hasErrors, resolve, type Diagnostic, type LoadResult } from '../src/index.js';
import { casePorts, corpusCases, referenceMatrixText } from '../src/testing/index.js';

function diagnosticsText(r: LoadResult, diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const loc = r.locate(d.target);
      return `${loc ? `${loc.file}:${loc.line}:${loc.column}` : '-'} ${d.severity} ${d.code}: ${d.message}`;
    })
    .join('\n') + '\n';
}

for (const c of corpusCases()) {
  if (c.expectError) {
    it(`rejects ${c.name} with located errors (golden diagnostics)`, async () => {
      const r = c.load();
      expect(hasErrors(r.diagnostics)).toBe(true);
      await expect(diagnosticsText(r, r.diagnostics)).toMatchFileSnapshot(join(c.dir, 'diagnostics.txt'));
    });
    continue;
  }
  it(`${c.name}: reference matrix (golden) and resolver agreement`, async () => {
    const r = c.load();
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ports = casePorts(c.config);
    await expect(referenceMatrixText(r.program, ports)).toMatchFileSnapshot(join(c.dir, 'matrix.txt'));
    const resolved = resolve(r.program);
    const pods = r.program.inventory.pods.filter((p) => p.actionable);
    const externals = ['203.0.113.9', '198.18.0.99', '198.18.1.200', '198.19.0.1', '198.19.0.2', '2001:db8::5', '2001:db8::1:5'];
    for (const { protocol, port } of ports) {
      for (const s of pods) {
        for (const d of pods) {
          for (const sa of s.addresses) {
            const da = d.addresses.find((a) => a.family === sa.family);
            if (!da) continue;
            const conn = { src: { kind: 'pod', namespace: s.namespace, name: s.name, ip: sa.ip }, dst: { kind: 'pod', namespace: d.namespace, name: d.name, ip: da.ip }, protocol, port } as const;
            expect(allowedResolved(resolved, conn), `${s.name}->${d.name}`).toBe(referenceVerdict(r, conn));
          }
        }
        for (const ip of externals) {
          for (const conn of [
            { src: { kind: 'ip', ip } as const, dst: { kind: 'pod', namespace: s.namespace, name: s.name } as const, protocol, port },
            { src: { kind: 'pod', namespace: s.namespace, name: s.name } as const, dst: { kind: 'ip', ip } as const, protocol, port },
          ]) {
            expect(allowedResolved(resolved, conn)).toBe(referenceVerdict(r, conn));
          }
        }
      }
    }
  });
}

import { evaluate, type Connection } from '../src/index.js';
function referenceVerdict(r: LoadResult, conn: Connection): boolean | undefined {
  const v = evaluate(r.program, conn);
  return 'error' in v ? undefined : v.allowed;
}
