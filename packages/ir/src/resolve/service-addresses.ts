// ir/service-cluster-ip (an egress ipBlock around a ClusterIP) and ir/service-masquerade (an
// ingress ipBlock of client addresses on pods behind a NodePort or LoadBalancer Service that
// brings its clients from a node address): the addresses a policy never sees.
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Service } from '../model/inventory.js';
import type { Peer, Policy, Rule } from '../model/policy.js';
import { cidrBounds, parseCidr } from '../net/ip.js';
import { compareValues } from '../util/compare.js';
import { ruleAllows, serviceName, targetOn, type LintContext } from './service-lint.js';

type Block = Extract<Peer, { kind: 'ip-block' }>;
type Point = { readonly family: number; readonly value: bigint };

/** Whether an address lies in an ipBlock (its cidr, outside its excepts). */
function holder(peer: Block): (a: Point) => boolean {
  const block = parseCidr(peer.cidr)!;
  const [lo, hi] = cidrBounds(block);
  const excepts = peer.except.map((e) => cidrBounds(parseCidr(e)!));
  return (a) => a.family === block.family && lo <= a.value && a.value <= hi && !excepts.some(([l, h]) => l <= a.value && a.value <= h);
}

export function clusterIpLint(ctx: LintContext): (policy: Policy, rule: Rule) => void {
  const { program, pods } = ctx;
  const ips = ctx.services.flatMap((service) => service.clusterIPs.map((a) => ({ family: a.family, value: a.value, ip: a.ip, service })));
  // In address order per family: a block's ClusterIPs are found by binary search (ipblock-heavy
  // policies hold thousands of distinct blocks).
  ips.sort((a, b) => a.family - b.family || compareValues(a.value, b.value));
  const holdsPod = (peer: Block, s: Service): boolean => {
    if (!program.semantics.ipBlockMatchesPods) return false;
    const inside = holder(peer);
    return ctx.podsOf(s).some((id) => pods[id]!.addresses.some(inside));
  };
  // The same blocks recur across policies (0.0.0.0/0 with the same excepts): judged once each.
  const memo = new Map<string, readonly { service: Service; ip: string }[]>();
  /** The Services (by name) whose ClusterIP the block holds but none of whose pods it does. */
  const outside = (peer: Block): readonly { service: Service; ip: string }[] => {
    const key = `${peer.cidr} ${peer.except.join(' ')}`;
    let hits = memo.get(key);
    if (hits) return hits;
    const inside = holder(peer);
    const block = parseCidr(peer.cidr)!;
    const [lo, hi] = cidrBounds(block);
    let i = 0;
    for (let n = ips.length; i < n; ) {
      const mid = (i + n) >> 1;
      const a = ips[mid]!;
      if (a.family < block.family || (a.family === block.family && a.value < lo)) i = mid + 1;
      else n = mid;
    }
    const found: { service: Service; ip: string }[] = [];
    const seen = new Set<Service>();
    for (; i < ips.length && ips[i]!.family === block.family && ips[i]!.value <= hi; i++) {
      const a = ips[i]!;
      if (!inside(a) || seen.has(a.service)) continue;
      seen.add(a.service);
      // Without selected pods the Service's endpoints are unknown (the `kubernetes` Service
      // lists the API servers' host addresses), and the block may well hold them.
      if (ctx.podsOf(a.service).length === 0 || holdsPod(peer, a.service)) continue;
      found.push({ service: a.service, ip: a.ip });
    }
    hits = found.sort((a, b) => compareValues(a.service.namespace, b.service.namespace) || compareValues(a.service.name, b.service.name));
    memo.set(key, hits);
    return hits;
  };
  return (policy, rule) => {
    if (rule.peers === 'any' || ips.length === 0) return;
    const peers = rule.peers;
    // Another peer of the rule that allows the Service's pods allows its connections.
    const allowedElsewhere = (s: Service, self: Block): boolean =>
      peers.some((p) => p !== self && (p.kind === 'pods' ? ctx.podsOf(s).some((id) => ctx.setOf(ctx.index.selectPods(p.namespaces, p.pods, policy.namespace)).has(id)) : holdsPod(p, s)));
    for (const peer of peers) {
      if (peer.kind !== 'ip-block') continue;
      const all = outside(peer);
      const hits = peers.length === 1 ? all : all.filter((h) => !allowedElsewhere(h.service, peer));
      if (hits.length > 0) ctx.out.push(irDiagnostic('ir/service-cluster-ip', { cidr: peer.cidr, ip: hits[0]!.ip, service: serviceName(hits[0]!.service, hits.length - 1) }, peer.origin));
    }
  };
}

export function masqueradeLint(ctx: LintContext): (policy: Policy, rule: Rule, own: ReadonlySet<number>) => void {
  const { program, pods } = ctx;
  const nodes = program.inventory.nodes.flatMap((n) => n.addresses);
  const byNamespace = new Map<string, Service[]>();
  for (const s of ctx.services) {
    if (s.masqueradesClients === undefined || ctx.podsOf(s).length === 0) continue;
    const list = byNamespace.get(s.namespace);
    if (list) list.push(s);
    else byNamespace.set(s.namespace, [s]);
  }
  /** Whether the rule's ports let the Service's clients through to one of the policy's pods. */
  const serves = (rule: Rule, s: Service, own: ReadonlySet<number>): boolean =>
    ctx.podsOf(s).some((id) => {
      if (!own.has(id)) return false;
      const pod = pods[id]!;
      return s.ports.some((port) => {
        const target = targetOn(port, pod);
        return target !== undefined && ruleAllows(rule, port.protocol, target, pod);
      });
    });
  return (policy, rule, own) => {
    // Without Node objects the node addresses are unknown: any block may hold them.
    if (nodes.length === 0 || rule.peers === 'any') return;
    const blocks = rule.peers.filter((p): p is Block => p.kind === 'ip-block');
    if (blocks.length === 0) return;
    const serving = (byNamespace.get(policy.namespace) ?? []).filter((s) => serves(rule, s, own));
    if (serving.length === 0) return;
    // A block of the rule holding a node address admits the masqueraded clients (and more);
    // with ipblock-matches-nodes=false none does.
    if (program.semantics.ipBlockMatchesNodes && blocks.some((b) => nodes.some(holder(b)))) return;
    const first = serving[0]!;
    ctx.out.push(irDiagnostic('ir/service-masquerade', { service: serviceName(first, serving.length - 1), type: first.masqueradesClients!, cidr: blocks[0]!.cidr }, blocks[0]!.origin));
  };
}
