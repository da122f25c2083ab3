// Isolation policies: one per namespace and direction, selecting exactly the pods that some
// NetworkPolicy isolates in that direction, placed after every ordered policy of the tier.
//
// Why they exist. `Log` is non-terminal, and a tier that selects an endpoint but reaches no
// terminal action applies its default action (docs.tigera.io/calico/latest/reference/resources/tier;
// projectcalico/calico#3801: a Log-only policy drops traffic). So "log what is denied" cannot
// live inside the translated policies: a Log+Deny at the end of one policy would deny what a
// later policy allows, breaking the Kubernetes union. Instead the translated policies stay
// Allow-only and this policy, evaluated last, sees exactly the traffic no policy allowed:
// it logs (--log denied|all, --audit) and then denies, or lets it through (--audit).
// In a tier whose default action is Pass (any tier of our own) it also carries the isolation
// itself: without it the tier would pass unallowed traffic on to later tiers and profiles.
import { maxSelectorLength } from './lower-selector.js';
import { managedByLabel, policyName, uniqueName } from './names.js';
import type { CalicoAction, CalicoNetworkPolicy, CalicoRule, PolicyType, TierDefaultAction } from './model.js';
import type { CalicoOptions } from './options.js';
import { or, printSelector, type Selector } from './selector.js';

/** Subjects of the policies isolating each direction in one namespace. */
export interface IsolationPlan {
  readonly ingress: Selector[];
  readonly egress: Selector[];
}

/** The rules of an isolation policy, or none when the tier's default action already isolates and nothing is logged. */
export function isolationRules(options: CalicoOptions, tierDefaultAction: TierDefaultAction): CalicoRule[] {
  const logDenied = options.audit || options.log === 'denied' || options.log === 'all';
  if (!logDenied && tierDefaultAction === 'Deny') return [];
  // Audit lets through what would be denied. In the default tier that is Allow (the documented
  // Log-then-Allow audit pattern); in a Pass tier it is Pass, so later tiers decide as they
  // would without our policies instead of being bypassed.
  const final: CalicoAction = !options.audit ? 'Deny' : tierDefaultAction === 'Deny' ? 'Allow' : 'Pass';
  return [...(logDenied ? [{ action: 'Log' as const }] : []), { action: final }];
}

/** Splits an OR of subjects into pieces whose printed selector fits Calico's 1024 characters. */
function selectorChunks(subjects: readonly Selector[]): Selector[] {
  const unique = new Map<string, Selector>();
  for (const s of subjects) unique.set(printSelector(s), s);
  if ([...unique.values()].some((s) => s.kind === 'all')) return [{ kind: 'all' }];
  const sorted = [...unique.keys()].sort().map((k) => unique.get(k)!);
  const out: Selector[] = [];
  let current: Selector[] = [];
  for (const s of sorted) {
    const next = [...current, s];
    if (current.length > 0 && printSelector(or(next)).length > maxSelectorLength) {
      out.push(or(current));
      current = [s];
    } else current = next;
  }
  if (current.length > 0) out.push(or(current));
  return out;
}

/** The isolation policies of one namespace (none when they would change nothing). */
export function isolationPolicies(
  namespace: string,
  plan: IsolationPlan,
  usedNames: ReadonlySet<string>,
  options: CalicoOptions,
  tierDefaultAction: TierDefaultAction,
): CalicoNetworkPolicy[] {
  const rules = isolationRules(options, tierDefaultAction);
  if (rules.length === 0) return [];
  const used = new Set(usedNames);
  const out: CalicoNetworkPolicy[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const type: PolicyType = direction === 'ingress' ? 'Ingress' : 'Egress';
    for (const selector of selectorChunks(plan[direction])) {
      out.push({
        kind: 'NetworkPolicy',
        metadata: { name: uniqueName(policyName(options, `netpolc-isolate-${direction}`), used), namespace, labels: managedByLabel },
        spec: {
          ...(options.tier === 'default' ? {} : { tier: options.tier }),
          // No order: "infinite", after every ordered policy of the tier (policy CRD, `order`),
          // so every Allow of the tier, ours or not, is tried first.
          selector,
          types: [type],
          [direction]: rules,
        },
      });
    }
  }
  return out;
}
