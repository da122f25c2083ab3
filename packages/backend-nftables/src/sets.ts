import { compilerAssert, familyMax, normalize, type IntervalSet, type PortRanges, type Provenance, type ResolvedProgram } from '@netpolc/ir';
import { definitionKey, hasNamedPort, peerText, ruleOf, type TupleGroup } from './groups.js';
import type { AddressProtoPort, ConcatSet, Family, L4Protocol, NamedSet } from './model.js';
import { commentText, peerPortSetName, peerSetNames } from './names.js';
import { Numbered } from './numbered.js';

/** How a rule refers to a peer address set of one family. */
export type AddressRef =
  /** No address of this family: the rule is left out for the family (never widened, semantics.md §2.6). */
  | { readonly kind: 'empty' }
  /** Every address of the family: `meta nfproto ipvN` instead of a set. */
  | { readonly kind: 'full' }
  | { readonly kind: 'set'; readonly name: string };

const protocolOrder: readonly L4Protocol[] = ['tcp', 'udp', 'sctp'];
const fromIr = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;

function familySet(set: { readonly v4: IntervalSet<bigint>; readonly v6: IntervalSet<bigint> }, family: Family): IntervalSet<bigint> {
  return family === 4 ? set.v4 : set.v6;
}

/** True when the set holds every address of the family. */
export function isFullFamily(set: IntervalSet<bigint>, family: Family): boolean {
  return set.length === 1 && set[0]![0] === 0n && set[0]![1] === familyMax(family);
}

/**
 * The named sets of a whole program, built once and shared by every node and pod that refers
 * to them. Peer sets are interned by content in the IR; here each gets a name derived from the
 * smallest definition (peer entry) that yields it, so pod churn changes elements, not names.
 */
export class SetCatalog {
  /** Per peer set, the provenances of the tuples that refer to it (one per distinct tuple). */
  private readonly sources = new Map<number, Set<Provenance>>();
  private readonly built = new Map<string, NamedSet>();
  /** Built sets by id (order of creation), and ids by name. */
  readonly numbered = new Numbered<NamedSet>();
  private readonly ids = new Map<string, number>();
  private readonly plainNames = new Map<number, Record<Family, string>>();
  private readonly concatNames = new Map<string, string>();

  constructor(private readonly resolved: ResolvedProgram) {}

  /**
   * Records where each peer set comes from, before any set is named: a set is named after the
   * smallest of all its definitions in the program (every rule peer of every policy that
   * selects a pod, which the IR lists even for a one-node resolution), not only those of the
   * nodes being compiled, so `--node` output equals the all-nodes output for that node.
   * Definitions are described only for the sets that get named.
   */
  registerProgram(): void {
    for (const d of this.resolved.definitions) {
      let sources = this.sources.get(d.peer);
      if (!sources) this.sources.set(d.peer, (sources = new Set()));
      sources.add(d.provenance);
    }
  }

  /** The definitions (peer entries) behind a peer set's plain rule groups, by key. */
  private definitions(peerSetId: number): Map<string, string> {
    const defs = new Map<string, string>();
    for (const p of this.sources.get(peerSetId) ?? []) {
      const { policy, rule, peer } = ruleOf(this.resolved, p);
      // Egress rules with named ports become concatenated sets named by their own key.
      if (p.direction === 'egress' && hasNamedPort(rule)) continue;
      // Many policies name the same peers: describe each definition once.
      const key = definitionKey(policy, peer);
      if (!defs.has(key)) defs.set(key, peerText(policy, peer));
    }
    return defs;
  }

  /** The address set of a plain group's peers, for one family. */
  addressRef(peerSetId: number, family: Family): AddressRef {
    const peerSet = this.resolved.peerSets[peerSetId];
    compilerAssert(peerSet !== undefined, `missing peer set ${peerSetId}`);
    const elements = familySet(peerSet, family);
    if (elements.length === 0) return { kind: 'empty' };
    if (isFullFamily(elements, family)) return { kind: 'full' };
    let names = this.plainNames.get(peerSetId);
    if (!names) {
      const defs = this.definitions(peerSetId);
      compilerAssert(defs.size > 0, `peer set ${peerSetId} was not registered`);
      // Named after its smallest definition; the comment lists every definition that yields it.
      const keys = [...defs.keys()].sort();
      const comment = commentText(keys.map((k) => defs.get(k)!).join('; '));
      names = peerSetNames(keys[0]!);
      this.plainNames.set(peerSetId, names);
      for (const f of [4, 6] as const) {
        const set = familySet(peerSet, f);
        if (set.length > 0) this.add({ kind: 'address', name: names[f], family: f, interval: true, comment, elements: set });
      }
    }
    return { kind: 'set', name: names[family] };
  }

  /** The concatenated set of a named-port group, for one family (or empty). */
  concatRef(group: Extract<TupleGroup, { kind: 'concat' }>, family: Family): AddressRef {
    const memoKey = `${family}|${group.key}`;
    let name = this.concatNames.get(memoKey);
    if (name === undefined) this.concatNames.set(memoKey, (name = peerPortSetName(family, group.key)));
    const existing = this.built.get(name);
    if (existing) return existing.elements.length === 0 ? { kind: 'empty' } : { kind: 'set', name };
    const elements = concatElements(this.resolved, group, family);
    const set: ConcatSet = { kind: 'address-proto-port', name, family, comment: commentText(group.text), elements };
    this.add(set);
    return elements.length === 0 ? { kind: 'empty' } : { kind: 'set', name };
  }

  private add(set: NamedSet): void {
    this.built.set(set.name, set);
    this.ids.set(set.name, this.numbered.add(set));
  }

  /** The id of a set built by {@link addressRef} or {@link concatRef}. */
  idOf(name: string): number {
    const id = this.ids.get(name);
    compilerAssert(id !== undefined, `unknown set ${name}`);
    return id;
  }
}

/**
 * Elements of the relation "(address, protocol, port) allowed by some tuple of the group", as
 * disjoint rectangles: the kernel rejects overlapping interval elements (projectcalico/calico#13277),
 * and the tuples of one group overlap whenever a peer pod appears under several port numbers.
 * Per protocol, the port axis is cut at every range boundary; each elementary segment gets the
 * union of the addresses allowed on it; equal neighbouring segments are merged again.
 */
function concatElements(resolved: ResolvedProgram, group: Extract<TupleGroup, { kind: 'concat' }>, family: Family): AddressProtoPort[] {
  const out: AddressProtoPort[] = [];
  for (const protocol of protocolOrder) {
    const parts: { addresses: IntervalSet<bigint>; ports: PortRanges }[] = [];
    for (const t of group.tuples) {
      compilerAssert(t.ports.kind === 'ports', 'a rule with named ports cannot allow every protocol');
      const addresses = familySet(resolved.peerSets[t.peer]!, family);
      const ports = t.ports[fromIr[protocol]];
      if (addresses.length > 0 && ports.length > 0) parts.push({ addresses, ports });
    }
    if (parts.length === 0) continue;
    const cuts = new Set<number>();
    for (const p of parts) for (const [a, b] of p.ports) cuts.add(a).add(b + 1);
    const points = [...cuts].sort((a, b) => a - b);
    const segments: { from: number; to: number; addresses: IntervalSet<bigint> }[] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const from = points[i]!;
      const to = points[i + 1]! - 1;
      const covering = parts.filter((p) => p.ports.some(([a, b]) => a <= from && to <= b));
      if (covering.length === 0) continue;
      const addresses = normalize(covering.flatMap((p) => p.addresses));
      const last = segments[segments.length - 1];
      if (last && last.to + 1 === from && sameIntervals(last.addresses, addresses)) last.to = to;
      else segments.push({ from, to, addresses });
    }
    for (const s of segments) for (const address of s.addresses) out.push({ address, protocol, ports: [s.from, s.to] });
  }
  return out.sort(compareElements);
}

function sameIntervals(a: IntervalSet<bigint>, b: IntervalSet<bigint>): boolean {
  return a.length === b.length && a.every(([x, y], i) => x === b[i]![0] && y === b[i]![1]);
}

/** Canonical order of concatenated elements: address, then protocol, then port. */
export function compareElements(a: AddressProtoPort, b: AddressProtoPort): number {
  if (a.address[0] !== b.address[0]) return a.address[0] < b.address[0] ? -1 : 1;
  if (a.address[1] !== b.address[1]) return a.address[1] < b.address[1] ? -1 : 1;
  if (a.protocol !== b.protocol) return protocolOrder.indexOf(a.protocol) - protocolOrder.indexOf(b.protocol);
  return a.ports[0] - b.ports[0];
}
