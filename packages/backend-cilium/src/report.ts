// The migration report (`--report`): policy by policy, every adjustment made for Cilium.
import type { LoweredPolicy } from './lower.js';
import { formatVersion, type CiliumOptions } from './options.js';

/** Text of the report. */
export function migrationReport(policies: readonly LoweredPolicy[], files: ReadonlyMap<LoweredPolicy, string>, options: CiliumOptions): string {
  const out: string[] = [`netpolc cilium migration report (target Cilium ${formatVersion(options.ciliumVersion)}, ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'})`];
  for (const p of policies) {
    out.push('', `NetworkPolicy ${p.source.namespace}/${p.source.name} -> CiliumNetworkPolicy ${p.object.metadata.namespace}/${p.object.metadata.name} (${files.get(p) ?? '-'})`);
    if (p.notes.length === 0) out.push('  translated one to one: no Cilium semantic difference applies');
    for (const line of p.notes) out.push(`  - ${line}`);
  }
  return `${out.join('\n')}\n`;
}
