import type { AllowTuple, ResolvedProgram } from '../model/resolved.js';
import type { Family } from '../net/ip.js';
import { anyPorts, intersectPortSets, noPorts, portSetKey, unionPortSets, type PortSet } from '../resolve/port-set.js';
import { DirectionRows, Members, pairFamily, primaryAddresses } from './pod-addresses.js';
import { nodeListsAddress } from '../resolve/query.js';

/**
 * Every pod pair's allowed ports ({@link allowedPorts} for each cell), decided set by set: for
 * each distinct tuple list of a direction and each peer position, which of the list's tuples hold
 * the peer's primary address; the union of their ports is computed once per such subset, and
 * each cell intersects two interned port sets (memoised by pair). Port sets are shared objects.
 */
export function allowedPortsMatrix(r: ResolvedProgram, pods: readonly number[], only?: Family): PortSet[][] {
  const sem = r.program.semantics;
  const n = pods.length;
  const primary = primaryAddresses(r, pods);
  const members = new Members(primary, r);
  const sets = new PortSets();
  // Per pod and family, the id of the ports one direction allows with each position.
  const open = new Int32Array(n).fill(sets.any);
  const unions = (tuples: readonly AllowTuple[], f: Family): Int32Array => {
    const peers = tuples.map((t) => members.of(t.peer, f));
    // Which tuples hold each position, as a key; the union of their ports once per key.
    const bySubset = new Map<string, number>();
    const row = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      let subset = '';
      for (let k = 0; k < peers.length; k++) if (peers[k]![j] === 1) subset += `${k},`;
      let id = bySubset.get(subset);
      if (id === undefined) {
        let ports = noPorts;
        for (let k = 0; k < peers.length; k++) if (peers[k]![j] === 1) ports = unionPortSets(ports, tuples[k]!.ports);
        bySubset.set(subset, (id = sets.id(ports)));
      }
      row[j] = id;
    }
    return row;
  };
  const egress = new DirectionRows(r, 'egress', open, () => true, unions);
  const ingress = new DirectionRows(r, 'ingress', open, () => true, unions);
  // Each destination's ingress rows, looked up once rather than per cell.
  const ingressRows: Record<Family, Int32Array[]> = { 4: pods.map((d) => ingress.row(d, 4)), 6: pods.map((d) => ingress.row(d, 6)) };
  const out: PortSet[][] = [];
  for (let i = 0; i < n; i++) {
    const src = pods[i]!;
    const egressRows: Record<Family, Int32Array> = { 4: egress.row(src, 4), 6: egress.row(src, 6) };
    const row: PortSet[] = [];
    for (let j = 0; j < n; j++) {
      const dst = pods[j]!;
      const f = pairFamily(primary, i, j, only);
      if (sem.allowSelf && src === dst && (only === undefined || f !== undefined)) {
        row.push(anyPorts);
        continue;
      }
      if (f === undefined) {
        row.push(noPorts);
        continue;
      }
      const e = egressRows[f][j]!;
      if (e === sets.empty) {
        row.push(noPorts);
        continue;
      }
      const nodeName = r.pods[dst]!.nodeName;
      const nodeLocal = sem.allowNodeLocalIngress && nodeListsAddress(r, nodeName, primary[f].ips[i]);
      row.push(sets.get(nodeLocal ? e : sets.intersect(e, ingressRows[f][j]![i]!)));
    }
    out.push(row);
  }
  return out;
}

/** Port sets interned by content, with memoised intersections. */
class PortSets {
  private readonly ids = new Map<string, number>();
  private readonly list: PortSet[] = [];
  /** `products[a][b]`: the id of a ∩ b, or undefined (few distinct sets: dense arrays). */
  private readonly products: (number | undefined)[][] = [];
  readonly empty = this.id(noPorts);
  readonly any = this.id(anyPorts);

  id(set: PortSet): number {
    const key = portSetKey(set);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(key, id);
      this.list.push(set);
    }
    return id;
  }

  get(id: number): PortSet {
    return this.list[id]!;
  }

  intersect(a: number, b: number): number {
    const byB = (this.products[a] ??= []);
    let id = byB[b];
    if (id === undefined) byB[b] = id = this.id(intersectPortSets(this.get(a), this.get(b)));
    return id;
  }
}
