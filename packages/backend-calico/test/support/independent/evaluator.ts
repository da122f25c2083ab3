// An independent Calico v3 policy evaluator for connections between workload endpoints, host
// addresses and outside addresses. It reads the YAML TEXT a backend prints (parsed with the `yaml`
// package into plain objects) and decides each side of a connection as Felix would.
//
// Upstream sources (projectcalico/calico unless noted), one rule each:
//  [tier]   docs.tigera.io Calico "Tier" reference, "How policy is evaluated": every tier that
//           holds a policy applying to the endpoint (for this direction) processes the packet, in
//           tier order; Allow/Deny end evaluation; Pass goes to the next tier that applies; a tier
//           that applies but takes no action applies its defaultAction (Deny unless set to Pass).
//           Tiers that hold no policy for the endpoint are skipped.
//  [prof]   docs "Profile" / conversion.go NamespaceToProfile: when no tier decides (no policy
//           applies, or the last applying tier passes), the endpoint's profiles decide; a
//           Kubernetes namespace profile allows everything.
//  [order]  docs NetworkPolicy reference `order`: lower first; a policy without order comes after
//           every ordered one (felix calc policy sorter: nil order = infinity), ties by name
//           (libcalico-go/lib/backend/model/policy.go PolicyNameLessThan).
//  [types]  docs NetworkPolicy reference `types`: when absent, Ingress if there are no egress rules,
//           Egress only if there are egress rules and no ingress rules, both if both; a policy
//           applies to a direction only if that direction is in `types`.
//  [scope]  updateprocessors/networkpolicyprocessor.go: a namespaced policy's selector is ANDed
//           with projectcalico.org/namespace == '<ns>'.
//  [entity] updateprocessors/rules.go getEndpointSelector: a rule's namespaceSelector gets the
//           pcns. prefix (all() → has(projectcalico.org/namespace), global() → !has(...)); in a
//           namespaced policy a selector or notSelector without namespaceSelector is limited to the
//           policy's namespace; the combined selector is matched against the IP set of every
//           endpoint, host endpoint and (global) network set it selects (felix calc IP set index).
//  [log]    docs Rule reference `action: Log` and projectcalico/calico#6418: Log is non-terminal,
//           processing continues with the next rule.
//  [nets]   felix/rules/policy.go (FilterRuleToIPVersion): nets/notNets are filtered to the
//           packet's family; a rule whose nets (on a side) are all of the other family never
//           matches; notNets of the other family are dropped.
//  [ports]  docs Rule/EntityRule `ports`: numbers and "a:b" ranges; named ports are resolved as an
//           IP-set of (IP, protocol, port) of the endpoints that the same entity's selector matches
//           (all endpoints when it has none) and that declare the name for the rule's protocol
//           (felix calc named-port index, labelindex named ports).
//  [host]   felix/rules/static.go filterOutputChain: "We don't currently police host -> endpoint
//           according to the endpoint's ingress policy": traffic from a workload's own host is
//           never subject to its ingress policy.
//  [self]   a pod reaching its own IP stays inside its network namespace (loopback), no Calico
//           interface is crossed, so no policy applies.
import { parseAllDocuments } from 'yaml';
import { familyOf, inNet, type CalicoCluster, type CalicoEndpoint } from './cluster.js';
import { matchSel, namespaceSelectorToEndpointSelector, parseSel, type Sel } from './selector.js';

type Obj = Record<string, any>;

export interface Tier {
  readonly name: string;
  readonly order: number | undefined;
  readonly defaultAction: 'Deny' | 'Pass';
}

export interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly tier: string;
  readonly order: number | undefined;
  readonly selector: Sel;
  readonly types: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly Obj[];
  readonly egress: readonly Obj[];
}

export interface CalicoConfig {
  readonly tiers: readonly Tier[];
  readonly policies: readonly Policy[];
  /** Kinds seen in the stream that are not NetworkPolicy/Tier (unexpected). */
  readonly otherKinds: readonly string[];
}

/** Built-in tiers (docs "Get started with policy tiers"): default 1,000,000 Deny; kube-admin 1,000 Pass; kube-baseline 10,000,000 Pass. */
const builtinTiers: readonly Tier[] = [
  { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
  { name: 'kube-admin', order: 1_000, defaultAction: 'Pass' },
  { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' },
];

/** Reads a YAML stream of Calico objects. */
export function readCalicoYaml(text: string): CalicoConfig {
  const tiers = new Map(builtinTiers.map((t) => [t.name, t] as const));
  const policies: Policy[] = [];
  const otherKinds: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as Obj | null;
    if (!o) continue;
    if (o['apiVersion'] !== 'projectcalico.org/v3') throw new Error(`unexpected apiVersion ${o['apiVersion']}`);
    const spec = (o['spec'] ?? {}) as Obj;
    if (o['kind'] === 'Tier') {
      // Tier reference: defaultAction defaults to Deny.
      tiers.set(o['metadata'].name, { name: o['metadata'].name, order: spec['order'] === undefined || spec['order'] === null ? undefined : Number(spec['order']), defaultAction: spec['defaultAction'] === 'Pass' ? 'Pass' : 'Deny' });
    } else if (o['kind'] === 'NetworkPolicy') {
      const ingress = (spec['ingress'] ?? []) as Obj[];
      const egress = (spec['egress'] ?? []) as Obj[];
      let types = spec['types'] as ('Ingress' | 'Egress')[] | undefined;
      // [types] defaulting.
      if (!types || types.length === 0) types = egress.length > 0 ? (ingress.length > 0 ? ['Ingress', 'Egress'] : ['Egress']) : ['Ingress'];
      policies.push({
        name: o['metadata'].name,
        namespace: o['metadata'].namespace,
        tier: spec['tier'] ?? 'default',
        order: spec['order'] === undefined || spec['order'] === null ? undefined : Number(spec['order']),
        selector: parseSel(spec['selector'] ?? ''),
        types,
        ingress,
        egress,
      });
    } else otherKinds.push(String(o['kind']));
  }
  // Objects are keyed by kind/namespace/name: a second object of the same name replaces the first
  // on apply, so a stream holding two is not what it reads like.
  const seen = new Set<string>();
  for (const p of policies) {
    const key = `${p.namespace}/${p.name}`;
    if (seen.has(key)) throw new Error(`two NetworkPolicies named ${key} in the stream`);
    seen.add(key);
  }
  for (const p of policies) if (!tiers.has(p.tier)) throw new Error(`policy ${p.namespace}/${p.name} names tier ${p.tier} that does not exist`);
  return { tiers: [...tiers.values()], policies, otherKinds };
}

/** One end of a packet as the evaluator sees it. */
export interface Side {
  readonly ip: string;
  /** The workload endpoint owning the IP, if any. */
  readonly workload: CalicoEndpoint | undefined;
}

export interface Packet {
  readonly src: Side;
  readonly dst: Side;
  readonly protocol: string;
  readonly port: number;
  /** ICMP type and code of an ICMP or ICMPv6 packet. */
  readonly icmp?: { readonly type: number; readonly code: number };
}

export interface LogHit {
  readonly policy: string;
  readonly direction: 'ingress' | 'egress';
}

export interface SideDecision {
  readonly allowed: boolean;
  readonly reason: 'not-a-workload' | 'self' | 'from-own-host' | 'rule' | 'tier-default' | 'profile';
  readonly by?: string;
  readonly logs: readonly LogHit[];
}

export interface CalicoVerdict {
  readonly allowed: boolean;
  readonly egress: SideDecision;
  readonly ingress: SideDecision;
}

const protoNumbers: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58, udplite: 136 };

function protoNumber(p: unknown): number {
  if (typeof p === 'number') return p;
  const s = String(p).toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  const n = protoNumbers[s];
  if (n === undefined) throw new Error(`unknown protocol ${String(p)}`);
  return n;
}

function icmpFieldsMatch(f: Obj, pkt: Packet): boolean {
  if (!pkt.icmp) throw new Error('an ICMP packet without its type');
  if (f['type'] !== undefined && Number(f['type']) !== pkt.icmp.type) return false;
  return f['code'] === undefined || Number(f['code']) === pkt.icmp.code;
}

export class CalicoEvaluator {
  private readonly sortedTiers: readonly Tier[];
  private readonly containing = new Map<string, readonly CalicoEndpoint[]>();
  private readonly selCache = new Map<string, Sel>();
  private readonly applyingCache = new Map<string, readonly Policy[]>();
  constructor(
    readonly config: CalicoConfig,
    readonly cluster: CalicoCluster,
  ) {
    // [tier] tiers by order (nil last), then name.
    this.sortedTiers = [...config.tiers].sort((a, b) => cmpOrder(a.order, b.order) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private parse(text: string): Sel {
    let sel = this.selCache.get(text);
    if (!sel) this.selCache.set(text, (sel = parseSel(text)));
    return sel;
  }

  /** Every endpoint (workload, host endpoint, network set) whose addresses hold `ip`. */
  private endpointsHolding(ip: string): readonly CalicoEndpoint[] {
    let list = this.containing.get(ip);
    if (!list) this.containing.set(ip, (list = this.cluster.endpoints.filter((e) => e.nets.some((n) => inNet(ip, n)))));
    return list;
  }

  /** The workload endpoint owning an IP. */
  workloadOf(ip: string): CalicoEndpoint | undefined {
    return this.endpointsHolding(ip).find((e) => e.kind === 'workload' && e.nets.some((n) => inNet(ip, n) && n.endsWith(ip.includes(':') ? '/128' : '/32')));
  }

  evaluate(pkt: Packet): CalicoVerdict {
    // [self] a pod to itself never crosses a Calico interface.
    if (pkt.src.workload && pkt.src.workload === pkt.dst.workload) {
      const self: SideDecision = { allowed: true, reason: 'self', logs: [] };
      return { allowed: true, egress: self, ingress: self };
    }
    const egress: SideDecision = pkt.src.workload ? this.side(pkt.src.workload, 'egress', pkt) : { allowed: true, reason: 'not-a-workload', logs: [] };
    let ingress: SideDecision;
    const dst = pkt.dst.workload;
    if (!dst) ingress = { allowed: true, reason: 'not-a-workload', logs: [] };
    else if (dst.node !== undefined && (this.cluster.nodes.get(dst.node) ?? []).includes(pkt.src.ip)) ingress = { allowed: true, reason: 'from-own-host', logs: [] }; // [host]
    else ingress = this.side(dst, 'ingress', pkt);
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  private side(ep: CalicoEndpoint, direction: 'ingress' | 'egress', pkt: Packet): SideDecision {
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    const logs: LogHit[] = [];
    for (const tier of this.sortedTiers) {
      // [scope] + [types]: policies of this tier applying to the endpoint in this direction.
      const key = `${ep.name}|${tier.name}|${type}`;
      let applying = this.applyingCache.get(key);
      if (!applying) this.applyingCache.set(key, (applying = this.config.policies
        .filter((p) => p.tier === tier.name && p.namespace === ep.namespace && p.types.includes(type) && matchSel(p.selector, ep.labels))
        .sort((a, b) => cmpOrder(a.order, b.order) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))));
      if (applying.length === 0) continue; // [tier] skipped
      let passed = false;
      policies: for (const p of applying) {
        for (const rule of direction === 'ingress' ? p.ingress : p.egress) {
          if (!this.ruleMatches(rule, p, pkt)) continue;
          const action = rule['action'];
          if (action === 'Log') logs.push({ policy: `${p.namespace}/${p.name}`, direction }); // [log] non-terminal
          else if (action === 'Allow') return { allowed: true, reason: 'rule', by: `${p.namespace}/${p.name}`, logs };
          else if (action === 'Deny') return { allowed: false, reason: 'rule', by: `${p.namespace}/${p.name}`, logs };
          else if (action === 'Pass') {
            passed = true;
            break policies;
          } else throw new Error(`unknown action ${String(action)}`);
        }
      }
      if (passed) continue;
      if (tier.defaultAction === 'Deny') return { allowed: false, reason: 'tier-default', by: tier.name, logs };
    }
    // [prof] the namespace profile allows.
    return { allowed: true, reason: 'profile', logs };
  }

  private ruleMatches(rule: Obj, policy: Policy, pkt: Packet): boolean {
    const family = familyOf(pkt.src.ip);
    if (rule['http'] !== undefined) throw new Error('http match not modelled');
    if (rule['ipVersion'] !== undefined && Number(rule['ipVersion']) !== family) return false;
    const proto = protoNumber(pkt.protocol);
    if (rule['protocol'] !== undefined && protoNumber(rule['protocol']) !== proto) return false;
    if (rule['notProtocol'] !== undefined && protoNumber(rule['notProtocol']) === proto) return false;
    // ICMP matches only apply to ICMP packets (the validator requires protocol ICMP/ICMPv6 with them).
    if ((rule['icmp'] !== undefined || rule['notICMP'] !== undefined) && proto !== 1 && proto !== 58) return false;
    // icmp: {type, code}: the type, and the code when given (rule_defs.go ICMPFields); notICMP negates.
    if (rule['icmp'] !== undefined && !icmpFieldsMatch(rule['icmp'] as Obj, pkt)) return false;
    if (rule['notICMP'] !== undefined && icmpFieldsMatch(rule['notICMP'] as Obj, pkt)) return false;
    const ruleProto = rule['protocol'] !== undefined ? protoNumber(rule['protocol']) : undefined;
    return (
      this.entityMatches((rule['source'] ?? {}) as Obj, policy, pkt.src.ip, undefined, ruleProto, family) &&
      this.entityMatches((rule['destination'] ?? {}) as Obj, policy, pkt.dst.ip, pkt.port, ruleProto, family)
    );
  }

  /** Endpoints (workloads, host endpoints, network sets) an entity rule's selectors pick. [entity] */
  private entitySelector(er: Obj, policy: Policy): Sel | undefined {
    const parts: Sel[] = [];
    const hasNs = er['namespaceSelector'] !== undefined && er['namespaceSelector'] !== '';
    if (er['serviceAccounts'] !== undefined) throw new Error('serviceAccounts not modelled');
    const hasSel = er['selector'] !== undefined && er['selector'] !== '';
    const hasNot = er['notSelector'] !== undefined && er['notSelector'] !== '';
    if (hasNs) parts.push(namespaceSelectorToEndpointSelector(this.parse(er['namespaceSelector'])));
    else if (hasSel || hasNot) parts.push({ op: 'eq', key: 'projectcalico.org/namespace', value: policy.namespace });
    if (hasSel) parts.push(this.parse(er['selector']));
    return parts.length === 0 ? undefined : { op: 'and', sels: parts };
  }

  private inSelectorSet(sel: Sel, ip: string): boolean {
    return this.endpointsHolding(ip).some((e) => matchSel(sel, e.labels));
  }

  private entityMatches(er: Obj, policy: Policy, ip: string, port: number | undefined, ruleProto: number | undefined, family: 4 | 6): boolean {
    // [nets]
    const nets = (er['nets'] ?? []) as string[];
    if (nets.length > 0) {
      const same = nets.filter((n) => familyOf(n) === family);
      if (same.length === 0 || !same.some((n) => inNet(ip, n))) return false;
    }
    const notNets = ((er['notNets'] ?? []) as string[]).filter((n) => familyOf(n) === family);
    if (notNets.some((n) => inNet(ip, n))) return false;
    const sel = this.entitySelector(er, policy);
    if (sel && !this.inSelectorSet(sel, ip)) return false;
    if (er['notSelector'] !== undefined && er['notSelector'] !== '') {
      // notSelector: not in the IP set of endpoints matching it (namespaced like selector).
      const notSel: Sel = { op: 'and', sels: [{ op: 'eq', key: 'projectcalico.org/namespace', value: policy.namespace }, this.parse(er['notSelector'])] };
      if (this.inSelectorSet(er['namespaceSelector'] ? { op: 'and', sels: [namespaceSelectorToEndpointSelector(this.parse(er['namespaceSelector'])), this.parse(er['notSelector'])] } : notSel, ip)) return false;
    }
    const portMatch = (list: unknown[]): boolean =>
      list.some((p) => {
        if (port === undefined) throw new Error('source ports not modelled');
        if (typeof p === 'number') return p === port;
        const s = String(p);
        const range = s.match(/^(\d+):(\d+)$/);
        if (range) return port >= Number(range[1]) && port <= Number(range[2]);
        if (/^\d+$/.test(s)) return Number(s) === port;
        // [ports] named port: endpoints this entity's selector picks (all when none), declaring the
        // name under the rule's protocol, with this IP and this port number.
        if (ruleProto === undefined) throw new Error(`named port ${s} without protocol`);
        return this.endpointsHolding(ip).some(
          (e) => (sel ? matchSel(sel, e.labels) : true) && e.nets.some((n) => inNet(ip, n) && /\/(32|128)$/.test(n)) && e.ports.some((np) => np.name === s && protoNumber(np.protocol) === ruleProto && np.port === port),
        );
      });
    const ports = er['ports'] as unknown[] | undefined;
    if (ports && ports.length > 0 && !portMatch(ports)) return false;
    const notPorts = er['notPorts'] as unknown[] | undefined;
    if (notPorts && notPorts.length > 0 && portMatch(notPorts)) return false;
    return true;
  }
}

function cmpOrder(a: number | undefined, b: number | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}
