// Names of emitted policies. What Calico (up to 3.31) accepts as a NetworkPolicy name:
// * one DNS label, or `<tier>.<label>`: at most one dot (libcalico-go/lib/validator/v3/validator.go
//   networkPolicyNameRegex); the only longer names it takes are its own `knp.default.*` and
//   `ossg.default.*`, and the API server refuses to create `knp.default.*` ("kubernetes network
//   policies must be managed through the kubernetes API", apiserver/pkg/storage/calico
//   policy_storage.go);
// * outside the default tier the name starts with `<tier>.` (lib/names/policy.go
//   ValidateTieredPolicyName; projectcalico/calico#11232 lifted this later, a prefixed name stays
//   valid), and in the default tier a name with a dot must start with `default.`;
// * in the default tier the crd.projectcalico.org object is stored as `default.<name>`
//   (projectcalico/calico#9642, #10417), which must stay within 253 characters.
// A Kubernetes name is a DNS subdomain, so its dots are replaced by `-`: the result is a DNS label,
// never one of Calico's reserved prefixes, and the tier prefix stays the only dot.
import { compareValues, type Diagnostic, type Policy } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import type { CalicoOptions } from './options.js';

/** Label on every emitted object, so generated objects can be listed and pruned together. */
export const managedByLabel = { 'app.kubernetes.io/managed-by': 'netpolc' } as const;

/** Longest object name (a DNS subdomain). */
export const maxNameLength = 253;

/** `<prefix><base>`, and `<tier>.<prefix><base>` outside the default tier; `base` holds no dot. */
export function policyName(options: CalicoOptions, base: string): string {
  const name = `${options.namePrefix}${base}`;
  return options.tier === 'default' ? name : `${options.tier}.${name}`;
}

/** The name Calico stores the policy under: default-tier names get `default.` in front. */
export function storedName(options: CalicoOptions, name: string): string {
  return options.tier === 'default' ? `default.${name}` : name;
}

/** `base`, or `base-2`, `base-3`… when taken; the result is added to `used`. */
export function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}

/**
 * The Calico name of every policy. Names without a dot are kept (they cannot collide: Kubernetes
 * names are unique per namespace); a dotted name gets its dots replaced, and a suffix if that
 * name is taken, in name order, so the result depends on the input only. Renames are warned about
 * at the policy.
 */
export function policyNames(policies: readonly Policy[], options: CalicoOptions, diagnostics: Diagnostic[]): Map<Policy, string> {
  const out = new Map<Policy, string>();
  const used = new Map<string, Set<string>>();
  const usedIn = (namespace: string): Set<string> => {
    let set = used.get(namespace);
    if (!set) used.set(namespace, (set = new Set()));
    return set;
  };
  for (const p of policies) {
    if (p.name.includes('.')) continue;
    const name = policyName(options, p.name);
    out.set(p, name);
    usedIn(p.namespace).add(name);
  }
  const dotted = policies.filter((p) => p.name.includes('.')).sort((a, b) => compareValues(a.namespace, b.namespace) || compareValues(a.name, b.name));
  for (const p of dotted) {
    const name = uniqueName(policyName(options, p.name.replaceAll('.', '-')), usedIn(p.namespace));
    out.set(p, name);
    diagnostics.push(calicoDiagnostic('backend-calico/renamed-policy', { policy: p.name, name }, p.origin));
  }
  return out;
}
