import { compilerAssert } from '../diagnostics/diagnostic.js';
import type { ConnectionProtocol } from '../evaluate/connection.js';
import type { ResolvedProgram } from '../model/resolved.js';
import type { Family } from '../net/ip.js';
import { contains } from '../net/interval-set.js';
import { fastMatrix } from './fast-matrix.js';
import { nodeListsAddress } from '../resolve/query.js';
import { intersectPortSets, isEmptyPortSet, noPorts, unionPortSets, type PortSet } from '../resolve/port-set.js';

/** Options of {@link reachabilityMatrix}. */
export interface MatrixOptions {
  /** A transport, or ICMP (an echo request, port 0). */
  readonly protocol: ConnectionProtocol;
  readonly port: number;
  /** Only pods of these namespaces (all when empty). */
  readonly namespaces?: readonly string[];
  /** Decide pod → itself by policy, ignoring the "a pod can reach itself" rule (for grouping). */
  readonly ignoreSelf?: boolean;
  /** Only connections of this family (pairs without it are not connected); default: IPv4 first. */
  readonly family?: Family;
}

/** A reachability truth table: `allowed[i][j]` is "pods[i] can reach pods[j]". */
export interface Matrix {
  /** Pod indices into the resolved program, sorted by namespace and name. */
  readonly pods: readonly number[];
  readonly allowed: readonly (readonly boolean[])[];
}

/** Pods of the given namespaces (all when none). */
export function selectPodsOf(r: ResolvedProgram, namespaces: readonly string[] | undefined): number[] {
  const wanted = namespaces && namespaces.length > 0 ? new Set(namespaces) : undefined;
  return r.pods.map((_, i) => i).filter((i) => !wanted || wanted.has(r.pods[i]!.namespace));
}

/** The truth table between pods on one protocol and port, from the resolved layer. */
export function reachabilityMatrix(r: ResolvedProgram, options: MatrixOptions): Matrix {
  compilerAssert(!r.partial, 'reachabilityMatrix needs a complete resolution');
  const pods = selectPodsOf(r, options.namespaces);
  return { pods, allowed: fastMatrix(r, pods, options.protocol, options.port, options.ignoreSelf ?? false, options.family) };
}

/**
 * Every port (per protocol) on which pod `src` may open a connection to pod `dst` (their first
 * addresses of `only`, or of the first family both have, IPv4 first): the egress tuples of `src`
 * that contain `dst`, intersected with the ingress tuples of `dst` that contain `src`.
 */
export function allowedPorts(r: ResolvedProgram, src: number, dst: number, only?: Family): PortSet {
  compilerAssert(!r.partial, 'allowedPorts needs a complete resolution');
  const s = r.pods[src]!;
  const d = r.pods[dst]!;
  const sem = r.program.semantics;
  for (const family of only ? [only] : ([4, 6] as const)) {
    const sa = s.addresses.find((a) => a.family === family);
    const da = d.addresses.find((a) => a.family === family);
    if (!sa || !da) continue;
    if (sem.allowSelf && src === dst) return { kind: 'any' };
    const egress = directionPorts(r, 'egress', src, family, da.value);
    if (isEmptyPortSet(egress)) return noPorts;
    const nodeLocal = sem.allowNodeLocalIngress && nodeListsAddress(r, d.nodeName, sa.ip);
    const ingress = nodeLocal ? ({ kind: 'any' } as const) : directionPorts(r, 'ingress', dst, family, sa.value);
    return intersectPortSets(egress, ingress);
  }
  return noPorts;
}

/**
 * Ports one direction of a pod allows with a peer address: everything when the pod is not
 * isolated in that direction, else the union of the tuples whose peer set holds the address.
 */
export function directionPorts(r: ResolvedProgram, dir: 'egress' | 'ingress', pod: number, family: Family, peer: bigint): PortSet {
  const pd = r[dir][pod]!;
  if (!pd.isolated) return { kind: 'any' };
  let out = noPorts;
  for (const t of pd.tuples) {
    const set = r.peerSets[t.peer]!;
    if (contains(family === 4 ? set.v4 : set.v6, peer)) out = unionPortSets(out, t.ports);
  }
  return out;
}
