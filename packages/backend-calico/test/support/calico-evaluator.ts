// An evaluator of Calico v3 policy semantics over netpolc's typed model, written from Calico's
// documentation and source (each rule cites where it comes from), independent of the Kubernetes
// reference evaluator: it knows tiers, policy order, types, selectors, Allow/Deny/Pass/Log,
// profiles, nets/notNets, named ports and protocols, and nothing of NetworkPolicy v1.
import { cidrBounds, parseCidr, parseIp, type Family } from '@netpolc/ir';
import { builtinTiers, type CalicoAction, type CalicoNetworkPolicy, type CalicoObject, type CalicoRule, type EntityRule, type TierDefaultAction } from '../../src/model.js';
import type { Selector } from '../../src/selector.js';
import { labelNamespace, namespaceLabelPrefix, type CalicoCluster, type EndpointPort, type WorkloadEndpoint } from './calico-cluster.js';

/** The first packet of a connection. */
export interface Packet {
  readonly srcIp: string;
  readonly dstIp: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';
  /** Destination port; 0 for ICMP. */
  readonly dstPort: number;
  /** ICMP type of an ICMP/ICMPv6 packet. */
  readonly icmpType?: number;
}

/** How one side (egress of the source endpoint, ingress of the destination endpoint) decided. */
export interface SideResult {
  readonly allowed: boolean;
  readonly reason: 'rule' | 'end-of-tier' | 'profile' | 'no-profile-match' | 'host-to-local-workload';
  /** Tier and policy of the deciding rule, when a rule decided. */
  readonly policy?: string;
  /** True when some Log rule matched on this side. */
  readonly logged: boolean;
}

/** The verdict for a packet. Sides are absent when that end is not a workload endpoint or was not reached. */
export interface CalicoVerdict {
  readonly allowed: boolean;
  readonly self: boolean;
  readonly egress?: SideResult;
  readonly ingress?: SideResult;
}

// --- Selectors (libcalico-go/lib/selector/parser/ast.go, Evaluate of each node) -------------

/** Evaluates a selector against labels. */
export function selectorMatches(s: Selector, labels: ReadonlyMap<string, string>): boolean {
  switch (s.kind) {
    case 'all': // AllNode: true
    case 'global': // GlobalNode evaluates true; its meaning comes from the namespaceSelector rewrite
      return true;
    case 'has': // HasNode: label present
      return labels.has(s.key);
    case 'eq': // LabelEqValueNode: present and equal
      return labels.get(s.key) === s.value;
    case 'ne': // LabelNeValueNode: absent, or present with another value
      return labels.get(s.key) !== s.value;
    case 'contains':
      return labels.get(s.key)?.includes(s.value) ?? false;
    case 'starts-with':
      return labels.get(s.key)?.startsWith(s.value) ?? false;
    case 'ends-with':
      return labels.get(s.key)?.endsWith(s.value) ?? false;
    case 'in': // LabelInSetNode: present and in the set
      return labels.has(s.key) && s.values.includes(labels.get(s.key)!);
    case 'not-in': // LabelNotInSetNode: absent, or not in the set
      return !labels.has(s.key) || !s.values.includes(labels.get(s.key)!);
    case 'not':
      return !selectorMatches(s.operand, labels);
    case 'and':
      return s.operands.every((o) => selectorMatches(o, labels));
    case 'or':
      return s.operands.some((o) => selectorMatches(o, labels));
  }
}

/** PrefixVisitor (ast.go): every label name of the selector gets the prefix. */
function prefixLabels(s: Selector, prefix: string): Selector {
  switch (s.kind) {
    case 'all':
    case 'global':
      return s;
    case 'not':
      return { kind: 'not', operand: prefixLabels(s.operand, prefix) };
    case 'and':
    case 'or':
      return { kind: s.kind, operands: s.operands.map((o) => prefixLabels(o, prefix)) };
    default:
      return { ...s, key: `${prefix}${s.key}` };
  }
}

/**
 * The namespaceSelector as the backend stores it: labels prefixed "pcns.", `all()` rewritten to
 * `has(projectcalico.org/namespace)` (any namespaced endpoint) and `global()` to its negation
 * (updateprocessors/rules.go getEndpointSelector).
 */
function namespaceSelectorV1(s: Selector): Selector {
  const rewrite = (n: Selector): Selector => {
    switch (n.kind) {
      case 'all':
        return { kind: 'has', key: labelNamespace };
      case 'global':
        return { kind: 'not', operand: { kind: 'has', key: labelNamespace } };
      case 'not':
        return { kind: 'not', operand: rewrite(n.operand) };
      case 'and':
      case 'or':
        return { kind: n.kind, operands: n.operands.map(rewrite) };
      default:
        return n;
    }
  };
  return rewrite(prefixLabels(s, namespaceLabelPrefix));
}

/**
 * The single selector an entity rule of a policy in namespace `ns` matches endpoints with
 * (rules.go getEndpointSelector): a namespaceSelector, or for a namespaced policy the policy's
 * namespace, is ANDed in as soon as a selector or namespaceSelector is present; with neither,
 * the rule has no selector and matches addresses of anything.
 */
export function entitySelector(e: EntityRule, ns: string | undefined): Selector | undefined {
  let nsSelector: Selector | undefined;
  if (e.namespaceSelector) nsSelector = namespaceSelectorV1(e.namespaceSelector);
  else if (ns !== undefined) nsSelector = { kind: 'eq', key: labelNamespace, value: ns };
  let selector = e.selector;
  if (nsSelector && (selector || e.namespaceSelector)) selector = selector ? { kind: 'and', operands: [nsSelector, selector] } : nsSelector;
  return selector;
}

// --- Addresses --------------------------------------------------------------------------------

function familyOf(ip: string): Family {
  return parseIp(ip)!.family;
}

function inCidr(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  if (!c || !a || c.family !== a.family) return false;
  const [lo, hi] = cidrBounds(c);
  return a.value >= lo && a.value <= hi;
}

function isCatchAll(cidr: string): boolean {
  const c = parseCidr(cidr);
  return c !== undefined && c.prefix === 0;
}

/**
 * FilterRuleToIPVersion (felix/rules/policy.go): a rule is rendered per IP family with only the
 * CIDRs of that family; when a non-empty nets/notNets list has none of the family, or a notNets
 * list holds the family's catch-all, the rule is not rendered for that family at all.
 */
function ruleExistsFor(rule: CalicoRule, family: Family): boolean {
  for (const e of [rule.source, rule.destination]) {
    for (const [list, negated] of [[e?.nets, false], [e?.notNets, true]] as const) {
      if (!list || list.length === 0) continue;
      const filtered = list.filter((c) => parseCidr(c)?.family === family);
      if (filtered.length === 0) return false;
      if (negated && filtered.some(isCatchAll)) return false;
    }
  }
  return true;
}

// --- Rules ------------------------------------------------------------------------------------

class Evaluator {
  private readonly policiesByTier = new Map<string, CalicoNetworkPolicy[]>();
  private readonly tiers: { name: string; order: number; defaultAction: TierDefaultAction }[] = [];

  constructor(
    objects: readonly CalicoObject[],
    private readonly cluster: CalicoCluster,
  ) {
    const tiers = new Map<string, { order: number; defaultAction: TierDefaultAction }>(Object.entries(builtinTiers));
    for (const o of objects) {
      // Tier.spec.order: absent means "infinite"; defaultAction defaults to Deny (tier CRD).
      if (o.kind === 'Tier') tiers.set(o.metadata.name, { order: o.spec.order ?? Infinity, defaultAction: o.spec.defaultAction ?? 'Deny' });
    }
    for (const o of objects) {
      if (o.kind !== 'NetworkPolicy') continue;
      // spec.tier defaults to "default"; a policy in a missing tier cannot be created.
      const tier = o.spec.tier ?? 'default';
      if (!tiers.has(tier)) throw new Error(`policy ${o.metadata.namespace}/${o.metadata.name} is in tier ${tier}, which does not exist`);
      this.policiesByTier.set(tier, [...(this.policiesByTier.get(tier) ?? []), o]);
    }
    // Tiers apply smallest order first; equal orders by name (tier CRD, `order`).
    for (const [name, t] of tiers) this.tiers.push({ name, ...t });
    this.tiers.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Within a tier: smallest order first, absent order last ("infinite"), equal orders by
    // name (policy CRD, `order`; felix/calc/policy_sorter.go PolKVLess).
    for (const list of this.policiesByTier.values()) {
      list.sort((a, b) => (a.spec.order ?? Infinity) - (b.spec.order ?? Infinity) || compareNames(a, b));
    }
  }

  private endpointAt(ip: string): WorkloadEndpoint | undefined {
    return this.cluster.endpointByAddress.get(ip);
  }

  /**
   * Is the address in the IP set of the selector? Felix fills it from every workload endpoint,
   * host endpoint and network set the selector matches, labels inherited from profiles included
   * (felix/labelindex/named_port_index.go SelectorAndNamedPortIndex.OnUpdate): endpoint
   * addresses, host endpoints' expected IPs, and whole CIDRs of network sets.
   */
  private addressSelected(selector: Selector, ip: string): boolean {
    const ep = this.endpointAt(ip);
    if (ep !== undefined && selectorMatches(selector, ep.labels)) return true;
    if (this.cluster.hostEndpoints.some((h) => h.addresses.some((a) => a.text === ip) && selectorMatches(selector, h.labels))) return true;
    return this.cluster.networkSets.some((n) => n.nets.some((c) => inCidr(c, ip)) && selectorMatches(selector, n.labels));
  }

  /**
   * A named port matches when (dstIp, protocol, dstPort) is in the named-port IP set of the
   * endpoints the destination selector matches, or of every endpoint without a selector; the
   * protocol is the rule's, TCP when absent (felix/calc/rule_scanner.go namedPortsToIPSets).
   * Host endpoints feed the set with their expected IPs and their own `spec.ports`
   * (felix/labelindex/named_port_index.go OnUpdate), as workload endpoints do.
   */
  private namedPortMatches(name: string, selector: Selector | undefined, protocol: string, packet: Packet): boolean {
    const has = (ports: readonly EndpointPort[]): boolean => ports.some((p) => p.name === name && p.protocol === protocol && p.port === packet.dstPort);
    const ep = this.endpointAt(packet.dstIp);
    if (ep && (!selector || selectorMatches(selector, ep.labels)) && has(ep.ports)) return true;
    return this.cluster.hostEndpoints.some((h) => h.addresses.some((a) => a.text === packet.dstIp) && (!selector || selectorMatches(selector, h.labels)) && has(h.ports));
  }

  private entityMatches(e: EntityRule | undefined, ns: string, ip: string, rule: CalicoRule, packet: Packet, isDestination: boolean): boolean {
    if (!e) return true;
    // Nets: the address is in one of them; notNets: in none (Rule/EntityRule docs).
    if (e.nets && !e.nets.some((c) => inCidr(c, ip))) return false;
    if (e.notNets && e.notNets.some((c) => inCidr(c, ip))) return false;
    const selector = entitySelector(e, ns);
    if (e.ports && e.ports.length > 0) {
      if (!isDestination) throw new Error('source ports are not modelled by this evaluator');
      // Ports require a protocol with ports (validator.go validateRule).
      if (!rule.protocol) throw new Error('a rule with ports must set a protocol');
      // Numeric ports and named ports are ORed (rule_scanner.go ruleToParsedRule).
      const ok = e.ports.some((p) => {
        switch (p.kind) {
          case 'number':
            return packet.dstPort === p.port;
          case 'range':
            return packet.dstPort >= p.from && packet.dstPort <= p.to;
          case 'named':
            return this.namedPortMatches(p.name, selector, rule.protocol ?? 'TCP', packet);
        }
      });
      if (!ok) return false;
    }
    if (selector && !this.addressSelected(selector, ip)) return false;
    return true;
  }

  private ruleMatches(rule: CalicoRule, ns: string, packet: Packet): boolean {
    if (!ruleExistsFor(rule, familyOf(packet.srcIp))) return false;
    // protocol: absent matches every protocol.
    if (rule.protocol && rule.protocol !== packet.protocol) return false;
    // icmp: the type (every code); the validator allows it with ICMP or ICMPv6 only.
    if (rule.icmp) {
      if (rule.protocol !== 'ICMP' && rule.protocol !== 'ICMPv6') throw new Error('an icmp match needs protocol ICMP or ICMPv6');
      if (packet.icmpType !== rule.icmp.type) return false;
    }
    return this.entityMatches(rule.source, ns, packet.srcIp, rule, packet, false) && this.entityMatches(rule.destination, ns, packet.dstIp, rule, packet, true);
  }

  /**
   * One endpoint and direction (felix/rules/endpoints.go endpointIptablesChain and the Tier
   * reference, "How policy is evaluated"): tiers in order; a tier takes part only when one of
   * its policies selects the endpoint and has the direction in `types`; within it policies in
   * order and rules in order: Allow and Deny end evaluation, Pass skips to the next tier, Log
   * records and continues (projectcalico/calico#6418). A tier that takes part but reaches no
   * terminal action applies its default action (Deny, or Pass). If no tier decides, the
   * endpoint's profiles decide, and a packet no profile rule matches is dropped.
   */
  side(ep: WorkloadEndpoint, direction: 'ingress' | 'egress', packet: Packet): SideResult {
    let logged = false;
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    tiers: for (const tier of this.tiers) {
      const applicable = (this.policiesByTier.get(tier.name) ?? []).filter(
        // A namespaced policy's selector is ANDed with projectcalico.org/namespace == '<ns>'
        // (updateprocessors/networkpolicyprocessor.go); the policy governs a direction only if
        // `types` lists it (felix/calc PolKV.GovernsIngress/GovernsEgress).
        (p) => selectorMatches({ kind: 'and', operands: [p.spec.selector, { kind: 'eq', key: labelNamespace, value: p.metadata.namespace }] }, ep.labels) && p.spec.types.includes(type),
      );
      if (applicable.length === 0) continue;
      for (const policy of applicable) {
        for (const rule of policy.spec[direction] ?? []) {
          if (!this.ruleMatches(rule, policy.metadata.namespace, packet)) continue;
          const action: CalicoAction = rule.action;
          if (action === 'Log') {
            logged = true;
            continue;
          }
          if (action === 'Pass') continue tiers;
          return { allowed: action === 'Allow', reason: 'rule', policy: `${tier.name}/${policy.metadata.namespace}/${policy.metadata.name}`, logged };
        }
      }
      if (tier.defaultAction === 'Deny') return { allowed: false, reason: 'end-of-tier', policy: tier.name, logged };
    }
    for (const name of ep.profiles) {
      const profile = this.cluster.profiles.get(name);
      // The namespace profile holds a single Allow rule per direction (conversion.go NamespaceToProfile).
      if (profile && profile[direction].length > 0) return { allowed: true, reason: 'profile', logged };
    }
    return { allowed: false, reason: 'no-profile-match', logged };
  }

  evaluate(packet: Packet): CalicoVerdict {
    const src = this.endpointAt(packet.srcIp);
    const dst = this.endpointAt(packet.dstIp);
    // Traffic of a pod to itself stays inside its network namespace and never crosses the
    // host-side interface where Felix attaches policy.
    if (src && src === dst) return { allowed: true, self: true };
    const egress = src ? this.side(src, 'egress', packet) : undefined;
    if (egress && !egress.allowed) return { allowed: false, self: false, egress };
    let ingress: SideResult | undefined;
    if (dst) {
      // Felix does not police traffic from a host to its own workloads: "a default deny rule will
      // deny all incoming traffic to a Calico networked pod except traffic coming from the host
      // it lives on" (projectcalico/calico#1683).
      if (this.cluster.hostAddresses.get(packet.srcIp) === dst.node) ingress = { allowed: true, reason: 'host-to-local-workload', logged: false };
      else ingress = this.side(dst, 'ingress', packet);
    }
    return { allowed: ingress?.allowed ?? true, self: false, ...(egress ? { egress } : {}), ...(ingress ? { ingress } : {}) };
  }
}

function compareNames(a: CalicoNetworkPolicy, b: CalicoNetworkPolicy): number {
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Builds an evaluator of a set of Calico objects over a cluster. */
export function calicoEvaluator(objects: readonly CalicoObject[], cluster: CalicoCluster): (packet: Packet) => CalicoVerdict {
  const e = new Evaluator(objects, cluster);
  return (packet) => e.evaluate(packet);
}
