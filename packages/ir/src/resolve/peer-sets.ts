import { sha256Hex } from '../util/hash.js';
import type { PeerSet } from '../model/resolved.js';
import type { AddressIndex } from './address-index.js';
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
 * Interns peer address sets by content, so every tuple with the same peers refers to one set.
 * Ids are per resolution; the pods inside a set come from the inventory's address index.
 */
export class PeerSetTable {
  readonly sets: PeerSet[] = [];
  private readonly byContent = new Map<string, number>();

  constructor(private readonly addresses: AddressIndex) {}

  /** Id of the set with this content, creating it if new. */
  intern(addresses: AddressSet, origin: PeerSet['origin'], knownPods?: readonly number[]): number {
    const key = contentKey(addresses);
    const existing = this.byContent.get(key);
    if (existing !== undefined) return existing;
    const id = this.sets.length;
    const hash = sha256Hex(key).slice(0, 16);
    this.sets.push({ id, hash, v4: addresses.v4, v6: addresses.v6, pods: knownPods ?? this.addresses.podsIn(addresses), origin });
    this.byContent.set(key, id);
    return id;
  }
}
