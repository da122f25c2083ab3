// ir/service-port: a port entry on a Service's port that the Service forwards to another pod
// port, in a rule that does not allow that target port on the pods concerned.
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Pod, Service, ServicePort } from '../model/inventory.js';
import type { Policy, PortMatch, Protocol, Rule } from '../model/policy.js';
import { ruleAllows, serviceName, targetOn, type LintContext } from './service-lint.js';

/** A Service port whose target differs from it, with the Service and its selected pods. */
interface Forward {
  readonly service: Service;
  readonly port: ServicePort;
  readonly pods: readonly number[];
}

/** A port entry's warning, before it is located. */
interface Miss {
  readonly entry: number;
  readonly forward: Forward;
  readonly pod: Pod;
  readonly target: number;
  readonly others: number;
}

const add = <T>(map: Map<string, T[]>, key: string, value: T): void => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

export function portLint(ctx: LintContext): { ingress(policy: Policy, rule: Rule, own: ReadonlySet<number>): void; egress(policy: Policy, rule: Rule): void } {
  const forwards: Forward[] = [];
  // By port, and by namespace and port: a cluster has thousands of Services, its policies tens of
  // thousands of entries.
  const byPort = new Map<string, Forward[]>();
  const byNamespacePort = new Map<string, Forward[]>();
  for (const service of ctx.services) {
    for (const port of service.ports) {
      if (port.targetPort === port.port) continue;
      const pods = ctx.podsOf(service);
      if (pods.length === 0) continue;
      const f = { service, port, pods };
      forwards.push(f);
      add(byPort, `${port.protocol}/${port.port}`, f);
      add(byNamespacePort, `${service.namespace}/${port.protocol}/${port.port}`, f);
    }
  }
  const forwardsIn = (protocol: Protocol, from: number, to: number, namespace?: string): readonly Forward[] => {
    if (to - from >= 256) return forwards.filter((f) => f.port.protocol === protocol && from <= f.port.port && f.port.port <= to && (namespace === undefined || f.service.namespace === namespace));
    const out: Forward[] = [];
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    const map = namespace === undefined ? byPort : byNamespacePort;
    for (let port = from; port <= to; port++) for (const f of map.get(`${prefix}${protocol}/${port}`) ?? []) out.push(f);
    return out;
  };

  /** The first pod of a forward that the rule concerns and misses through the Service. */
  const missed = (f: Forward, rule: Rule, concerned: (id: number) => boolean): { pod: Pod; target: number } | undefined => {
    for (const id of f.pods) {
      if (!concerned(id)) continue;
      const pod = ctx.pods[id]!;
      const target = targetOn(f.port, pod);
      if (target === undefined || target === f.port.port) continue;
      // A pod that also serves the Service's port number may be reached on it directly.
      if (pod.ports.some((c) => c.port === f.port.port && c.protocol === f.port.protocol)) continue;
      if (!ruleAllows(rule, f.port.protocol, target, pod)) return { pod, target };
    }
    return undefined;
  };

  const misses = (rule: Rule, candidates: (m: Extract<PortMatch, { kind: 'range' }>) => readonly Forward[], concerned: (id: number) => boolean): Miss[] => {
    const out: Miss[] = [];
    if (rule.ports === 'any') return out;
    rule.ports.forEach((m, entry) => {
      if (m.kind !== 'range') return;
      const found: { forward: Forward; pod: Pod; target: number }[] = [];
      for (const forward of candidates(m)) {
        const miss = missed(forward, rule, concerned);
        if (miss) found.push({ forward, ...miss });
      }
      if (found.length > 0) out.push({ entry, ...found[0]!, others: found.length - 1 });
    });
    return out;
  };

  const report = (rule: Rule, list: readonly Miss[]): void => {
    if (rule.ports === 'any') return;
    for (const m of list) {
      const params = { port: `${m.forward.port.port}/${m.forward.port.protocol}`, service: serviceName(m.forward.service, m.others), target: String(m.target), pod: `${m.pod.namespace}/${m.pod.name}` };
      ctx.out.push(irDiagnostic('ir/service-port', params, rule.ports[m.entry]!.origin));
    }
  };

  // An egress rule's misses depend on its ports and its peers' selections alone, which recur
  // (every namespace's "to DNS on 53", "to the ingress controller on 80"): judged once per pair.
  const judged = new Map<string, readonly Miss[]>();
  const selectionIds = new WeakMap<readonly number[], number>();
  let nextSelectionId = 0;
  const selectionId = (ids: readonly number[]): number => {
    let id = selectionIds.get(ids);
    if (id === undefined) selectionIds.set(ids, (id = nextSelectionId++));
    return id;
  };
  const portsKey = (rule: Rule): string =>
    rule.ports === 'any' ? 'any' : rule.ports.map((m) => (m.kind === 'range' ? `${m.protocol}/${m.from}-${m.to}` : m.kind === 'all' ? m.protocol : `${m.protocol}/${m.name}`)).join(' ');
  const namespacesOf = new WeakMap<readonly number[], ReadonlySet<string>>();
  const namespaces = (ids: readonly number[]): ReadonlySet<string> => {
    let s = namespacesOf.get(ids);
    if (!s) namespacesOf.set(ids, (s = new Set(ids.map((id) => ctx.pods[id]!.namespace))));
    return s;
  };

  return {
    ingress(policy, rule, own) {
      // A Service selects pods of its own namespace: only the policy's can forward to its pods.
      report(rule, misses(rule, (m) => forwardsIn(m.protocol, m.from, m.to, policy.namespace), (id) => own.has(id)));
    },
    egress(policy, rule) {
      if (forwards.length === 0 || rule.ports === 'any') return;
      if (rule.peers === 'any') {
        const key = portsKey(rule);
        let list = judged.get(key);
        if (!list) judged.set(key, (list = misses(rule, (m) => forwardsIn(m.protocol, m.from, m.to), () => true)));
        report(rule, list);
        return;
      }
      // ipBlock peers are left out: they name addresses, not the Services' pods.
      const selections = rule.peers.flatMap((p) => (p.kind === 'pods' ? [ctx.index.selectPods(p.namespaces, p.pods, policy.namespace)] : []));
      if (selections.length === 0) return;
      const key = `${portsKey(rule)}#${selections.map(selectionId).join(',')}`;
      let list = judged.get(key);
      if (!list) {
        const sets = selections.map(ctx.setOf);
        // Only Services of the namespaces the peers reach: by namespace when they are few.
        const scope = [...new Set(selections.flatMap((ids) => (namespaces(ids).size <= 64 ? [...namespaces(ids)] : [])))].sort();
        const few = selections.every((ids) => namespaces(ids).size <= 64);
        const inScope = (f: Forward): boolean => selections.some((ids) => namespaces(ids).has(f.service.namespace));
        const candidates = (m: Extract<PortMatch, { kind: 'range' }>): readonly Forward[] =>
          few ? scope.flatMap((ns) => forwardsIn(m.protocol, m.from, m.to, ns)) : forwardsIn(m.protocol, m.from, m.to).filter(inScope);
        judged.set(key, (list = misses(rule, candidates, (id) => sets.some((s) => s.has(id)))));
      }
      report(rule, list);
    },
  };
}
