import type { ResolvedProgram } from '../model/resolved.js';
import { familyMax, type Family } from '../net/ip.js';
import { contains, normalize, subtract, toCidrStrings, type IntervalSet } from '../net/interval-set.js';
import { anyPorts, noPorts, portSetKey, unionPortSets, type PortSet } from '../resolve/port-set.js';
import { compareValues } from '../util/compare.js';

type Dir = 'egress' | 'ingress';

/** The addresses of the pods of either side (with the same pods, one side's, from its index). */
export function allPodAddresses(base: ResolvedProgram, head: ResolvedProgram, same: boolean): Record<Family, IntervalSet<bigint>> {
  const b = base.podAddresses();
  if (same) return { 4: b.v4, 6: b.v6 };
  const h = head.podAddresses();
  return { 4: normalize([...b.v4, ...h.v4]), 6: normalize([...b.v6, ...h.v6]) };
}

/** Compares, for one changed pod at a time, what it allows towards or from external addresses. */
export type ExternalComparer = (b: number, h: number, dir: Dir, report: (cidr: string, family: Family, base: PortSet, head: PortSet) => void) => void;

/**
 * Pod addresses are compared as pods, so only the part of each peer set outside every pod's
 * address counts here. That part is taken once per peer set (sets are shared by many pods) and
 * its boundaries alone cut the address space: cutting at every boundary of the pod peer sets
 * too, and subtracting all pod space from each piece, was quadratic in pods (a diff of 16 000
 * pods took 35 s where 0.6 s were spent elsewhere).
 */
export function externalComparer(base: ResolvedProgram, head: ResolvedProgram, podSpace: Record<Family, IntervalSet<bigint>>): ExternalComparer {
  const outside = new Map<ResolvedProgram, Map<number, IntervalSet<bigint>>[]>();
  const outsideOf = (r: ResolvedProgram, peer: number, family: Family): IntervalSet<bigint> => {
    let byFamily = outside.get(r);
    if (!byFamily) outside.set(r, (byFamily = [new Map(), new Map()]));
    const memo = byFamily[family === 4 ? 0 : 1]!;
    let set = memo.get(peer);
    if (!set) {
      const ps = r.peerSets[peer]!;
      set = subtract(family === 4 ? ps.v4 : ps.v6, podSpace[family]);
      memo.set(peer, set);
    }
    return set;
  };
  return (b, h, dir, report) => {
    for (const family of [4, 6] as const) {
      // A pod without an address of this family exchanges no traffic in it: on neither side,
      // nothing to compare; on one (it gained or lost the family), nothing there.
      const present = [base.pods[b]!, head.pods[h]!].map((p) => p.addresses.some((a) => a.family === family));
      if (!present[0] && !present[1]) continue;
      const sides = [side(base, b, dir, present[0]!), side(head, h, dir, present[1]!)];
      const points = new Set<bigint>([0n]);
      const cut = (lo: bigint, hi: bigint): void => {
        points.add(lo);
        if (hi < familyMax(family)) points.add(hi + 1n);
      };
      for (const s of sides) {
        if (s.absent) continue;
        s.tuples = s.isolated ? s.direction.tuples.map((t) => ({ set: outsideOf(s.r, t.peer, family), ports: t.ports })) : [];
        for (const t of s.tuples) for (const [lo, hi] of t.set) cut(lo, hi);
        s.local = localAddresses(s.r, s.i, dir, family);
        for (const v of s.local) cut(v, v);
      }
      // Within a piece every external address is in the same outside parts: the first one answers.
      const portsAt = (s: Side, v: bigint): PortSet => {
        if (s.absent) return noPorts;
        if (!s.isolated || s.local.has(v)) return anyPorts;
        let out = noPorts;
        for (const t of s.tuples) if (contains(t.set, v)) out = unionPortSets(out, t.ports);
        return out;
      };
      const sorted = [...points].sort(compareValues);
      sorted.forEach((lo, k) => {
        const hi = k + 1 < sorted.length ? sorted[k + 1]! - 1n : familyMax(family);
        const pb = portsAt(sides[0]!, lo);
        const ph = portsAt(sides[1]!, lo);
        if (portSetKey(pb) === portSetKey(ph)) return;
        for (const cidr of toCidrStrings(subtract([[lo, hi]], podSpace[family]), family)) report(cidr, family, pb, ph);
      });
    }
  };
}

interface Side {
  readonly r: ResolvedProgram;
  readonly i: number;
  readonly direction: ResolvedProgram['egress'][number];
  readonly isolated: boolean;
  /** The pod has no address of the family compared. */
  readonly absent: boolean;
  tuples: readonly { readonly set: IntervalSet<bigint>; readonly ports: PortSet }[];
  local: ReadonlySet<bigint>;
}

function side(r: ResolvedProgram, i: number, dir: Dir, present: boolean): Side {
  const direction = r[dir][i]!;
  return { r, i, direction, isolated: direction.isolated, absent: !present, tuples: [], local: new Set() };
}

/**
 * Ingress from the pod's own node is always allowed (node-local): each side's node, which differ
 * when the pod moved. Each of their addresses is a piece of its own.
 */
function localAddresses(r: ResolvedProgram, i: number, dir: Dir, family: Family): ReadonlySet<bigint> {
  if (dir !== 'ingress' || !r.program.semantics.allowNodeLocalIngress) return new Set();
  const node = r.pods[i]!.nodeName;
  return new Set((r.program.inventory.nodes.find((n) => n.name === node)?.addresses ?? []).filter((a) => a.family === family).map((a) => a.value));
}
