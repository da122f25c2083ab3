import { createHash } from 'node:crypto';
import { compareValues } from '../util/compare.js';
import type { Pod } from '../model/inventory.js';
import type { PeerSet } from '../model/resolved.js';
import { familyMax } from '../net/ip.js';
import { intersect, type IntervalSet } from '../net/interval-set.js';

/** Both families of an address set. */
export interface AddressSet {
  readonly v4: IntervalSet<bigint>;
  readonly v6: IntervalSet<bigint>;
}

/** Every address of both families. */
export const allAddresses: AddressSet = Object.freeze({
  v4: Object.freeze([Object.freeze([0n, familyMax(4)] as const)]),
  v6: Object.freeze([Object.freeze([0n, familyMax(6)] as const)]),
});

/** Intersection of two address sets. */
export function intersectAddresses(a: AddressSet, b: AddressSet): AddressSet {
  return { v4: intersect(a.v4, b.v4), v6: intersect(a.v6, b.v6) };
}

function contentKey(s: AddressSet): string {
  const part = (set: IntervalSet<bigint>): string => set.map(([a, b]) => (a === b ? a.toString(16) : `${a.toString(16)}-${b.toString(16)}`)).join(',');
  return `${part(s.v4)}|${part(s.v6)}`;
}

/**
 * Interns peer address sets by content, so every tuple with the same peers refers to one set,
 * and finds the pods inside each set through per-family address indexes.
 */
export class PeerSetTable {
  readonly sets: PeerSet[] = [];
  private readonly byContent = new Map<string, number>();
  private readonly index: Record<4 | 6, { value: bigint; pod: number }[]>;
  /** Per pod, the positions of its addresses in `index` (address order), per family. */
  private readonly ranks: Record<4 | 6, number[][]>;
  /** `follows[f][r]` is 1 when address r is exactly one more than address r - 1. */
  private readonly follows: Record<4 | 6, Uint8Array>;
  /** One shared, frozen `[a, a]` range per address: most pod sets are runs of single addresses. */
  private readonly singles: Record<4 | 6, (readonly [bigint, bigint])[]>;

  constructor(pods: readonly Pod[]) {
    this.index = { 4: [], 6: [] };
    this.ranks = { 4: pods.map(() => []), 6: pods.map(() => []) };
    pods.forEach((pod, id) => {
      for (const a of pod.addresses) this.index[a.family].push({ value: a.value, pod: id });
    });
    this.follows = { 4: new Uint8Array(this.index[4].length), 6: new Uint8Array(this.index[6].length) };
    this.singles = { 4: [], 6: [] };
    for (const f of [4, 6] as const) {
      const entries = this.index[f];
      entries.sort((x, y) => compareValues(x.value, y.value) || x.pod - y.pod);
      entries.forEach((e, rank) => {
        this.ranks[f][e.pod]!.push(rank);
        if (rank > 0 && e.value <= entries[rank - 1]!.value + 1n) this.follows[f][rank] = 1;
        this.singles[f].push(Object.freeze([e.value, e.value] as const));
      });
    }
  }

  /**
   * The exact addresses of some pods. Sorting ranks (small integers) instead of addresses keeps
   * this linear-ish and allocation-light; it runs once per distinct peer selector.
   */
  podAddresses(ids: readonly number[]): AddressSet {
    return { v4: this.rangesOf(4, ids), v6: this.rangesOf(6, ids) };
  }

  private rangesOf(family: 4 | 6, ids: readonly number[]): IntervalSet<bigint> {
    const perPod = this.ranks[family];
    let n = 0;
    for (const id of ids) n += perPod[id]!.length;
    if (n === 0) return [];
    const ranks = new Int32Array(n);
    let k = 0;
    for (const id of ids) for (const r of perPod[id]!) ranks[k++] = r;
    ranks.sort();
    // Runs of consecutive ranks over adjacent (or equal) addresses become one range: bigints are
    // read only at range boundaries.
    const entries = this.index[family];
    const follows = this.follows[family];
    const singles = this.singles[family];
    const out: (readonly [bigint, bigint])[] = [];
    let start = ranks[0]!;
    let prev = start;
    for (let i = 1; i <= n; i++) {
      const r = i < n ? ranks[i]! : -1;
      if (r === prev + 1 && follows[r] === 1) {
        prev = r;
        continue;
      }
      const lo = entries[start]!.value;
      const hi = entries[prev]!.value;
      const last = out[out.length - 1];
      // Non-consecutive ranks may still touch (a gap of pods outside this set at equal addresses).
      if (last && lo <= last[1] + 1n) {
        if (hi > last[1]) out[out.length - 1] = [last[0], hi];
      } else {
        out.push(start === prev || lo === hi ? singles[start]! : [lo, hi]);
      }
      start = r;
      prev = r;
    }
    return out;
  }

  /** Id of the set with this content, creating it if new. */
  intern(addresses: AddressSet, origin: PeerSet['origin'], knownPods?: readonly number[]): number {
    const key = contentKey(addresses);
    const existing = this.byContent.get(key);
    if (existing !== undefined) return existing;
    const id = this.sets.length;
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
    this.sets.push({ id, hash, v4: addresses.v4, v6: addresses.v6, pods: knownPods ?? this.podsIn(addresses), origin });
    this.byContent.set(key, id);
    return id;
  }

  /** Sorted ids of pods with at least one address in the set. */
  podsIn(addresses: AddressSet): number[] {
    const found = new Set<number>();
    for (const f of [4, 6] as const) {
      const entries = this.index[f];
      for (const [lo, hi] of f === 4 ? addresses.v4 : addresses.v6) {
        let i = lowerBound(entries, lo);
        while (i < entries.length && entries[i]!.value <= hi) found.add(entries[i++]!.pod);
      }
    }
    return [...found].sort((a, b) => a - b);
  }
}

function lowerBound(entries: readonly { value: bigint }[], v: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.value < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
