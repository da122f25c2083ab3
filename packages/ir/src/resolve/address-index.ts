import { compareValues } from '../util/compare.js';
import { slots } from '../util/slots.js';
import type { Pod } from '../model/inventory.js';
import type { IntervalSet } from '../net/interval-set.js';
import type { AddressSet } from './peer-sets.js';

/**
 * The addresses of an inventory's pods, per family, in address order: the exact addresses of any
 * set of pods, and the pods inside any address set. It depends on the pods only, so resolutions
 * of several policy sets against one inventory (`netpolc diff`) share it.
 */
export class AddressIndex {
  /** Whether two pods have an address in common. */
  readonly sharedAddresses: boolean;
  private readonly index: Record<4 | 6, { value: bigint; pod: number }[]>;
  /**
   * Per pod, the position of its first address in `index` (address order), -1 for none, per
   * family; the rare further addresses of one family are in `moreRanks`. Flat arrays: the pods of
   * a peer selector are read in one sweep, not through 150k small arrays.
   */
  private readonly firstRank: Record<4 | 6, Int32Array>;
  private readonly moreRanks: Record<4 | 6, Map<number, number[]>>;
  /**
   * Runs of the address order where each address is equal to or one more than the previous:
   * `run[f][r]` numbers the run of rank r and `step[f][r]` counts the +1 steps from the run's
   * start to r. Two ranks' addresses are then equal, adjacent or apart without reading a bigint.
   */
  private readonly run: Record<4 | 6, Int32Array>;
  private readonly step: Record<4 | 6, Int32Array>;
  /**
   * One shared, frozen `[a, a]` range per address rank, made on first use: most pod sets are
   * runs of single addresses.
   */
  private readonly singles: Record<4 | 6, (readonly [bigint, bigint] | undefined)[]>;
  /** A zeroed mark per rank, for large pod lists (see `rangesOf`). */
  private readonly marks: Record<4 | 6, Uint8Array>;

  constructor(pods: readonly Pod[]) {
    this.index = { 4: [], 6: [] };
    this.firstRank = { 4: new Int32Array(pods.length).fill(-1), 6: new Int32Array(pods.length).fill(-1) };
    this.moreRanks = { 4: new Map(), 6: new Map() };
    pods.forEach((pod, id) => {
      for (const a of pod.addresses) this.index[a.family].push({ value: a.value, pod: id });
    });
    this.run = { 4: new Int32Array(this.index[4].length), 6: new Int32Array(this.index[6].length) };
    this.step = { 4: new Int32Array(this.index[4].length), 6: new Int32Array(this.index[6].length) };
    this.marks = { 4: new Uint8Array(this.index[4].length), 6: new Uint8Array(this.index[6].length) };
    this.singles = { 4: slots(this.index[4].length), 6: slots(this.index[6].length) };
    let shared = false;
    for (const f of [4, 6] as const) {
      const entries = this.index[f];
      entries.sort((x, y) => compareValues(x.value, y.value) || x.pod - y.pod);
      const run = this.run[f];
      const step = this.step[f];
      const first = this.firstRank[f];
      const more = this.moreRanks[f];
      entries.forEach((e, rank) => {
        if (first[e.pod] === -1) first[e.pod] = rank;
        else {
          const list = more.get(e.pod);
          if (list) list.push(rank);
          else more.set(e.pod, [rank]);
        }
        if (rank > 0) {
          const before = entries[rank - 1]!.value;
          if (e.value <= before + 1n) {
            run[rank] = run[rank - 1]!;
            const same = e.value === before;
            shared ||= same;
            step[rank] = step[rank - 1]! + (same ? 0 : 1);
          } else run[rank] = run[rank - 1]! + 1;
        }
      });
    }
    this.sharedAddresses = shared;
  }

  /**
   * The exact addresses of some pods. Sorting ranks (small integers) instead of addresses keeps
   * this linear-ish and allocation-light; it runs once per distinct peer selector.
   */
  podAddresses(ids: readonly number[]): AddressSet {
    return { v4: this.rangesOf(4, ids), v6: this.rangesOf(6, ids) };
  }

  /** The ranks of the pods' addresses, in order. */
  private sortedRanks(family: 4 | 6, ids: readonly number[]): Int32Array {
    const first = this.firstRank[family];
    const more = this.moreRanks[family];
    let n = 0;
    for (const id of ids) if (first[id]! >= 0) n++;
    if (more.size > 0) for (const id of ids) n += more.get(id)?.length ?? 0;
    const all = this.index[family].length;
    const collect = (put: (rank: number) => void): void => {
      for (const id of ids) {
        const r = first[id]!;
        if (r >= 0) put(r);
      }
      if (more.size > 0) for (const id of ids) for (const r of more.get(id) ?? []) put(r);
    };
    if (n * 8 < all) {
      const ranks = new Int32Array(n);
      let k = 0;
      collect((r) => (ranks[k++] = r));
      return ranks.sort();
    }
    // A large share of all addresses (namespaceSelector: {} peers): one pass over the marks
    // instead of a sort, and the marks are cleared on the way.
    const marks = this.marks[family];
    collect((r) => (marks[r] = 1));
    const ranks = new Int32Array(n);
    let k = 0;
    for (let r = 0; r < all; r++) {
      if (marks[r] === 1) {
        ranks[k++] = r;
        marks[r] = 0;
      }
    }
    return k === n ? ranks : ranks.subarray(0, k);
  }

  private rangesOf(family: 4 | 6, ids: readonly number[]): IntervalSet<bigint> {
    const ranks = this.sortedRanks(family, ids);
    const n = ranks.length;
    if (n === 0) return [];
    // Runs of consecutive ranks over equal or adjacent addresses become one range: bigints are
    // read only to build the ranges.
    const entries = this.index[family];
    const run = this.run[family];
    const step = this.step[family];
    const singles = this.singles[family];
    const out: (readonly [bigint, bigint])[] = [];
    /** The rank whose address ends the last range out. */
    let end = -1;
    let start = ranks[0]!;
    let prev = start;
    for (let i = 1; i <= n; i++) {
      const r = i < n ? ranks[i]! : -1;
      if (r === prev + 1 && run[r] === run[prev]) {
        prev = r;
        continue;
      }
      // Non-consecutive ranks may still touch (pods outside this set at equal addresses between).
      if (end >= 0 && run[start] === run[end] && step[start]! - step[end]! <= 1) {
        if (step[prev]! > step[end]!) {
          out[out.length - 1] = [out[out.length - 1]![0], entries[prev]!.value];
          end = prev;
        }
      } else {
        out.push(step[start] === step[prev] ? (singles[start] ??= Object.freeze([entries[start]!.value, entries[start]!.value] as const)) : [entries[start]!.value, entries[prev]!.value]);
        end = prev;
      }
      start = r;
      prev = r;
    }
    return out;
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
