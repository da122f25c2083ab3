import type { ResolvedProgram } from '../model/resolved.js';
import { contains } from '../net/interval-set.js';
import { anyPorts, noPorts, portSetEquals, unionPortSets, type PortSet } from '../resolve/port-set.js';

/** What one direction of a pod allows with every other pod, per address family. */
export interface PeerPorts {
  readonly open: boolean;
  /**
   * Ports by pod, for the pods the tuples name. Maps, not lists indexed by pod: a diff keeps one
   * answer per changed signature, and lists as long as the pods (150k at kube-scale) made a
   * diff of 100 changed policies spend 1.4 s in the collector.
   */
  readonly v4: ReadonlyMap<number, PortSet>;
  readonly v6: ReadonlyMap<number, PortSet>;
  /** The pods with an entry in `v4` or `v6`, each once (none when open). */
  readonly touched: readonly number[];
}

/**
 * Ports that one direction of a pod allows with each pod of the program (indexed like
 * `r.pods`), found by walking the members of its tuples' peer sets: the cost is the size of the
 * sets the pod uses, not the number of pods.
 */
export function peerPorts(r: ResolvedProgram, dir: 'ingress' | 'egress', pod: number): PeerPorts {
  const d = r[dir][pod]!;
  const v4 = new Map<number, PortSet>();
  const v6 = new Map<number, PortSet>();
  const touched: number[] = [];
  if (!d.isolated) return { open: true, v4, v6, touched };
  for (const t of d.tuples) {
    const set = r.peerSets[t.peer]!;
    for (const p of set.pods) {
      for (const a of r.pods[p]!.addresses) {
        const acc = a.family === 4 ? v4 : v6;
        const other = a.family === 4 ? v6 : v4;
        if (!contains(a.family === 4 ? set.v4 : set.v6, a.value)) continue;
        const prev = acc.get(p);
        // New to both families: `acc` has no entry for it (prev), nor the other family.
        if (prev === undefined && !other.has(p)) touched.push(p);
        acc.set(p, prev === undefined || prev === t.ports ? t.ports : portSetEquals(prev, t.ports) ? prev : unionPortSets(prev, t.ports));
      }
    }
  }
  return { open: false, v4, v6, touched };
}

/** Whether two programs' answers differ for one peer pod (indices in each program). */
export function peerPortsDiffer(a: PeerPorts, ai: number, b: PeerPorts, bi: number): boolean {
  for (const f of ['v4', 'v6'] as const) {
    const x = a.open ? anyPorts : (a[f].get(ai) ?? noPorts);
    const y = b.open ? anyPorts : (b[f].get(bi) ?? noPorts);
    if (!portSetEquals(x, y)) return true;
  }
  return false;
}
