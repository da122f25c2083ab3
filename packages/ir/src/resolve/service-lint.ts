// Warnings for policies written against a Service instead of its pods (semantics.md §4 row 7):
// kube-proxy (or the CNI's replacement) translates a Service's address and port to a pod's before
// any policy sees the packet, and brings outside clients of a NodePort or LoadBalancer Service
// from a node address, so a rule on the Service's port, an ipBlock around its ClusterIP or one of
// client addresses does not allow the connections it was written for. Lint only: no verdict
// changes. Each warning is judged on the whole rule: another entry or peer of the rule that does
// allow the connections silences it.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Pod, Service, ServicePort } from '../model/inventory.js';
import type { Protocol, Rule } from '../model/policy.js';
import type { Program } from '../model/program.js';
import { canonicalSelector } from '../model/selector.js';
import type { InventoryIndex } from './inventory-index.js';
import { clusterIpLint, masqueradeLint } from './service-addresses.js';
import { portLint } from './service-ports.js';

/** What the three checks share. */
export interface LintContext {
  readonly program: Program;
  readonly index: InventoryIndex;
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  /** The pods (ids) a Service selects: none without a selector. */
  podsOf(service: Service): readonly number[];
  /** A set of a pod list, built once per list (selections are memoised, so lists recur). */
  setOf(ids: readonly number[]): ReadonlySet<number>;
  readonly out: Diagnostic[];
}

/** The pod port a Service port reaches on `pod`, if the pod has it. */
export function targetOn(port: ServicePort, pod: Pod): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod.ports.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port;
}

/** Whether some entry of `rule` allows `protocol`/`port` on the destination `pod` (semantics.md §2.3). */
export function ruleAllows(rule: Rule, protocol: Protocol, port: number, pod: Pod): boolean {
  if (rule.ports === 'any') return true;
  return rule.ports.some((m) => {
    if (m.protocol !== protocol) return false;
    if (m.kind === 'all') return true;
    if (m.kind === 'range') return m.from <= port && port <= m.to;
    return pod.ports.some((c) => c.name === m.name && c.protocol === protocol && c.port === port);
  });
}

export const serviceName = (s: Service, others: number): string => `${s.namespace}/${s.name}${others > 0 ? ` (and ${others} more)` : ''}`;

/** Lint warnings about Services; empty (and free) when the inventory holds none. */
export function serviceDiagnostics(program: Program, index: InventoryIndex): Diagnostic[] {
  const services = program.inventory.services ?? [];
  if (services.length === 0) return [];
  const selected = new Map<Service, readonly number[]>();
  const sets = new WeakMap<readonly number[], ReadonlySet<number>>();
  const ctx: LintContext = {
    program,
    index,
    pods: index.pods,
    services,
    podsOf: (s) => {
      let ids = selected.get(s);
      if (!ids) {
        const requirements = Object.entries(s.selector ?? {}).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] }));
        ids = s.selector ? index.selectPods({ kind: 'policy-namespace' }, canonicalSelector(requirements), s.namespace) : [];
        selected.set(s, ids);
      }
      return ids;
    },
    setOf: (ids) => {
      let s = sets.get(ids);
      if (!s) sets.set(ids, (s = new Set(ids)));
      return s;
    },
    out: [],
  };
  const ports = portLint(ctx);
  const clusterIps = clusterIpLint(ctx);
  const masquerade = masqueradeLint(ctx);
  for (const policy of program.policies) {
    const subject = index.selectPods({ kind: 'policy-namespace' }, policy.subject, policy.namespace);
    if (subject.length === 0) continue;
    const own = ctx.setOf(subject);
    for (const rule of policy.ingress ?? []) {
      ports.ingress(policy, rule, own);
      masquerade(policy, rule, own);
    }
    for (const rule of policy.egress ?? []) {
      ports.egress(policy, rule);
      clusterIps(policy, rule);
    }
  }
  return ctx.out;
}
