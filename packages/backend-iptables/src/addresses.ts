import { familyMax, formatIp, toCidrBlocks, type IntervalSet } from '@netpolc/ir';
import type { Family, IpSet } from './model.js';
import { setName } from './names.js';

/** How a rule matches one side's addresses. */
export type AddressMatch =
  /** The set has no address of this family: the tuple does not exist for it (never widen). */
  | { readonly kind: 'none' }
  /** Every address of the family: no address match at all. */
  | { readonly kind: 'all' }
  /** Inline CIDRs, one rule each. */
  | { readonly kind: 'cidrs'; readonly cidrs: readonly string[] }
  /** One ipset. */
  | { readonly kind: 'set'; readonly set: IpSet };

/** ipset members above this count get a warning (Calico's cap; calico#4069). */
export const largeSetMembers = 1_048_576;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * An ipset for some members, sized from its contents: maxelem is the next power of two (at least
 * 64) so the set is never full, and hashsize starts near half the element count (buckets hold up
 * to 12 entries; the kernel grows the table if needed). Name and parameters depend only on the
 * members, so a set of a given name always has identical parameters (`create -exist` is safe).
 */
export function makeSet(family: Family, members: readonly string[]): IpSet {
  return {
    name: setName(family, members),
    family,
    type: 'hash:net',
    hashsize: Math.max(64, nextPow2(Math.ceil(members.length / 2))),
    maxelem: Math.max(64, nextPow2(members.length)),
    members,
  };
}

/** `"0."` … `"255."`: an address is four table lookups (hundreds of thousands of set members). */
const octets = Array.from({ length: 256 }, (_, i) => `${i}.`);
const lastOctets = Array.from({ length: 256 }, (_, i) => `${i}`);

function formatV4(a: number): string {
  return octets[a >>> 24]! + octets[(a >>> 16) & 255]! + octets[(a >>> 8) & 255]! + lastOctets[a & 255]!;
}

/**
 * IPv4 range-to-prefix split in plain numbers (addresses fit a double exactly). Hosts are written
 * without `/32` when `bareHosts` (set members, as `ipset save` prints them).
 */
function coverV4(set: IntervalSet<bigint>, out: string[], bareHosts: boolean): void {
  for (const [lo, hi] of set) {
    let a = Number(lo);
    if (lo === hi) {
      // Pod addresses are single hosts: no split needed.
      out.push(bareHosts ? formatV4(a) : `${formatV4(a)}/32`);
      continue;
    }
    const b = Number(hi);
    while (a <= b) {
      // The largest block aligned at `a` (its trailing zero bits) that stays within `b`.
      const align = a === 0 ? 32 : 31 - Math.clz32(a & -a);
      const span = b - a + 1;
      const fit = span >= 2 ** 32 ? 32 : 31 - Math.clz32(span);
      const size = Math.min(align, fit);
      out.push(size === 0 && bareHosts ? formatV4(a) : `${formatV4(a)}/${32 - size}`);
      a += 2 ** size;
    }
  }
}

/**
 * Canonical text of every block of the minimal cover, `/0` split into two `/1`; hosts bare when
 * `bareHosts` (set members), else with their `/32` or `/128` (rule addresses).
 */
function coverCidrs(set: IntervalSet<bigint>, family: Family, bareHosts: boolean): string[] {
  const out: string[] = [];
  if (family === 4) coverV4(set, out, bareHosts);
  else {
    for (const range of set) {
      // Pod addresses are single hosts: skip the general split for them.
      if (range[0] === range[1]) out.push(bareHosts ? formatIp(6, range[0]) : `${formatIp(6, range[0])}/128`);
      else for (const b of toCidrBlocks([range], 6)) out.push(b.prefix === 128 && bareHosts ? formatIp(6, b.network) : `${formatIp(6, b.network)}/${b.prefix}`);
    }
  }
  if (out.length === 1 && out[0]!.endsWith('/0')) {
    // hash:net cannot store /0 (semantics.md §2.6): two halves.
    return family === 4 ? ['0.0.0.0/1', '128.0.0.0/1'] : ['::/1', `${formatIp(6, 1n << 127n)}/1`];
  }
  return out;
}

/** Whether an interval is exactly one CIDR block (a power-of-two size, aligned). */
function isOneBlock([lo, hi]: readonly [bigint, bigint], family: Family): boolean {
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) !== 0n) return false;
  return lo % size === 0n && !(lo === 0n && hi === familyMax(family));
}

/**
 * Turns peer address sets into rule matches, once per (peer set, family), and interns the ipsets
 * by name (content), so every node and rule that refers to equal content shares one set.
 */
export class AddressMatcher {
  private readonly cache = new Map<string, AddressMatch>();
  /** Every set handed out, by name. */
  readonly sets = new Map<string, IpSet>();

  constructor(private readonly useSets: boolean) {}

  /** Match for the addresses of `family` in a peer set (`key` identifies it for caching). */
  match(key: string | number, set: IntervalSet<bigint>, family: Family): AddressMatch {
    const cacheKey = `${key}|${family}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const m = this.compute(set, family);
    this.cache.set(cacheKey, m);
    return m;
  }

  private compute(set: IntervalSet<bigint>, family: Family): AddressMatch {
    if (set.length === 0) return { kind: 'none' };
    if (set.length === 1 && set[0]![0] === 0n && set[0]![1] === familyMax(family)) return { kind: 'all' };
    // One block (or no sets): inline CIDRs; else one set whose members are the same blocks.
    if (!this.useSets || (set.length === 1 && isOneBlock(set[0]!, family))) return { kind: 'cidrs', cidrs: coverCidrs(set, family, false) };
    const members = coverCidrs(set, family, true);
    if (members.length === 1) return { kind: 'cidrs', cidrs: coverCidrs(set, family, false) };
    return { kind: 'set', set: this.intern(family, members) };
  }

  /** The set with exactly these members (canonical, in address order). */
  intern(family: Family, members: readonly string[]): IpSet {
    const s = makeSet(family, members);
    const existing = this.sets.get(s.name);
    if (existing) return existing;
    this.sets.set(s.name, s);
    return s;
  }
}
