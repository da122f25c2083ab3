import { familyBits, formatCidr, type Family } from './ip.js';
import { appendAll } from '../util/append.js';
import { compareValues } from '../util/compare.js';

/**
 * A set of unsigned integers (addresses or ports) as sorted, disjoint, non-adjacent inclusive
 * ranges. Every constructor normalises, so two equal sets have identical arrays.
 */
export type IntervalSet<T extends bigint | number> = readonly (readonly [T, T])[];

/** Normalises arbitrary (possibly overlapping, unsorted) ranges. */
export function normalize<T extends bigint | number>(ranges: Iterable<readonly [T, T]>): IntervalSet<T> {
  const sorted = [...ranges].filter(([a, b]) => a <= b).sort((x, y) => compareValues(x[0], y[0]));
  const out: [T, T][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= succ(last[1])) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

function succ<T extends bigint | number>(v: T): T {
  return (typeof v === 'bigint' ? v + 1n : (v as number) + 1) as T;
}

function pred<T extends bigint | number>(v: T): T {
  return (typeof v === 'bigint' ? v - 1n : (v as number) - 1) as T;
}

/** Union of two sets. */
export function union<T extends bigint | number>(a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalize([...a, ...b]);
}

/** Union of many sets. */
export function unionAll<T extends bigint | number>(sets: Iterable<IntervalSet<T>>): IntervalSet<T> {
  const all: (readonly [T, T])[] = [];
  for (const s of sets) appendAll(all, s);
  return normalize(all);
}

/** `a` minus `b`. */
export function subtract<T extends bigint | number>(a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> {
  if (a.length === 0 || b.length === 0) return a;
  const out: [T, T][] = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    j = firstEndingAtOrAfter(b, lo, j);
    let k = j;
    while (k < b.length && b[k]![0] <= hi) {
      const [blo, bhi] = b[k]!;
      if (blo > lo) out.push([lo, pred(blo)]);
      if (bhi >= hi) {
        lo = succ(hi);
        break;
      }
      lo = succ(bhi);
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

/**
 * The first index from `from` whose range ends at or after `v`, found by galloping then halving:
 * a few ranges subtracted from a large set (one segment minus every pod address) cost a
 * logarithm each, not a walk over the large set, and a walk in step stays linear overall.
 */
function firstEndingAtOrAfter<T extends bigint | number>(set: IntervalSet<T>, v: T, from: number): number {
  let step = 1;
  let lo = from;
  while (lo + step - 1 < set.length && set[lo + step - 1]![1] < v) {
    lo += step;
    step *= 2;
  }
  let hi = Math.min(set.length, lo + step - 1);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (set[mid]![1] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Intersection of two sets. */
export function intersect<T extends bigint | number>(a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> {
  const out: [T, T][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    const lo = alo > blo ? alo : blo;
    const hi = ahi < bhi ? ahi : bhi;
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i++;
    else j++;
  }
  return out;
}

/** Membership by binary search. */
export function contains<T extends bigint | number>(set: IntervalSet<T>, v: T): boolean {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = set[mid]!;
    if (v < a) hi = mid - 1;
    else if (v > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Structural equality of two normalised sets. */
export function equals<T extends bigint | number>(a: IntervalSet<T>, b: IntervalSet<T>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/** A CIDR block as network value and prefix length. */
export interface CidrBlock {
  readonly network: bigint;
  readonly prefix: number;
}

/**
 * The minimal list of CIDR blocks covering exactly the set (the classic range-to-prefix split),
 * in address order.
 */
export function toCidrBlocks(set: IntervalSet<bigint>, family: Family): CidrBlock[] {
  const bits = familyBits(family);
  const out: CidrBlock[] = [];
  for (const [lo0, hi] of set) {
    let lo = lo0;
    while (lo <= hi) {
      // Largest block aligned at `lo` that stays within `hi`.
      let size = lo === 0n ? bits : trailingZeros(lo, bits);
      while (size > 0 && lo + (1n << BigInt(size)) - 1n > hi) size--;
      out.push({ network: lo, prefix: bits - size });
      lo += 1n << BigInt(size);
    }
  }
  return out;
}

function trailingZeros(v: bigint, bits: number): number {
  let n = 0;
  while (n < bits && ((v >> BigInt(n)) & 1n) === 0n) n++;
  return n;
}

/** The minimal CIDR cover as canonical strings. */
export function toCidrStrings(set: IntervalSet<bigint>, family: Family): string[] {
  return toCidrBlocks(set, family).map((b) => formatCidr(family, b.network, b.prefix));
}

/** Number of elements in the set. */
export function cardinality(set: IntervalSet<bigint>): bigint {
  let n = 0n;
  for (const [a, b] of set) n += b - a + 1n;
  return n;
}
