import type { ResolvedProgram } from '../model/resolved.js';
import type { Family } from '../net/ip.js';

// Pod addresses as the pod-to-pod queries use them: the primary (first) address of each family,
// the family of a pair (IPv4 when both have it, else IPv6), and peer-set membership by range
// search over the pods sorted by address.

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
    sorted.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
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

/** The family a connection between positions i and j uses: IPv4 if both have it, else IPv6. */
export function pairFamily(primary: Record<Family, Primary>, i: number, j: number): Family | undefined {
  if (primary[4].values[i] !== undefined && primary[4].values[j] !== undefined) return 4;
  if (primary[6].values[i] !== undefined && primary[6].values[j] !== undefined) return 6;
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
