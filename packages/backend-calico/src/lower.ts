// Symbolic IR -> typed model of Calico objects. Selector-preserving: subjects and peers stay
// label selectors, so the output keeps working as pods come and go; nothing is resolved to IPs.
import { appendAll, compareValues, compilerAssert, icmpEssentialTypes, NoTarget, refAt, type Diagnostic, type Direction, type Policy, type Program } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import { isolationPolicies, type IsolationPlan } from './isolation.js';
import { lowerSelectorParts } from './lower-selector.js';
import { inventoryFacts, lowerRule, type InventoryFacts } from './lower-rules.js';
import { builtinTiers, type CalicoNetworkPolicy, type CalicoObject, type CalicoRule, type CalicoTier, type PolicyType, type TierDefaultAction } from './model.js';
import { managedByLabel, maxNameLength, policyNames, storedName, uniqueName } from './names.js';
import type { CalicoOptions } from './options.js';
import { checkStoredSize } from './size.js';
import type { Selector } from './selector.js';

/** Calico accepts at most 1024 rules per direction of a policy (CRD maxItems). */
export const maxRules = 1024;

/** The lowered model and what the report needs to know about it. */
export interface Lowered {
  /** Cluster-wide objects first, then namespaced objects by namespace and name. */
  readonly objects: readonly CalicoObject[];
  readonly diagnostics: readonly Diagnostic[];
  /** The default action of the tier the policies live in. */
  readonly tierDefaultAction: TierDefaultAction;
  /** Number of isolation policies (one per namespace and direction, more when selectors are long). */
  readonly isolationCount: number;
  /** NetworkPolicies written as several Calico policies (a pod selector too long for one), by name. */
  readonly splits: readonly { readonly policy: string; readonly parts: number }[];
}

function unsupportedSemantics(program: Program, diagnostics: Diagnostic[]): void {
  const s = program.semantics;
  const anyIsolation = (d: Direction): boolean => program.policies.some((p) => p[d] !== null);
  const ipBlock = program.policies.some((p) => [p.ingress, p.egress].some((rules) => rules?.some((r) => r.peers !== 'any' && r.peers.some((peer) => peer.kind === 'ip-block'))));
  // Calico nets match any address, pods included (projectcalico/calico#6634).
  if (!s.ipBlockMatchesPods && ipBlock) {
    diagnostics.push(calicoDiagnostic('backend-calico/unsupported-semantics', { knob: 'ipblock-matches-pods', reason: 'Calico nets match pod addresses too' }, NoTarget));
  }
  // Felix matches nets on a packet's address, whether a host or a hostNetwork pod sent it; only
  // a list of node addresses in notNets could exclude them, which a selector-preserving output
  // cannot keep current as nodes come and go.
  if (!s.ipBlockMatchesNodes && ipBlock) {
    diagnostics.push(calicoDiagnostic('backend-calico/unsupported-semantics', { knob: 'ipblock-matches-nodes', reason: 'Calico nets match node addresses too' }, NoTarget));
  }
  // Felix does not police traffic from a host to its own workloads (projectcalico/calico#1683).
  if (!s.allowNodeLocalIngress && anyIsolation('ingress')) {
    diagnostics.push(calicoDiagnostic('backend-calico/unsupported-semantics', { knob: 'node-local-ingress', reason: 'traffic from a node to its own pods bypasses Calico policy' }, NoTarget));
  }
  // A pod's traffic to itself never leaves its network namespace, so no policy sees it.
  if (!s.allowSelf && (anyIsolation('ingress') || anyIsolation('egress'))) {
    diagnostics.push(calicoDiagnostic('backend-calico/unsupported-semantics', { knob: 'allow-self', reason: "a pod's traffic to itself never reaches Calico policy" }, NoTarget));
  }
}

/**
 * kube-router's common ICMP types as Allow rules (`--semantics icmp-essentials`), first in each
 * direction of every translated policy. Every pod isolated in a direction is selected by some
 * translated policy of that direction, so whichever of them Calico tries first admits the types,
 * from and to anything, before any rule of a policy decides: as kube-router (and the iptables
 * and nftables backends) accept them before any policy chain, and likewise never logged. Pods no
 * policy isolates are not selected at all.
 */
const icmpEssentialRules: readonly CalicoRule[] = [
  ...icmpEssentialTypes[4].map((type): CalicoRule => ({ action: 'Allow', protocol: 'ICMP', icmp: { type } })),
  ...icmpEssentialTypes[6].map((type): CalicoRule => ({ action: 'Allow', protocol: 'ICMPv6', icmp: { type } })),
];

/** A Log rule with the same match as `rule`, placed before it: Log is non-terminal. */
function withLog(rules: readonly CalicoRule[]): CalicoRule[] {
  return rules.flatMap((r) => [{ ...r, action: 'Log' as const }, r]);
}

/**
 * The Calico policies of one NetworkPolicy: one, or one per part of a pod selector too long for
 * Calico ({@link lowerSelectorParts}), each with the same rules. A pod is isolated and allowed by
 * the union of policies selecting it, so policies whose selectors OR to the subject, with equal
 * rules and order, decide exactly as one would. Parts after the first are named
 * `<name>-2`, `<name>-3`… skipping names in `used`, which holds every policy name of the namespace.
 */
function lowerPolicy(
  policy: Policy,
  name: string,
  used: Set<string>,
  options: CalicoOptions,
  diagnostics: Diagnostic[],
  facts: InventoryFacts,
  essentials: boolean,
): { policies: CalicoNetworkPolicy[]; subjects: Selector[] } {
  // A subject Calico cannot be given (an error was reported) still isolates, fail closed: the
  // policy then selects every pod of its namespace and allows nothing, so the model never allows
  // more than Kubernetes (dropping it would leave its pods open). The CLI writes nothing anyway.
  const written = lowerSelectorParts(policy.subject, refAt(policy.origin, 'spec', 'podSelector'), 'pod selector', diagnostics);
  const subjects: Selector[] = written ?? [{ kind: 'all' }];
  const names = subjects.map((_, i) => (i === 0 ? name : uniqueName(name, used)));
  if (names.length > 1) diagnostics.push(calicoDiagnostic('backend-calico/policy-split', { name, count: names.length, last: names.at(-1)! }, policy.origin));
  for (const n of names) {
    const stored = storedName(options, n);
    // Kept in the model under its name: the error says Calico cannot store it.
    if (stored.length > maxNameLength) diagnostics.push(calicoDiagnostic('backend-calico/name-too-long', { name: n, stored }, policy.origin));
  }
  const logAllowed = options.log === 'allowed' || options.log === 'all';
  const direction = (d: Direction): CalicoRule[] | undefined => {
    const rules = policy[d];
    if (rules === null) return undefined;
    // Lowered even under a subject that cannot be written, so that their errors show in the same run.
    const allow = rules.flatMap((r) => lowerRule(r, d, diagnostics, facts));
    if (!written) return [];
    const logged = logAllowed ? withLog(allow) : allow;
    const out = essentials ? [...icmpEssentialRules, ...logged] : logged;
    if (out.length > maxRules) diagnostics.push(calicoDiagnostic('backend-calico/too-many-rules', { name, count: out.length, direction: d }, policy.origin));
    return out;
  };
  const ingress = direction('ingress');
  const egress = direction('egress');
  // Always explicit: Calico's default for `types` (Egress when only egress rules exist) is not
  // the Kubernetes one (semantics.md §5.3).
  const types: PolicyType[] = [...(ingress ? ['Ingress' as const] : []), ...(egress ? ['Egress' as const] : [])];
  compilerAssert(types.length > 0, `policy ${policy.namespace}/${policy.name} isolates no direction`);
  const policies = subjects.map((selector, i): CalicoNetworkPolicy => ({
    kind: 'NetworkPolicy',
    metadata: { name: names[i]!, namespace: policy.namespace, labels: managedByLabel },
    spec: {
      ...(options.tier === 'default' ? {} : { tier: options.tier }),
      order: options.order,
      selector,
      types,
      ...(ingress && ingress.length > 0 ? { ingress } : {}),
      ...(egress && egress.length > 0 ? { egress } : {}),
    },
  }));
  // Parts differ in name and selector only: the first part too large speaks for the rest.
  for (const p of policies) {
    const before = diagnostics.length;
    checkStoredSize(p, policy.origin, diagnostics);
    if (diagnostics.length > before) break;
  }
  return { subjects, policies };
}

const byName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }): number => compareValues(a.metadata.name, b.metadata.name);

/** Lowers every policy of the program to Calico objects. */
export function lowerProgram(program: Program, options: CalicoOptions): Lowered {
  const diagnostics: Diagnostic[] = [];
  unsupportedSemantics(program, diagnostics);
  const builtin = builtinTiers[options.tier];
  const tierDefaultAction: TierDefaultAction = builtin ? builtin.defaultAction : 'Pass';

  const names = policyNames(program.policies, options, diagnostics);
  const facts = inventoryFacts(program.inventory.pods);
  const byNamespace = new Map<string, { policies: CalicoNetworkPolicy[]; plan: IsolationPlan; used: Set<string> }>();
  // Every policy's own name is taken before any is split, so part names do not depend on order.
  for (const policy of program.policies) {
    let ns = byNamespace.get(policy.namespace);
    if (!ns) byNamespace.set(policy.namespace, (ns = { policies: [], plan: { ingress: [], egress: [] }, used: new Set() }));
    ns.used.add(names.get(policy)!);
  }
  const splits: { policy: string; parts: number }[] = [];
  for (const policy of program.policies) {
    const ns = byNamespace.get(policy.namespace)!;
    const lowered = lowerPolicy(policy, names.get(policy)!, ns.used, options, diagnostics, facts, program.semantics.allowIcmpEssentials);
    if (lowered.policies.length > 1) splits.push({ policy: `${policy.namespace}/${policy.name}`, parts: lowered.policies.length });
    appendAll(ns.policies, lowered.policies);
    if (policy.ingress !== null) appendAll(ns.plan.ingress, lowered.subjects);
    if (policy.egress !== null) appendAll(ns.plan.egress, lowered.subjects);
  }

  const objects: CalicoObject[] = [];
  if (!builtin) {
    // A tier of our own passes what it does not decide, so later tiers (the default tier with
    // live knp.default.* policies, kube-baseline) still see traffic of pods it does not isolate;
    // isolation is explicit, in the isolation policies below.
    const tier: CalicoTier = { kind: 'Tier', metadata: { name: options.tier, labels: managedByLabel }, spec: { order: options.tierOrder, defaultAction: 'Pass' } };
    objects.push(tier);
  }
  let isolationCount = 0;
  for (const namespace of [...byNamespace.keys()].sort()) {
    const ns = byNamespace.get(namespace)!;
    const isolation = isolationPolicies(namespace, ns.plan, new Set(ns.policies.map((p) => p.metadata.name)), options, tierDefaultAction);
    for (const p of isolation) {
      const stored = storedName(options, p.metadata.name);
      if (stored.length > maxNameLength) diagnostics.push(calicoDiagnostic('backend-calico/name-too-long', { name: p.metadata.name, stored }, NoTarget));
      checkStoredSize(p, NoTarget, diagnostics);
    }
    isolationCount += isolation.length;
    appendAll(objects, [...ns.policies, ...isolation].sort(byName));
  }
  splits.sort((a, b) => compareValues(a.policy, b.policy));
  return { objects, diagnostics, tierDefaultAction, isolationCount, splits };
}
