import { answeredNamespaces, defineBackend, FileAssembler, hasErrors } from '@netpolc/ir';
import { lowerProgram } from './lower.js';
import type { CalicoObject } from './model.js';
import { flags, parseOptions, type CalicoOptions } from './options.js';
import { isOwnFile, printObjects } from './print.js';
import { migrationReport } from './report.js';

export type { CalicoOptions, LogMode } from './options.js';
export { defaultOptions } from './options.js';
export type { CalicoAction, CalicoNetworkPolicy, CalicoObject, CalicoPort, CalicoProtocol, CalicoRule, CalicoTier, EntityRule, ObjectMeta, PolicyType, TierDefaultAction } from './model.js';
export { builtinTiers, calicoApiVersion } from './model.js';
export type { Selector } from './selector.js';
export { parseSelector, printSelector } from './selector.js';
export { lowerProgram, type Lowered } from './lower.js';
export { printObject, printObjects } from './print.js';
export { parseCalicoYaml } from './parse.js';
export { calicoCatalog, type CalicoDiagnosticCode } from './diagnostics.js';

/**
 * Output files by path, in path order: `cluster.yaml` with cluster-wide objects (sorts before
 * every `namespace-<name>.yaml`, so `kubectl apply -f DIR` creates the Tier before its
 * policies), one `namespace-<name>.yaml` per namespace, or one stream for standard output.
 */
function fileGroups(objects: readonly CalicoObject[], stdout: boolean): [string, CalicoObject[]][] {
  if (stdout) return [['calico.yaml', [...objects]]];
  const groups = new Map<string, CalicoObject[]>();
  for (const o of objects) {
    const path = o.kind === 'Tier' ? 'cluster.yaml' : `namespace-${o.metadata.namespace}.yaml`;
    const list = groups.get(path);
    if (list) list.push(o);
    else groups.set(path, [o]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** The calico backend: NetworkPolicies -> Calico projectcalico.org/v3 NetworkPolicies (and a Tier). */
export const calicoBackend = defineBackend<CalicoOptions>({
  name: 'calico',
  outputScope: 'namespace',
  description: 'Calico projectcalico.org/v3 NetworkPolicy and Tier objects, with optional Log rules and audit mode',
  flags,
  parseOptions,
  emit(input, options, sink) {
    const { program } = input;
    const lowered = lowerProgram(program, options);
    // Without errors, files go to the sink as they are printed (encoded into shared memory).
    const assembler = new FileAssembler(options.stdout || hasErrors(lowered.diagnostics) ? undefined : sink);
    for (const [path, list] of fileGroups(lowered.objects, options.stdout)) assembler.add(path, (out) => void out.push(printObjects(list)));
    assembler.finish();
    // A namespace the program answers for that has no file now lost its policies.
    const namespaces = answeredNamespaces(input);
    return {
      files: assembler.files,
      diagnostics: lowered.diagnostics,
      owns: (path, head) => isOwnFile(namespaces, path, head),
      ...(options.report ? { report: migrationReport(program, options, lowered) } : {}),
    };
  },
});
