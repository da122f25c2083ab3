// One NetworkPolicy rule -> Calico Allow rules. The shape follows Calico's own converter
// (libcalico-go/lib/backend/k8s/conversion/conversion.go, k8sRuleToCalico): one Calico rule per
// peer and per protocol, so each ipBlock keeps its own `notNets` (an `except` is not a deny and
// must never reach another peer, semantics.md §2.2). Unlike the converter, ipBlocks without
// excepts share rules, and a selector too long for one rule is split over several.
import { cidrBounds, compareValues, normalize, parseCidr, subtract, toCidrStrings, type Diagnostic, type Direction, type Peer, type Pod, type PortMatch, type Protocol, type Rule } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import { kubernetesWorkloads, lowerSelectorParts, shadowedNamespaceKeys } from './lower-selector.js';
import type { CalicoPort, CalicoProtocol, CalicoRule, EntityRule } from './model.js';

/** CRD limit: `nets`/`notNets` hold at most 256 entries. */
export const maxNets = 256;
/** CRD limit: `ports` holds at most 50 entries. */
export const maxPorts = 50;

const protocolOrder: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `::ffff:0:0/96`, the IPv4-mapped IPv6 addresses, which Go (and so Calico) reads as IPv4. */
const mappedRange: readonly [bigint, bigint] = [0xffffn << 32n, (0xffffn << 32n) | 0xffffffffn];

/**
 * The addresses of an ipBlock as except-free CIDRs, which rules may share: undefined when its
 * excepts fit in `notNets` and it needs a rule of its own. More excepts than notNets can hold
 * are replaced by the remaining addresses (exact, but for the IPv4-mapped ones: left out, with a
 * warning).
 */
function blockNets(peer: Extract<Peer, { kind: 'ip-block' }>, diagnostics: Diagnostic[]): { readonly family: 4 | 6; readonly nets: readonly string[] } | undefined {
  const block = parseCidr(peer.cidr)!;
  if (peer.except.length === 0) return { family: block.family, nets: [peer.cidr] };
  if (peer.except.length <= maxNets) return undefined;
  let remaining = subtract(normalize([cidrBounds(block)]), normalize(peer.except.map((e) => cidrBounds(parseCidr(e)!))));
  if (block.family === 6 && remaining.some(([lo, hi]) => lo <= mappedRange[1] && hi >= mappedRange[0])) {
    diagnostics.push(calicoDiagnostic('backend-calico/mapped-range-left-out', { cidr: peer.cidr, excepts: String(peer.except.length) }, peer.origin));
    remaining = subtract(remaining, [mappedRange]);
  }
  return { family: block.family, nets: toCidrStrings(remaining, block.family) };
}

/** The address part of a selector peer, or of an ipBlock with excepts, as entity rules (ORed); undefined when it cannot be written. */
function peerEntities(peer: Peer, diagnostics: Diagnostic[], shadowed: ReadonlySet<string>): EntityRule[] | undefined {
  if (peer.kind === 'ip-block') return [{ nets: [peer.cidr], notNets: peer.except }];
  // Always a selector, at least the Kubernetes-workload term: a namespaceSelector or the policy's
  // own namespace alone also selects the namespace's NetworkSets (they carry
  // projectcalico.org/namespace and inherit the pcns.* labels), and a negative namespaceSelector
  // also selects host endpoints and GlobalNetworkSets, which have no pcns.* labels to fail on
  // (updateprocessors/rules.go getEndpointSelector, networksetprocessor.go).
  const pods = lowerSelectorParts(peer.pods, peer.origin, 'pod selector', diagnostics, true);
  if (peer.namespaces.kind === 'policy-namespace') return pods?.map((selector) => ({ selector }));
  const namespaces = lowerSelectorParts(peer.namespaces.selector, peer.origin, 'namespace selector', diagnostics, false, shadowed);
  if (!pods || !namespaces) return undefined;
  // `all()` as namespaceSelector means every namespace (rules.go rewrites it to
  // has(projectcalico.org/namespace)). Split selectors give every pairing: (P1 or P2) and
  // (N1 or N2) is the OR of the four.
  return namespaces.flatMap((namespaceSelector) => pods.map((selector) => ({ namespaceSelector, selector })));
}

/**
 * The address parts of a rule's peers, in peer order. Except-free CIDRs of one family share
 * rules, up to 256 per rule, placed where the first of them stood: nets of a rule are ORed like
 * the rule's peers, and a rule per CIDR made 1025 ipBlock peers more than the 1024 rules a
 * policy may hold.
 */
function ruleEntities(peers: readonly Peer[], diagnostics: Diagnostic[], shadowed: ReadonlySet<string>): EntityRule[] {
  const slots: ({ readonly entities: EntityRule[] } | { readonly pool: Set<string> })[] = [];
  const pools = new Map<4 | 6, Set<string>>();
  for (const peer of peers) {
    const shared = peer.kind === 'ip-block' ? blockNets(peer, diagnostics) : undefined;
    if (shared) {
      let pool = pools.get(shared.family);
      if (!pool) {
        pools.set(shared.family, (pool = new Set()));
        slots.push({ pool });
      }
      for (const net of shared.nets) pool.add(net);
      continue;
    }
    const e = peerEntities(peer, diagnostics, shadowed);
    if (e) slots.push({ entities: e });
  }
  return slots.flatMap((slot) => ('pool' in slot ? chunks(withoutCovered([...slot.pool]), maxNets).map((nets): EntityRule => ({ nets })) : slot.entities));
}

/**
 * The nets not inside another of the list, in their order: nets of a rule are ORed, so one inside
 * another adds nothing but an entry towards the 256 a rule holds. CIDRs are nested or disjoint,
 * so in order of start (widest first) a net is covered exactly when it ends by the furthest end
 * seen before it.
 */
function withoutCovered(nets: readonly string[]): string[] {
  const bounds = nets.map((net, index) => ({ index, range: cidrBounds(parseCidr(net)!) }));
  bounds.sort((a, b) => compareValues(a.range[0], b.range[0]) || compareValues(b.range[1], a.range[1]));
  const covered = new Set<number>();
  let end = -1n;
  for (const { index, range } of bounds) {
    if (range[1] <= end) covered.add(index);
    else end = range[1];
  }
  return nets.filter((_, i) => !covered.has(i));
}

/** What the inventory holds that Calico reads differently from Kubernetes. */
export interface InventoryFacts {
  /** Namespace label keys some pod shadows with its own pcns.<key> label (shadowedNamespaceKeys). */
  readonly shadowed: ReadonlySet<string>;
  /** `PROTOCOL/name` of the named ports of plain init containers, with one pod that has it. */
  readonly initPortNames: ReadonlyMap<string, string>;
}

/** {@link InventoryFacts} of a program's pods. */
export function inventoryFacts(pods: readonly Pod[]): InventoryFacts {
  const initPortNames = new Map<string, string>();
  for (const p of pods) {
    if (!p.actionable || !p.initPorts) continue;
    for (const c of p.initPorts) {
      const key = `${c.protocol}/${c.name}`;
      if (!initPortNames.has(key)) initPortNames.set(key, `${p.namespace}/${p.name}`);
    }
  }
  return { shadowed: shadowedNamespaceKeys(pods), initPortNames };
}

/**
 * The rule's ports without the named ones that some pod declares on an init container that is no
 * sidecar: Calico resolves a name on every init container (libcalico-go conversion
 * workload_endpoint_default.go; projectcalico/calico#8885), Kubernetes on containers and sidecars
 * only, so the name would open more in Calico. Each is diagnosed and left out (fail closed);
 * undefined when nothing is left (the rule must then allow nothing, not every port).
 */
function portsCalicoResolvesAlike(ports: Rule['ports'], diagnostics: Diagnostic[], initPortNames: ReadonlyMap<string, string>): Rule['ports'] | undefined {
  if (ports === 'any' || initPortNames.size === 0) return ports;
  const kept = ports.filter((p) => {
    if (p.kind !== 'named') return true;
    const pod = initPortNames.get(`${p.protocol}/${p.name}`);
    if (pod === undefined) return true;
    diagnostics.push(calicoDiagnostic('backend-calico/init-container-named-port', { name: p.name, protocol: p.protocol, pod }, p.origin));
    return false;
  });
  return kept.length > 0 ? kept : undefined;
}

/** Ports of one protocol: numbers and merged ranges ascending, then named ports by name. */
function protocolPorts(entries: readonly PortMatch[]): CalicoPort[] | 'all' {
  if (entries.some((e) => e.kind === 'all')) return 'all';
  const ranges = normalize(entries.flatMap((e) => (e.kind === 'range' ? [[e.from, e.to] as const] : [])));
  const numeric: CalicoPort[] = ranges.map(([from, to]) => (from === to ? { kind: 'number', port: from } : { kind: 'range', from, to }));
  const names = [...new Set(entries.flatMap((e) => (e.kind === 'named' ? [e.name] : [])))].sort();
  return [...numeric, ...names.map((name): CalicoPort => ({ kind: 'named', name }))];
}

interface PortGroup {
  readonly protocol?: CalicoProtocol;
  readonly ports?: readonly CalicoPort[];
  /** Egress named ports only: the rule must reach Kubernetes pods only (see lowerRule). */
  readonly named?: boolean;
}

function portGroups(ports: Rule['ports'], direction: Direction): PortGroup[] {
  if (ports === 'any') return [{}];
  const out: PortGroup[] = [];
  for (const protocol of protocolOrder) {
    const entries = ports.filter((p) => p.protocol === protocol);
    if (entries.length === 0) continue;
    const list = protocolPorts(entries);
    if (list === 'all') {
      out.push({ protocol });
      continue;
    }
    // A named port resolves on the destination endpoint under the rule's protocol
    // (felix/calc/rule_scanner.go namedPortsToIPSets), so protocol and name travel together.
    // Egress named ports get rules of their own, limited to pods, which numbers must not be.
    const named = direction === 'egress' ? list.filter((p) => p.kind === 'named') : [];
    const rest = named.length > 0 ? list.filter((p) => p.kind !== 'named') : list;
    for (const chunk of chunks(rest, maxPorts)) out.push({ protocol, ports: chunk });
    for (const chunk of chunks(named, maxPorts)) out.push({ protocol, ports: chunk, named: true });
  }
  return out;
}

/**
 * Every Kubernetes pod, in any namespace: a named port's IP set is built from the endpoints the
 * destination selector matches, or from every endpoint, host endpoints and their own named
 * ports included, when there is none (felix/calc/rule_scanner.go namedPortsToIPSets,
 * felix/labelindex/named_port_index.go); Kubernetes resolves a named port on pods only.
 * `all()` as namespaceSelector keeps a namespaced policy's selector from being limited to its
 * own namespace (updateprocessors/rules.go getEndpointSelector).
 */
const anyPod: EntityRule = { namespaceSelector: { kind: 'all' }, selector: kubernetesWorkloads };

/**
 * The Allow rules of one NetworkPolicy rule, in peer order then protocol order. A peer that
 * cannot be written is diagnosed and left out: an Allow that cannot be written must not become
 * wider. `facts`: what the inventory holds that Calico reads differently from Kubernetes.
 */
export function lowerRule(rule: Rule, direction: Direction, diagnostics: Diagnostic[], facts: InventoryFacts): CalicoRule[] {
  const shadowed = facts.shadowed;
  const ports = portsCalicoResolvesAlike(rule.ports, diagnostics, facts.initPortNames);
  if (ports === undefined) return [];
  const entities: readonly (EntityRule | undefined)[] = rule.peers === 'any' ? [undefined] : ruleEntities(rule.peers, diagnostics, shadowed);
  const out: CalicoRule[] = [];
  // The same port groups for every peer (read-only, shared by the rules).
  const groups = portGroups(ports, direction);
  for (const entity of entities) {
    for (const group of groups) {
      const ports = group.ports ? { ports: group.ports } : undefined;
      // Fields set one by one: spread conditional objects made throwaway objects per rule (the
      // printer sorts the keys, so their order here does not show).
      const r: { -readonly [K in keyof CalicoRule]: CalicoRule[K] } = { action: 'Allow' };
      if (group.protocol) r.protocol = group.protocol;
      if (direction === 'ingress') {
        if (entity) r.source = entity;
        if (ports) r.destination = ports;
      } else {
        const pods = group.named && entity?.selector === undefined ? anyPod : undefined;
        const destination = { ...entity, ...pods, ...ports };
        if (Object.keys(destination).length > 0) r.destination = destination;
      }
      out.push(r);
    }
  }
  return out;
}

