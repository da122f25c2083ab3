import { defineBackend, type BackendInput, type EmitFile, type EmitResult } from '@netpolc/ir';
import { lowerProgram, type LoweredPolicy } from './lower.js';
import { ciliumFlags, parseCiliumOptions, type CiliumOptions } from './options.js';
import { printStream } from './print.js';
import { migrationReport } from './report.js';

export type { CiliumOptions, CiliumVersion } from './options.js';
export type * from './model.js';
export { ciliumDiagnostics } from './diagnostics.js';
export { lowerProgram } from './lower.js';
export { printObject, printStream } from './print.js';

/** Name of the single file written for `--out-dir -`. */
export const streamFileName = 'cilium-network-policies.yaml';

/** Translates and prints; pure and deterministic. */
function emit(input: BackendInput, options: CiliumOptions): EmitResult {
  const lowered = lowerProgram(input, options);
  // program.policies is sorted by namespace and name, so grouping keeps a stable order.
  const byFile = new Map<string, LoweredPolicy[]>();
  const fileOf = new Map<LoweredPolicy, string>();
  for (const p of lowered.policies) {
    const path = options.stdout ? streamFileName : `${p.object.metadata.namespace}.yaml`;
    const list = byFile.get(path);
    if (list) list.push(p);
    else byFile.set(path, [p]);
    fileOf.set(p, path);
  }
  const files: EmitFile[] = [...byFile.keys()].sort().map((path) => ({ path, content: printStream(byFile.get(path)!.map((p) => p.object)) }));
  if (options.stdout && files.length === 0) files.push({ path: streamFileName, content: printStream([]) });
  return {
    files,
    diagnostics: lowered.diagnostics,
    ...(options.report ? { report: migrationReport(lowered.policies, fileOf, options) } : {}),
  };
}

/**
 * The Cilium backend: NetworkPolicies → `cilium.io/v2` CiliumNetworkPolicies that behave the
 * same under Cilium's rules, one file per namespace.
 */
export const ciliumBackend = defineBackend<CiliumOptions>({
  name: 'cilium',
  description: 'Cilium CiliumNetworkPolicy (cilium.io/v2) with Kubernetes semantics preserved',
  flags: ciliumFlags,
  parseOptions: parseCiliumOptions,
  emit,
});
