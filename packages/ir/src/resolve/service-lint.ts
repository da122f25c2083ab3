// Warnings for policies written against a Service instead of its pods (semantics.md §4 row 7):
// kube-proxy (or the CNI's replacement) translates a Service's address and port to a pod's before
// any policy sees the packet, so a rule on the Service's port or an ipBlock around its ClusterIP
// does not allow the connections it was written for. Lint only: no verdict changes.
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Pod, Service, ServicePort } from '../model/inventory.js';
import type { Peer, Policy, PortMatch, Protocol, Rule } from '../model/policy.js';
import type { Program } from '../model/program.js';
import { canonicalSelector } from '../model/selector.js';
import { cidrBounds, parseCidr } from '../net/ip.js';
import { compareValues } from '../util/compare.js';
import type { InventoryIndex } from './inventory-index.js';

/** A Service port whose target differs from it, with the Service and its selected pods. */
interface Forward {
  readonly service: Service;
  readonly port: ServicePort;
  readonly pods: readonly number[];
}

/** The pod port a Service port reaches on `pod`, if the pod has it. */
function targetOn(port: ServicePort, pod: Pod): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod.ports.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port;
}

/** Whether some entry of `rule` allows `protocol`/`port` on the destination `pod` (semantics.md §2.3). */
function ruleAllows(rule: Rule, protocol: Protocol, port: number, pod: Pod): boolean {
  if (rule.ports === 'any') return true;
  return rule.ports.some((m) => {
    if (m.protocol !== protocol) return false;
    if (m.kind === 'all') return true;
    if (m.kind === 'range') return m.from <= port && port <= m.to;
    return pod.ports.some((c) => c.name === m.name && c.protocol === protocol && c.port === port);
  });
}

const serviceName = (s: Service, others: number): string => `${s.namespace}/${s.name}${others > 0 ? ` (and ${others} more)` : ''}`;

/** Lint warnings about Services; empty (and free) when the inventory holds none. */
export function serviceDiagnostics(program: Program, index: InventoryIndex): Diagnostic[] {
  const services = program.inventory.services ?? [];
  if (services.length === 0) return [];
  const pods = index.pods;
  const selected = new Map<Service, readonly number[]>();
  const podsOf = (s: Service): readonly number[] => {
    let ids = selected.get(s);
    if (!ids) {
      const requirements = Object.entries(s.selector ?? {}).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] }));
      ids = s.selector ? index.selectPods({ kind: 'policy-namespace' }, canonicalSelector(requirements), s.namespace) : [];
      selected.set(s, ids);
    }
    return ids;
  };
  const forwards: Forward[] = [];
  // By protocol and port: a cluster has thousands of Services, its policies tens of thousands of entries.
  const byPort = new Map<string, Forward[]>();
  for (const s of services) {
    for (const port of s.ports) {
      if (port.targetPort === port.port) continue;
      const ids = podsOf(s);
      if (ids.length === 0) continue;
      const f = { service: s, port, pods: ids };
      forwards.push(f);
      const key = `${port.protocol}/${port.port}`;
      const list = byPort.get(key);
      if (list) list.push(f);
      else byPort.set(key, [f]);
    }
  }
  const forwardsIn = (protocol: Protocol, from: number, to: number): Forward[] => {
    if (to - from >= 256) return forwards.filter((f) => f.port.protocol === protocol && from <= f.port.port && f.port.port <= to);
    const out: Forward[] = [];
    for (let port = from; port <= to; port++) for (const f of byPort.get(`${protocol}/${port}`) ?? []) out.push(f);
    return out;
  };
  const masquerading = new Map<string, Service[]>();
  for (const s of services) {
    if (s.masqueradesClients === undefined || podsOf(s).length === 0) continue;
    const list = masquerading.get(s.namespace);
    if (list) list.push(s);
    else masquerading.set(s.namespace, [s]);
  }
  const out: Diagnostic[] = [];
  const blockHits = new Map<string, readonly ClusterHit[]>();
  const sets = new WeakMap<readonly number[], ReadonlySet<number>>();
  const setOf = (ids: readonly number[]): ReadonlySet<number> => {
    let s = sets.get(ids);
    if (!s) sets.set(ids, (s = new Set(ids)));
    return s;
  };

  /** The first pod of a forward that the rule concerns and that the entry misses through the Service. */
  const missed = (f: Forward, rule: Rule, concerned: (id: number) => boolean): { pod: Pod; target: number } | undefined => {
    for (const id of f.pods) {
      if (!concerned(id)) continue;
      const pod = pods[id]!;
      const target = targetOn(f.port, pod);
      if (target === undefined || target === f.port.port) continue;
      // A pod that also serves the Service's port number may be reached on it directly.
      if (pod.ports.some((c) => c.port === f.port.port && c.protocol === f.port.protocol)) continue;
      if (!ruleAllows(rule, f.port.protocol, target, pod)) return { pod, target };
    }
    return undefined;
  };

  const checkPorts = (policy: Policy, rule: Rule, concerned: (id: number) => boolean, sameNamespace: boolean): void => {
    if (rule.ports === 'any') return;
    for (const entry of rule.ports) {
      if (entry.kind !== 'range') continue;
      const hits = forwardsIn(entry.protocol, entry.from, entry.to).filter((f) => !sameNamespace || f.service.namespace === policy.namespace);
      const found = hits.map((f) => ({ f, miss: missed(f, rule, concerned) })).filter((h) => h.miss !== undefined);
      if (found.length === 0) continue;
      const { f, miss } = found[0]!;
      out.push(serviceWarning(f, miss!, found.length - 1, entry));
    }
  };

  for (const policy of program.policies) {
    const subject = index.selectPods({ kind: 'policy-namespace' }, policy.subject, policy.namespace);
    if (subject.length === 0) continue;
    if (policy.ingress && forwards.length > 0) {
      const own = setOf(subject);
      for (const rule of policy.ingress) checkPorts(policy, rule, (id) => own.has(id), true);
    }
    const serving = policy.ingress ? masquerading.get(policy.namespace) : undefined;
    if (serving) masqueradeWarnings(policy.ingress!, serving, setOf(subject), podsOf, nodeAddresses(program), out);
    for (const rule of policy.egress ?? []) {
      if (forwards.length > 0) {
        const peers = rule.peers === 'any' ? undefined : rule.peers.filter((p) => p.kind === 'pods');
        const sets = peers?.map((p) => setOf(index.selectPods(p.namespaces, p.pods, policy.namespace)));
        // ipBlock peers are left out: they name addresses, not the Services' pods.
        if (!sets || sets.length > 0) checkPorts(policy, rule, sets ? (id) => sets.some((s) => s.has(id)) : () => true, false);
      }
      if (rule.peers === 'any') continue;
      for (const peer of rule.peers) {
        if (peer.kind !== 'ip-block') continue;
        // The same blocks recur across policies (0.0.0.0/0 with the same excepts): judged once each.
        const key = `${peer.cidr} ${peer.except.join(' ')}`;
        let hits = blockHits.get(key);
        if (!hits) blockHits.set(key, (hits = servicesOutside(program, peer, clusterIPs(services), podsOf, pods)));
        if (hits.length > 0) out.push(irDiagnostic('ir/service-cluster-ip', { cidr: peer.cidr, ip: hits[0]!.ip, service: serviceName(hits[0]!.service, hits.length - 1) }, peer.origin));
      }
    }
  }
  return out;
}

function serviceWarning(f: Forward, miss: { pod: Pod; target: number }, others: number, entry: PortMatch): Diagnostic {
  return irDiagnostic(
    'ir/service-port',
    { port: `${f.port.port}/${f.port.protocol}`, service: serviceName(f.service, others), target: String(miss.target), pod: `${miss.pod.namespace}/${miss.pod.name}` },
    entry.origin,
  );
}

/** Every ClusterIP of every Service, per family in address order (built once per list of Services). */
type ClusterIPs = Record<4 | 6, readonly { readonly value: bigint; readonly ip: string; readonly service: Service }[]>;
const clusterIpMemo = new WeakMap<readonly Service[], ClusterIPs>();
function clusterIPs(services: readonly Service[]): ClusterIPs {
  let memo = clusterIpMemo.get(services);
  if (!memo) {
    const all = services.flatMap((service) => service.clusterIPs.map((a) => ({ family: a.family, value: a.value, ip: a.ip, service })));
    all.sort((a, b) => compareValues(a.value, b.value));
    memo = { 4: all.filter((a) => a.family === 4), 6: all.filter((a) => a.family === 6) };
    clusterIpMemo.set(services, memo);
  }
  return memo;
}

interface ClusterHit {
  readonly service: Service;
  readonly ip: string;
}

/** The Services (by name) whose ClusterIP an egress ipBlock holds but none of whose pods it does. */
function servicesOutside(program: Program, peer: Extract<Peer, { kind: 'ip-block' }>, ips: ClusterIPs, podsOf: (s: Service) => readonly number[], pods: readonly Pod[]): ClusterHit[] {
  const block = parseCidr(peer.cidr)!;
  const excepts = peer.except.map((e) => cidrBounds(parseCidr(e)!));
  const [lo, hi] = cidrBounds(block);
  const inside = (a: { family: number; value: bigint }): boolean => a.family === block.family && lo <= a.value && a.value <= hi && !excepts.some(([l, h]) => l <= a.value && a.value <= h);
  const list = ips[block.family];
  let i = 0;
  for (let n = list.length; i < n; ) {
    const mid = (i + n) >> 1;
    if (list[mid]!.value < lo) i = mid + 1;
    else n = mid;
  }
  const hits: ClusterHit[] = [];
  for (; i < list.length && list[i]!.value <= hi; i++) {
    const { service: s, ip } = list[i]!;
    if (!inside({ family: block.family, value: list[i]!.value })) continue;
    const ids = podsOf(s);
    // Without selected pods the Service's endpoints are unknown (the `kubernetes` Service lists
    // the API servers' host addresses), and the block may well hold them.
    if (ids.length === 0) continue;
    if (program.semantics.ipBlockMatchesPods && ids.some((id) => pods[id]!.addresses.some(inside))) continue;
    hits.push({ service: s, ip });
  }
  return hits.sort((a, b) => compareValues(a.service.namespace, b.service.namespace) || compareValues(a.service.name, b.service.name));
}

const nodeAddressMemo = new WeakMap<Program, readonly { readonly family: number; readonly value: bigint }[]>();
function nodeAddresses(program: Program): readonly { readonly family: number; readonly value: bigint }[] {
  let list = nodeAddressMemo.get(program);
  if (!list) nodeAddressMemo.set(program, (list = program.inventory.nodes.flatMap((n) => n.addresses)));
  return list;
}

/**
 * One warning per ingress ipBlock that holds no node address, in a policy whose pods a Service
 * masquerading its outside clients (NodePort or LoadBalancer, externalTrafficPolicy Cluster) serves.
 */
function masqueradeWarnings(rules: readonly Rule[], masquerading: readonly Service[], own: ReadonlySet<number>, podsOf: (s: Service) => readonly number[], nodes: readonly { readonly family: number; readonly value: bigint }[], out: Diagnostic[]): void {
  const serving = masquerading.filter((s) => podsOf(s).some((id) => own.has(id)));
  if (serving.length === 0) return;
  const first = serving[0]!;
  for (const rule of rules) {
    if (rule.peers === 'any') continue;
    for (const peer of rule.peers) {
      if (peer.kind !== 'ip-block') continue;
      const block = parseCidr(peer.cidr)!;
      const [lo, hi] = cidrBounds(block);
      const excepts = peer.except.map((e) => cidrBounds(parseCidr(e)!));
      const holdsNode = nodes.some((a) => a.family === block.family && lo <= a.value && a.value <= hi && !excepts.some(([l, h]) => l <= a.value && a.value <= h));
      if (holdsNode) continue;
      out.push(irDiagnostic('ir/service-masquerade', { service: serviceName(first, serving.length - 1), type: first.masqueradesClients!, cidr: peer.cidr }, peer.origin));
    }
  }
}
