import type { ResolvedProgram } from '../model/resolved.js';
import { contains } from '../net/interval-set.js';
import { anyPorts, noPorts, portSetEquals, unionPortSets, type PortSet } from '../resolve/port-set.js';

/** What one direction of a pod allows with every other pod, per address family. */
export interface PeerPorts {
  readonly open: boolean;
  readonly v4: readonly (PortSet | undefined)[];
  readonly v6: readonly (PortSet | undefined)[];
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
  const v4: (PortSet | undefined)[] = [];
  const v6: (PortSet | undefined)[] = [];
  const touched: number[] = [];
  if (!d.isolated) return { open: true, v4, v6, touched };
  for (const t of d.tuples) {
    const set = r.peerSets[t.peer]!;
    for (const p of set.pods) {
      for (const a of r.pods[p]!.addresses) {
        const acc = a.family === 4 ? v4 : v6;
        if (!contains(a.family === 4 ? set.v4 : set.v6, a.value)) continue;
        const prev = acc[p];
        if (prev === undefined && v4[p] === undefined && v6[p] === undefined) touched.push(p);
        acc[p] = prev === undefined || prev === t.ports ? t.ports : portSetEquals(prev, t.ports) ? prev : unionPortSets(prev, t.ports);
      }
    }
  }
  return { open: false, v4, v6, touched };
}

/** Whether two programs' answers differ for one peer pod (indices in each program). */
export function peerPortsDiffer(a: PeerPorts, ai: number, b: PeerPorts, bi: number): boolean {
  for (const f of ['v4', 'v6'] as const) {
    const x = a.open ? anyPorts : (a[f][ai] ?? noPorts);
    const y = b.open ? anyPorts : (b[f][bi] ?? noPorts);
    if (!portSetEquals(x, y)) return true;
  }
  return false;
}
