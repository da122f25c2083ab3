import type { AllowTuple, PodDirection, ResolvedProgram } from '../model/resolved.js';
import type { Family } from '../net/ip.js';
import { compareValues } from '../util/compare.js';

// Pod addresses as the pod-to-pod queries use them: the primary (first) address of each family,
// the family of a pair (IPv4 when both have it, else IPv6), peer-set membership by range search
// over the pods sorted by address, and per-direction rows shared by pods with the same tuples.

export interface Primary {
  /** Per matrix position, the primary address of the family (first of the pod's list), if any. */
  readonly values: (bigint | undefined)[];
  readonly ips: (string | undefined)[];
  /** Matrix positions sorted by that address. */
  readonly sorted: number[];
}

export function primaryAddresses(r: ResolvedProgram, pods: readonly number[]): Record<Family, Primary> {
  const out = {} as Record<Family, Primary>;
  for (const f of [4, 6] as const) {
    const values: (bigint | undefined)[] = [];
    const ips: (string | undefined)[] = [];
    for (const p of pods) {
      const a = r.pods[p]!.addresses.find((x) => x.family === f);
      values.push(a?.value);
      ips.push(a?.ip);
    }
    const sorted = pods.map((_, i) => i).filter((i) => values[i] !== undefined);
    sorted.sort((a, b) => compareValues(values[a]!, values[b]!) || a - b);
    out[f] = { values, ips, sorted };
  }
  return out;
}

/** Per peer set and family, which matrix positions' primary addresses it holds (1) or not (0). */
export class Members {
  private readonly memo = new Map<number, Uint8Array>();

  constructor(
    private readonly primary: Record<Family, Primary>,
    private readonly r: ResolvedProgram,
  ) {}

  of(peerSet: number, f: Family): Uint8Array {
    const key = peerSet * 2 + (f === 4 ? 0 : 1);
    let m = this.memo.get(key);
    if (m) return m;
    const { values, sorted } = this.primary[f];
    m = new Uint8Array(values.length);
    const set = this.r.peerSets[peerSet]!;
    for (const [lo, hi] of f === 4 ? set.v4 : set.v6) {
      for (let k = lowerBound(sorted, values, lo); k < sorted.length && values[sorted[k]!]! <= hi; k++) m[sorted[k]!] = 1;
    }
    this.memo.set(key, m);
    return m;
  }
}

/**
 * One direction's row (a value per peer position) for each pod and family: `open` for a pod not
 * isolated in the direction, else built from its relevant tuples once per distinct tuple list.
 */
export class DirectionRows<R> {
  private readonly byTuples = new Map<string, R>();
  private readonly perPod = new Map<number, R>();
  private readonly tupleIds = new Map<AllowTuple, number>();

  constructor(
    private readonly r: ResolvedProgram,
    private readonly direction: 'egress' | 'ingress',
    private readonly open: R,
    private readonly relevant: (t: AllowTuple) => boolean,
    private readonly build: (tuples: readonly AllowTuple[], f: Family) => R,
  ) {}

  row(pod: number, f: Family): R {
    const key = pod * 2 + (f === 4 ? 0 : 1);
    let row = this.perPod.get(key);
    if (row !== undefined) return row;
    const d: PodDirection = this.r[this.direction][pod]!;
    if (!d.isolated) row = this.open;
    else {
      const tuples = d.tuples.filter(this.relevant);
      // Tuples that do not depend on the pod are shared objects: their identities name the list.
      const sig = `${f}|${tuples.map((t) => this.idOf(t)).join(',')}`;
      row = this.byTuples.get(sig);
      if (row === undefined) this.byTuples.set(sig, (row = this.build(tuples, f)));
    }
    this.perPod.set(key, row);
    return row;
  }

  private idOf(t: AllowTuple): number {
    let id = this.tupleIds.get(t);
    if (id === undefined) this.tupleIds.set(t, (id = this.tupleIds.size));
    return id;
  }
}

/**
 * The family a connection between positions i and j uses: `only` when given (undefined when one
 * of them lacks it), else IPv4 if both have it, else IPv6.
 */
export function pairFamily(primary: Record<Family, Primary>, i: number, j: number, only?: Family): Family | undefined {
  for (const f of only ? [only] : ([4, 6] as const)) if (primary[f].values[i] !== undefined && primary[f].values[j] !== undefined) return f;
  return undefined;
}

function lowerBound(sorted: readonly number[], values: readonly (bigint | undefined)[], v: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[sorted[mid]!]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
