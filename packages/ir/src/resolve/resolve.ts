import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic, SourceRef } from '../diagnostics/diagnostic.js';
import { serviceDiagnostics } from './service-lint.js';
import type { Pod } from '../model/inventory.js';
import type { Direction, NamespaceScope, Peer, Policy, PortMatch, Protocol, Rule } from '../model/policy.js';
import type { Program } from '../model/program.js';
import type { AllowTuple, PeerDefinition, ResolvedProgram } from '../model/resolved.js';
import { selectorKey, type LabelSelector } from '../model/selector.js';
import { parseCidr, cidrBounds } from '../net/ip.js';
import { normalize, subtract, type IntervalSet } from '../net/interval-set.js';
import { InventoryIndex } from './inventory-index.js';
import { allAddresses, intersectAddresses, PeerSetTable, type AddressSet } from './peer-sets.js';
import { anyPorts, fullRange, isEmptyPortSet, portSetKey, portSetOf, type PortSet } from './port-set.js';
import { appendAll } from '../util/append.js';
import { appendExact } from '../util/exact-size.js';
import { lazy } from '../util/memo.js';

interface MutableDirection {
  isolated: boolean;
  policies: number[];
  tuples: AllowTuple[];
}

/**
 * What one rule adds to its subjects: a tuple shared by all of them, or one per subject (ingress
 * named ports resolve on the subject itself), indexed like the subjects.
 */
type RulePart = AllowTuple | { readonly perSubject: readonly (AllowTuple | undefined)[] };

type NamedEntry = Extract<PortMatch, { kind: 'named' }>;

/** A rule's named port entries, by protocol and name: a pod's ports are read once, not once per entry. */
interface NamedLookup {
  readonly entries: readonly NamedEntry[];
  readonly at: ReadonlyMap<Protocol, ReadonlyMap<string, readonly number[]>>;
}

function namedLookup(entries: readonly NamedEntry[]): NamedLookup {
  const at = new Map<Protocol, Map<string, number[]>>();
  entries.forEach((e, i) => {
    let names = at.get(e.protocol);
    if (!names) at.set(e.protocol, (names = new Map()));
    const hits = names.get(e.name);
    if (hits) hits.push(i);
    else names.set(e.name, [i]);
  });
  return { entries, at };
}

/** Options of {@link resolve}. */
export interface ResolveOptions {
  /**
   * Resolve the ingress and egress of these pods only (e.g. the pods of the nodes a per-node
   * backend compiles with `--node`): other pods stay peers but get no tuples. The result is then
   * `partial`, and whole-cluster queries refuse it.
   */
  readonly subjects?: (pod: Pod) => boolean;
  /**
   * The index of an earlier resolution against the same inventory (`netpolc diff` resolves two
   * policy sets against one): used when it fits this program's inventory, else a new one is made.
   */
  readonly index?: InventoryIndex;
}

/**
 * Resolves the symbolic program against its inventory: which pods each policy selects, which
 * peers each rule names (as shared address sets), and which ports after named-port resolution
 * on the destination pod. Selectors go through label indexes and are memoised by canonical key.
 */
export function resolve(program: Program, options: ResolveOptions = {}): ResolvedProgram {
  const index = options.index?.fits(program.inventory) ? options.index : new InventoryIndex(program.inventory);
  const { pods, nodeAddresses, everyPodAddress, everyNodeAddress } = index;
  const table = new PeerSetTable(index.addresses);
  const diagnostics: Diagnostic[] = [];
  const peerMemo = new Map<string, number>();
  // The same peers and egress port names recur across policies (to DNS by port name from every
  // namespace): each pair is resolved once (egressNamedPorts).
  const egressNamedMemo = new Map<string, { readonly tuples: readonly { readonly peer: number; readonly ports: PortSet }[]; readonly found: readonly boolean[] }>();

  // Rules mostly name the same few ports (kube-scale: 60k rules), and backends cache what they
  // derive from a port set by the object.
  const portSets = new Map<string, PortSet>();

  const selectPods = (scope: NamespaceScope, selector: LabelSelector, policyNs: string): readonly number[] => index.selectPods(scope, selector, policyNs);

  const blockAddresses = (peer: Extract<Peer, { kind: 'ip-block' }>): AddressSet => {
    const cidr = parseCidr(peer.cidr)!;
    let set: IntervalSet<bigint> = [cidrBounds(cidr)];
    set = subtract(set, normalize(peer.except.map((e) => cidrBounds(parseCidr(e)!))));
    if (!program.semantics.ipBlockMatchesPods) set = subtract(set, cidr.family === 4 ? everyPodAddress().v4 : everyPodAddress().v6);
    if (!program.semantics.ipBlockMatchesNodes) set = subtract(set, cidr.family === 4 ? everyNodeAddress().v4 : everyNodeAddress().v6);
    return cidr.family === 4 ? { v4: set, v6: [] } : { v4: [], v6: set };
  };

  // Each rule peer is looked up twice (its rule, then `definitions`): the second time by identity.
  const peerIds = new Map<Peer, { readonly namespace: string; readonly id: number }>();

  /** Address set of one peer entry (or of "any peer"), and the pods it touches. */
  const peerSet = (policy: Policy, peer: Peer | null): number => {
    const seen = peer === null ? undefined : peerIds.get(peer);
    if (seen !== undefined && seen.namespace === policy.namespace) return seen.id;
    const id = peerSetByKey(policy, peer);
    if (peer !== null) peerIds.set(peer, { namespace: policy.namespace, id });
    return id;
  };

  const peerSetByKey = (policy: Policy, peer: Peer | null): number => {
    // The policy namespace matters only for peers without a namespaceSelector.
    const key =
      peer === null
        ? 'any'
        : peer.kind === 'ip-block'
          ? `block:${peer.cidr}!${peer.except.join(',')}`
          : `pods:${peer.namespaces.kind === 'policy-namespace' ? `own:${policy.namespace}` : selectorKey(peer.namespaces.selector)}#${selectorKey(peer.pods)}`;
    const memo = peerMemo.get(key);
    if (memo !== undefined) return memo;
    let id: number;
    if (peer === null) id = table.intern(allAddresses, 'all');
    else if (peer.kind === 'ip-block') id = table.intern(blockAddresses(peer), 'ip-block');
    else {
      const ids = selectPods(peer.namespaces, peer.pods, policy.namespace);
      id = table.intern(index.selectionAddresses(ids), 'pods', ids);
    }
    peerMemo.set(key, id);
    return id;
  };

  // Pods selected by the same policies have equal directions, and share one object: every pod
  // starts on `unselected`, and a policy moves all its subjects that were on one direction to one
  // new direction (those pods' lists are then shared too). At kube-scale that is 40k objects
  // instead of 300k, and their lists. A direction only one pod is on grows in place.
  const unselected: MutableDirection = { isolated: false, policies: [], tuples: [] };
  const perPod = (): MutableDirection[] => new Array<MutableDirection>(pods.length).fill(unselected);
  const state: Record<Direction, MutableDirection[]> = { ingress: perPod(), egress: perPod() };
  /** How many pods are on each direction other than `unselected` (while policies are applied). */
  const owners = new Map<MutableDirection, number>();
  const resolvedNames = new Set<SourceRef>();

  /** The numbers a pod gives the entries' names; `found[i]` is set when entry i resolves. */
  const namedPorts = (named: NamedLookup, pod: Pod, found?: boolean[]): [Protocol, number, number][] => {
    const out: [Protocol, number, number][] = [];
    for (const c of pod.ports) {
      const hits = c.name === undefined ? undefined : named.at.get(c.protocol)?.get(c.name);
      if (hits === undefined) continue;
      for (const i of hits) {
        out.push([c.protocol, c.port, c.port]);
        resolvedNames.add(named.entries[i]!.origin);
        if (found) found[i] = true;
      }
    }
    return out;
  };

  // Every rule peer of every policy that selects some pod (`definitions`), in policy order. A
  // complete resolution has every peer set already (memo hits); a partial one builds the peer
  // sets of other nodes' policies only if a backend reads them (nftables set names).
  const selecting: number[] = [];
  const definitions = lazy(() => {
    const out: PeerDefinition[] = [];
    for (const policyId of selecting) {
      const policy = program.policies[policyId]!;
      for (const direction of ['ingress', 'egress'] as const) {
        for (const rule of policy[direction] ?? []) {
          const peers: (Peer | null)[] = rule.peers === 'any' ? [null] : [...rule.peers];
          peers.forEach((peer, i) => out.push({ provenance: { policy: policyId, direction, rule: rule.index, peer: peer === null ? null : i }, peer: peerSet(policy, peer) }));
        }
      }
    }
    return out;
  });

  const wanted = options.subjects;
  program.policies.forEach((policy, policyId) => {
    const selected = selectPods({ kind: 'policy-namespace' }, policy.subject, policy.namespace);
    if (selected.length === 0) return;
    selecting.push(policyId);
    const subjects = wanted ? selected.filter((i) => wanted(pods[i]!)) : selected;
    if (subjects.length === 0) return;
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = policy[direction];
      if (rules === null) continue;
      // Tuples in rule and peer order: each (policy, rule, peer) reaches a pod once, so there is
      // nothing to deduplicate.
      const parts: RulePart[] = [];
      for (const rule of rules) resolveRule(policy, policyId, direction, rule, subjects, parts);
      isolate(state[direction], subjects, policyId, parts);
    }
  });
  // The closures the result hands out keep this scope: the counts would keep every direction
  // that pods left.
  owners.clear();

  /** Moves the subjects to their directions with this policy and its tuples added. */
  function isolate(states: MutableDirection[], subjects: readonly number[], policyId: number, parts: readonly RulePart[]): void {
    const shared = parts.every((p): p is AllowTuple => !('perSubject' in p));
    const next = new Map<MutableDirection, MutableDirection>();
    subjects.forEach((s, at) => {
      const from = states[s]!;
      let to = shared ? next.get(from) : undefined;
      if (to === undefined) {
        const count = owners.get(from) ?? 0;
        const tuples = shared ? (parts as readonly AllowTuple[]) : tuplesOf(parts, at);
        if (count === 1) {
          // This pod alone is on it: grown in place (long lists by push, as `appendExact` does).
          from.isolated = true;
          from.policies = appendExact(from.policies, policyId);
          for (const t of tuples) from.tuples = appendExact(from.tuples, t);
          to = from;
        } else {
          // Fresh lists, never another direction's: a direction one pod is on may push onto its own.
          to = { isolated: true, policies: from.policies.concat(policyId), tuples: from.tuples.concat(tuples) };
        }
        if (shared) next.set(from, to);
      }
      if (to === from) return;
      if (from !== unselected) owners.set(from, owners.get(from)! - 1);
      owners.set(to, (owners.get(to) ?? 0) + 1);
      states[s] = to;
    });
  }

  /** The tuples the parts give the subject at this position. */
  function tuplesOf(parts: readonly RulePart[], at: number): AllowTuple[] {
    const out: AllowTuple[] = [];
    for (const p of parts) {
      const t = 'perSubject' in p ? p.perSubject[at] : p;
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /** Egress named ports resolve on each peer pod: the peer pods grouped by what they resolve to, as sets. */
  function egressNamedPorts(set: number, lookup: NamedLookup): readonly { readonly peer: number; readonly ports: PortSet }[] {
    const named = lookup.entries;
    const memoKey = `${set}|${named.map((n) => `${n.protocol}/${n.name}`).join(',')}`;
    const known = egressNamedMemo.get(memoKey);
    if (known) {
      // These entries resolve where the first ones with the same names did.
      named.forEach((e, i) => known.found[i] && resolvedNames.add(e.origin));
      return known.tuples;
    }
    const peerAddresses = table.sets[set]!;
    const groups = new Map<string, { ports: PortSet; pods: number[] }>();
    const found = named.map(() => false);
    for (const p of peerAddresses.pods) {
      const resolved = namedPorts(lookup, pods[p]!, found);
      if (resolved.length === 0) continue;
      const ports = portsOf(resolved);
      const key = portSetKey(ports);
      const g = groups.get(key);
      if (g) g.pods.push(p);
      else groups.set(key, { ports, pods: [p] });
    }
    const out = [...groups.keys()].sort().map((key) => {
      const g = groups.get(key)!;
      const addresses = intersectAddresses(index.addresses.podAddresses(g.pods), peerAddresses);
      return { peer: table.intern(addresses, 'named-port', g.pods), ports: g.ports };
    });
    egressNamedMemo.set(memoKey, { tuples: out, found });
    return out;
  }

  /** One object per distinct list of port entries (see `portSets`). */
  function portsOf(entries: readonly [Protocol, number, number][]): PortSet {
    let key = '';
    for (const [p, a, b] of entries) key += `${p}${a}-${b},`;
    let ports = portSets.get(key);
    if (ports === undefined) {
      ports = portSetOf(entries);
      portSets.set(key, ports);
    }
    return ports;
  }

  function resolveRule(policy: Policy, policyId: number, direction: Direction, rule: Rule, subjects: readonly number[], parts: RulePart[]): void {
    const entries = rule.ports === 'any' ? [] : rule.ports;
    const numeric: [Protocol, number, number][] = [];
    const named: NamedEntry[] = [];
    for (const e of entries) {
      if (e.kind === 'all') numeric.push([e.protocol, fullRange[0]![0], fullRange[0]![1]]);
      else if (e.kind === 'range') numeric.push([e.protocol, e.from, e.to]);
      else named.push(e);
    }
    const numericPorts: PortSet = rule.ports === 'any' ? anyPorts : portsOf(numeric);
    const lookup = namedLookup(named);
    // Ingress named ports resolve on each subject, alike for every peer: once per rule.
    let subjectPorts: (PortSet | undefined)[] | undefined;
    const peers: (Peer | null)[] = rule.peers === 'any' ? [null] : [...rule.peers];
    peers.forEach((peer, i) => {
      const provenance = { policy: policyId, direction, rule: rule.index, peer: peer === null ? null : i };
      const set = peerSet(policy, peer);
      if (direction === 'ingress') {
        if (named.length === 0) {
          if (!isEmptyPortSet(numericPorts)) parts.push({ peer: set, ports: numericPorts, provenance });
          return;
        }
        // Named ports resolve on the destination: here the subject pod itself.
        subjectPorts ??= subjects.map((s) => {
          const ports = portsOf([...numeric, ...namedPorts(lookup, pods[s]!)]);
          return isEmptyPortSet(ports) ? undefined : ports;
        });
        const perSubject = subjectPorts.map((ports) => ports && { peer: set, ports, provenance });
        parts.push({ perSubject });
        return;
      }
      const tuples: AllowTuple[] = [];
      if (!isEmptyPortSet(numericPorts)) tuples.push({ peer: set, ports: numericPorts, provenance });
      if (named.length > 0) {
        if (peer?.kind === 'ip-block') {
          diagnostics.push(
            irDiagnostic('ir/unresolved-named-port', { name: named.map((n) => n.name).join(', '), reason: 'on an ipBlock peer resolves only on pods inside the block; it matches no external address' }, peer.origin),
          );
        }
        for (const r of egressNamedPorts(set, lookup)) tuples.push({ peer: r.peer, ports: r.ports, provenance });
      }
      appendAll(parts, tuples);
    });
    for (const e of named) {
      // A partial resolution sees only some destinations: it cannot tell that a name resolves nowhere.
      if (!wanted && !resolvedNames.has(e.origin) && subjects.length > 0) {
        diagnostics.push(
          irDiagnostic('ir/unresolved-named-port', { name: e.name, reason: `(${e.protocol}) is defined by no ${direction === 'ingress' ? 'selected' : 'peer'} pod; this entry matches nothing` }, e.origin),
        );
      }
    }
  }

  if (!wanted) definitions();
  // Independent of the pods resolved: a `--node` compile warns as an all-nodes one does.
  appendAll(diagnostics, serviceDiagnostics(program, index));

  return {
    program,
    pods,
    peerSets: table.sets,
    // Handed out as they are (read-only by type): a copy would be 300k objects at kube-scale.
    ingress: state.ingress,
    egress: state.egress,
    get podIndex() {
      return index.podIndex();
    },
    get addressOwner() {
      return index.addressOwner();
    },
    nodeAddresses,
    sharedNodeAddresses: index.sharedNodeAddresses,
    sharedAddresses: index.addresses.sharedAddresses,
    diagnostics,
    partial: wanted !== undefined,
    get definitions() {
      return definitions();
    },
    selectPods,
    podsIn: (addresses) => index.addresses.podsIn(addresses),
    podAddresses: everyPodAddress,
  };
}
