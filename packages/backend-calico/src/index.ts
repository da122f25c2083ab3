import { defineBackend, type EmitFile } from '@netpolc/ir';
import { lowerProgram } from './lower.js';
import type { CalicoObject } from './model.js';
import { flags, parseOptions, type CalicoOptions } from './options.js';
import { printObjects } from './print.js';
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
 * Output files: `cluster.yaml` with cluster-wide objects (sorts before every
 * `namespace-<name>.yaml`, so `kubectl apply -f DIR` creates the Tier before its policies),
 * one `namespace-<name>.yaml` per namespace, or one stream for standard output.
 */
function files(objects: readonly CalicoObject[], stdout: boolean): EmitFile[] {
  if (stdout) return [{ path: 'calico.yaml', content: printObjects(objects) }];
  const groups = new Map<string, CalicoObject[]>();
  for (const o of objects) {
    const path = o.kind === 'Tier' ? 'cluster.yaml' : `namespace-${o.metadata.namespace}.yaml`;
    groups.set(path, [...(groups.get(path) ?? []), o]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, list]) => ({ path, content: printObjects(list) }));
}

/** The calico backend: NetworkPolicies -> Calico projectcalico.org/v3 NetworkPolicies (and a Tier). */
export const calicoBackend = defineBackend<CalicoOptions>({
  name: 'calico',
  description: 'Calico projectcalico.org/v3 NetworkPolicy and Tier objects, with optional Log rules and audit mode',
  flags,
  parseOptions,
  emit({ program }, options) {
    const lowered = lowerProgram(program, options);
    return {
      files: files(lowered.objects, options.stdout),
      diagnostics: lowered.diagnostics,
      ...(options.report ? { report: migrationReport(program, options, lowered) } : {}),
    };
  },
});
