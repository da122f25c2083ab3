import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { irDiagnostic } from '../diagnostics/catalog.js';
import { appendAll } from '../util/append.js';

/** How many objects of one skipped kind in one file are named one by one (`--verbose`). */
const skippedShown = 3;

/**
 * Keeps the first few ir/skipped-kind diagnostics of each kind in each file and says how many
 * more there were: `kubectl get all -A -o yaml` with --verbose printed one located line (and a
 * code frame) per ConfigMap, Service and ReplicaSet.
 */
export function capSkipped(diagnostics: Diagnostic[], kinds: ReadonlyMap<Diagnostic, string>): void {
  if (kinds.size <= skippedShown) return;
  const seen = new Map<string, { count: number; last: Diagnostic }>();
  const kept = diagnostics.filter((d) => {
    const key = kinds.get(d);
    if (key === undefined) return true;
    const s = seen.get(key) ?? { count: 0, last: d };
    s.count++;
    s.last = d;
    seen.set(key, s);
    return s.count <= skippedShown;
  });
  for (const [key, { count, last }] of seen) {
    if (count <= skippedShown) continue;
    const kind = key.slice(key.indexOf('\u0000') + 1);
    kept.push(irDiagnostic('ir/skipped-kind', { kind, name: `(and ${count - skippedShown} more in this file, the last here)` }, last.target));
  }
  diagnostics.length = 0;
  appendAll(diagnostics, kept);
}
