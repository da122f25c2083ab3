import type { CalicoOptions } from './options.js';

/** Label on every emitted object, so generated objects can be listed and pruned together. */
export const managedByLabel = { 'app.kubernetes.io/managed-by': 'netpolc' } as const;

/**
 * `<prefix><name>`, and `<tier>.<prefix><name>` outside the default tier: Calico 3.29-3.31
 * require the tier prefix there (projectcalico/calico#11232 lifted the rule later; a prefixed
 * name stays valid).
 */
export function policyName(options: CalicoOptions, base: string): string {
  const name = `${options.namePrefix}${base}`;
  return options.tier === 'default' ? name : `${options.tier}.${name}`;
}
