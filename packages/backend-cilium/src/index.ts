import { answeredNamespaces, defineBackend, FileAssembler, hasErrors, type BackendInput, type EmitResult, type FileSink } from '@netpolc/ir';
import { lowerProgram, type LoweredPolicy } from './lower.js';
import { ciliumFlags, parseCiliumOptions, type CiliumOptions } from './options.js';
import { isOwnFile, writeStream } from './print.js';
import { migrationReport } from './report.js';

export type { CiliumOptions, CiliumVersion } from './options.js';
export type * from './model.js';
export { ciliumDiagnostics } from './diagnostics.js';
export { lowerProgram } from './lower.js';
export { printObject, printStream } from './print.js';

/** Name of the single file written for `--out-dir -`. */
export const streamFileName = 'cilium-network-policies.yaml';

/**
 * Translates and prints; pure and deterministic. Without errors, files go to `sink` as they are
 * printed (encoded into shared memory, not copied into a message each).
 */
function emit(input: BackendInput, options: CiliumOptions, sink?: FileSink): EmitResult {
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
  if (options.stdout && byFile.size === 0) byFile.set(streamFileName, []);
  const assembler = new FileAssembler(options.stdout || hasErrors(lowered.diagnostics) ? undefined : sink);
  for (const path of [...byFile.keys()].sort()) {
    assembler.add(path, (out) => writeStream(byFile.get(path)!.map((p) => p.object), out));
  }
  assembler.finish();
  const namespaces = answeredNamespaces(input);
  return {
    files: assembler.files,
    diagnostics: lowered.diagnostics,
    // A namespace the program knows that has no file now lost its policies.
    owns: (path, head) => isOwnFile(namespaces, path, head),
    ...(options.report ? { report: migrationReport(lowered.policies, fileOf, options) } : {}),
  };
}

/**
 * The Cilium backend: NetworkPolicies → `cilium.io/v2` CiliumNetworkPolicies that behave the
 * same under Cilium's rules, one file per namespace.
 */
export const ciliumBackend = defineBackend<CiliumOptions>({
  name: 'cilium',
  outputScope: 'namespace',
  description: 'Cilium CiliumNetworkPolicy (cilium.io/v2) with Kubernetes semantics preserved',
  flags: ciliumFlags,
  parseOptions: parseCiliumOptions,
  emit,
});
