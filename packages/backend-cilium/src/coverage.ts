// Which pods and nodes an ipBlock covers, and whether Cilium can express that coverage.
// Kubernetes ipBlocks match pod and node addresses (semantics.md §3, `ipBlockMatchesPods`), but
// Cilium CIDR rules match neither: "CIDR rules do not apply to traffic where both sides of the
// connection are either managed by Cilium or use an IP belonging to a node in the cluster"
// (Documentation/security/policy/layer3.rst, "IP/CIDR based"; cilium/cilium#9209, #12277).
import {
  appendAll,
  cidrBounds,
  contains,
  familyMax,
  intersect,
  normalize,
  parseCidr,
  parseIp,
  subtract,
  union,
  type Address,
  type Direction,
  type IntervalSet,
  type Peer,
  type PortSet,
  type ResolvedProgram,
} from '@netpolc/ir';

/** Addresses of a set of ipBlocks, per family. */
export interface BlockSet {
  readonly v4: IntervalSet<bigint>;
  readonly v6: IntervalSet<bigint>;
}

/** An ipBlock peer. */
export type BlockPeer = Extract<Peer, { kind: 'ip-block' }>;

/** `cidr` or `cidr except a, b`. */
export function blockText(p: BlockPeer): string {
  return p.except.length > 0 ? `${p.cidr} except ${p.except.join(', ')}` : p.cidr;
}

/** The union of the rule's ipBlock peers, each minus its own excepts. */
export function blockSetOf(peers: readonly BlockPeer[]): BlockSet {
  // Gathered, then normalised once: a union per peer re-sorted the growing set (5,000 peers of
  // one rule took 3 s).
  const ranges: Record<4 | 6, (readonly [bigint, bigint])[]> = { 4: [], 6: [] };
  for (const p of peers) {
    const c = parseCidr(p.cidr)!;
    appendAll(ranges[c.family], subtract<bigint>([cidrBounds(c)], normalize(p.except.map((e) => cidrBounds(parseCidr(e)!)))));
  }
  return { v4: normalize(ranges[4]), v6: normalize(ranges[6]) };
}

/** A stable text key of a block set's content (for memoisation). */
export function blockKey(set: BlockSet): string {
  const part = (x: IntervalSet<bigint>): string => x.map(([a, b]) => `${a.toString(16)}-${b.toString(16)}`).join(',');
  return `${part(set.v4)}|${part(set.v6)}`;
}

/** True when the block set holds every address of the family. */
export function familyWhole(set: BlockSet, family: 4 | 6): boolean {
  const f = family === 4 ? set.v4 : set.v6;
  return f.length === 1 && f[0]![0] === 0n && f[0]![1] === familyMax(family);
}

/** True when the block set holds the address. */
export function covers(set: BlockSet, a: Address): boolean {
  return contains(a.family === 4 ? set.v4 : set.v6, a.value);
}

/** Whether a set of addresses is inside the block set entirely, partly or not at all. */
export function coverage(set: BlockSet, addresses: readonly Address[]): 'none' | 'partial' | 'full' {
  const n = addresses.filter((a) => covers(set, a)).length;
  return n === 0 ? 'none' : n === addresses.length ? 'full' : 'partial';
}

/** How a cluster pod CIDR relates to the block set. */
export function cidrRelation(set: BlockSet, cidr: string): 'none' | 'partial' | 'full' {
  const c = parseCidr(cidr)!;
  const range: IntervalSet<bigint> = [cidrBounds(c)];
  const blocks = c.family === 4 ? set.v4 : set.v6;
  const inside = intersect(range, blocks);
  if (inside.length === 0) return 'none';
  return subtract(range, blocks).length === 0 ? 'full' : 'partial';
}

/** Is port set `a` inside port set `b`? */
export function portSubset(a: PortSet, b: PortSet): boolean {
  if (b.kind === 'any') return true;
  if (a.kind === 'any') return false;
  return (['TCP', 'UDP', 'SCTP'] as const).every((p) => subtract(a[p], b[p]).length === 0);
}

/**
 * Answers "what does Kubernetes allow" questions from the resolved IR, to decide whether a
 * partially covered pod or node can still be selected as a whole without widening.
 */
export class ResolvedAllowance {
  private built: Record<Direction, Map<number, number[]>> | undefined;

  constructor(private readonly resolved: ResolvedProgram) {}

  /** Subjects (resolved pod indices) of a policy in a direction, from one pass over the pods. */
  subjects(policy: number, direction: Direction): readonly number[] {
    if (!this.built) {
      const built: Record<Direction, Map<number, number[]>> = { ingress: new Map(), egress: new Map() };
      for (const dir of ['ingress', 'egress'] as const) {
        this.resolved[dir].forEach((d, i) => {
          for (const p of d.policies) {
            const list = built[dir].get(p);
            if (list) list.push(i);
            else built[dir].set(p, [i]);
          }
        });
      }
      this.built = built;
    }
    return this.built[direction].get(policy) ?? [];
  }

  /** Union of the ports Kubernetes allows between `subject` and `address` in `direction` (tuples filtered by `keep`). */
  ports(subject: number, direction: Direction, address: Address, keep: (policy: number, rule: number) => boolean = () => true): PortSet {
    const d = this.resolved[direction][subject]!;
    let out: PortSet = { kind: 'ports', TCP: [], UDP: [], SCTP: [] };
    for (const t of d.tuples) {
      if (!keep(t.provenance.policy, t.provenance.rule)) continue;
      const set = this.resolved.peerSets[t.peer]!;
      if (!contains(address.family === 4 ? set.v4 : set.v6, address.value)) continue;
      if (t.ports.kind === 'any') return t.ports;
      if (out.kind === 'ports') out = { kind: 'ports', TCP: union(out.TCP, t.ports.TCP), UDP: union(out.UDP, t.ports.UDP), SCTP: union(out.SCTP, t.ports.SCTP) };
    }
    return out;
  }

  /**
   * True when selecting the whole endpoint (all `addresses`) through rule (`policy`, `rule`) adds
   * nothing Kubernetes denies: every address is covered, or the policy selects pods and for each,
   * whatever the rule allows towards the covered addresses, Kubernetes also allows towards each
   * uncovered one; or it selects none, and its own rules allow each uncovered one (`anyway`).
   */
  wholeEndpointAllowed(policy: number, rule: number, direction: Direction, set: BlockSet, addresses: readonly Address[], anyway: (uncovered: Address) => boolean): boolean {
    const covered = addresses.filter((a) => covers(set, a));
    const uncovered = addresses.filter((a) => !covers(set, a));
    if (uncovered.length === 0) return true;
    const subjects = this.subjects(policy, direction);
    // A policy that selects no pod yet would hold vacuously, and the pods Cilium selects once one
    // is labelled would reach the uncovered addresses: only what the policy's own rules allow
    // (`anyway`, same-policy.ts) holds for them.
    if (subjects.length === 0) return uncovered.every(anyway);
    for (const s of subjects) {
      for (const c of covered) {
        const granted = this.ports(s, direction, c, (p, r) => p === policy && r === rule);
        for (const u of uncovered) if (!portSubset(granted, this.ports(s, direction, u))) return false;
      }
    }
    return true;
  }
}

/** Parses canonical address text (node and pod addresses are canonical in the IR). */
export function addressOf(ip: string): Address {
  const p = parseIp(ip)!;
  return { family: p.family, ip, value: p.value };
}
