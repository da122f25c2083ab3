import type { ConnectionProtocol } from '../evaluate/connection.js';
import type { AllowTuple, ResolvedProgram } from '../model/resolved.js';
import type { Family } from '../net/ip.js';
import { portSetAllows } from '../resolve/port-set.js';
import { DirectionRows, Members, pairFamily, primaryAddresses } from './pod-addresses.js';
import { nodeListsAddress } from '../resolve/query.js';

/**
 * A pod-to-pod truth table decided set by set instead of cell by cell: for each peer set and
 * family, the pods whose primary address it holds (found by range search over the pods sorted by
 * address); for each distinct tuple list, the union of those; then each cell is two array reads.
 * Decides exactly as {@link podAllowed} does (`only`, else the first family both pods have; primary addresses),
 * which the property tests check, in O(pods²) array reads instead of O(pods² × tuples) searches
 * (a 5 000-pod table took 84 s cell by cell).
 */
export function fastMatrix(r: ResolvedProgram, pods: readonly number[], protocol: ConnectionProtocol, port: number, ignoreSelf: boolean, only?: Family): boolean[][] {
  const sem = r.program.semantics;
  const n = pods.length;
  const primary = primaryAddresses(r, pods);
  // Under icmp-essentials every echo request passes, between any two pods of a family.
  if (protocol === 'ICMP' && sem.allowIcmpEssentials) return pods.map((_, i) => pods.map((_, j) => pairFamily(primary, i, j, only) !== undefined));
  const members = new Members(primary, r);
  // Per pod and family, which positions one direction lets through on this port.
  const everyone = new Uint8Array(n).fill(1);
  const relevant = (t: AllowTuple): boolean => portSetAllows(t.ports, protocol, port);
  const union = (tuples: readonly AllowTuple[], f: Family): Uint8Array => {
    const m = new Uint8Array(n);
    for (const t of tuples) {
      const peers = members.of(t.peer, f);
      for (let k = 0; k < n; k++) m[k]! |= peers[k]!;
    }
    return m;
  };
  const egress = new DirectionRows(r, 'egress', everyone, relevant, union);
  const ingress = new DirectionRows(r, 'ingress', everyone, relevant, union);
  // Each destination's ingress rows, looked up once rather than per cell.
  const ingressRows: Record<Family, Uint8Array[]> = { 4: pods.map((d) => ingress.row(d, 4)), 6: pods.map((d) => ingress.row(d, 6)) };
  const out: boolean[][] = [];
  for (let i = 0; i < n; i++) {
    const row: boolean[] = [];
    const src = pods[i]!;
    const egressRows: Record<Family, Uint8Array> = { 4: egress.row(src, 4), 6: egress.row(src, 6) };
    for (let j = 0; j < n; j++) {
      const dst = pods[j]!;
      const f = pairFamily(primary, i, j, only);
      if (f === undefined) {
        row.push(false);
        continue;
      }
      if (i === j && ignoreSelf) {
        row.push(egressRows[f][j] === 1 && ingressRows[f][j]![i] === 1);
        continue;
      }
      if (i === j && sem.allowSelf) {
        row.push(true);
        continue;
      }
      if (egressRows[f][j] !== 1) {
        row.push(false);
        continue;
      }
      if (sem.allowNodeLocalIngress && nodeListsAddress(r, r.pods[dst]!.nodeName, primary[f].ips[i])) {
        row.push(true);
        continue;
      }
      row.push(ingressRows[f][j]![i] === 1);
    }
    out.push(row);
  }
  return out;
}
