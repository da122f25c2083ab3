import type { Protocol } from '../model/policy.js';
import type { PeerSet, PodDirection, ResolvedProgram } from '../model/resolved.js';
import { parseIp, type Family } from '../net/ip.js';
import { compareValues, sameItems } from '../util/compare.js';
import { memoized } from '../util/memo.js';
import { lastAtMost } from '../util/search.js';
import { directionPorts } from '../query/matrix.js';
import { anyPorts, intersectPortSets, isEmptyPortSet, noPorts, portSetKey, type PortSet } from '../resolve/port-set.js';
import { nodeListsAddress } from '../resolve/query.js';
import { allPodAddresses, externalComparer } from './external.js';
import { peerPorts, peerPortsDiffer, type PeerPorts } from './peer-ports.js';
import { deltaKey, isEmptyDelta, minusDelta, restrictDelta, toDelta, type PortDelta } from './port-delta.js';

/** One end of a changed connection: a pod (both sides have it) or an external CIDR. */
export type DiffEndpoint =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'cidr'; readonly cidr: string; readonly family: Family };

/** Connections that one side allows and the other does not. */
export interface ConnectionChange {
  readonly change: 'added' | 'removed';
  readonly from: DiffEndpoint;
  readonly to: DiffEndpoint;
  readonly ports: PortDelta;
  /** Set only for dual-stack pod pairs whose families changed differently. */
  readonly family?: Family;
}

/** What HEAD adds and removes compared with BASE. */
export interface ConnectivityDiff {
  readonly added: readonly ConnectionChange[];
  readonly removed: readonly ConnectionChange[];
  /** Pods present on one side only (their connections are not compared). */
  readonly podsOnlyInBase: readonly string[];
  readonly podsOnlyInHead: readonly string[];
}

/** Options of {@link diffConnectivity}. */
export interface DiffOptions {
  /** Compare one port of one protocol only. */
  readonly only?: { readonly protocol: Protocol; readonly port: number };
}

type Dir = 'ingress' | 'egress';

function signature(r: ResolvedProgram, d: PodDirection): string {
  if (!d.isolated) return 'open';
  return d.tuples.map((t) => `${r.peerSets[t.peer]!.hash}:${portSetKey(t.ports)}`).sort().join(';');
}

/**
 * The signature of each pod's direction, made once per direction object: pods selected by the
 * same policies share one (15k for 150k pods at kube-scale, where one per pod took ~1 s of a diff).
 */
function signatures(r: ResolvedProgram, idx: readonly number[], dir: Dir): string[] {
  const made = new Map<PodDirection, string>();
  const make = (d: PodDirection): string => signature(r, d);
  return idx.map((i) => memoized(made, r[dir][i]!, make));
}

/**
 * An isolated pod's ingress also depends on its node when node-local ingress is allowed: a pod
 * moved to another node admits other node addresses with the same tuples. Kept apart from the
 * signature, which keys the answers per peer pod (the same on every node): with the node in it,
 * those were made once per node, 3.4 s of a 16 000-pod diff on 533 nodes.
 */
function nodeKey(r: ResolvedProgram, i: number, nodes: ReadonlyMap<string, string>): string {
  if (!r.program.semantics.allowNodeLocalIngress) return '';
  const name = r.pods[i]!.nodeName ?? '';
  // The node's addresses too: a node given another address (or missing from one inventory)
  // admits other addresses with the same tuples.
  return `@${name}=${nodes.get(name) ?? ''}`;
}

/** Each node's addresses as text, by name. */
function nodeAddresses(r: ResolvedProgram): Map<string, string> {
  return new Map(r.program.inventory.nodes.map((n) => [n.name, n.addresses.map((a) => a.ip).join(',')]));
}

/**
 * The pods (positions in `bi`/`hi`) whose answers may change because pods got other addresses
 * while their tuples did not: an ipBlock's peer set keeps its addresses when a pod moves from
 * inside it to outside (a recreated pod's new IP), so no signature shows it. Every pod whose
 * addresses differ, and every pod with a tuple whose peer set holds one of their old or new
 * addresses, in that direction; and apart, the pods whose address families differ.
 */
function readdressed(base: ResolvedProgram, head: ResolvedProgram, bi: readonly number[], hi: readonly number[]): { egress: Set<number>; ingress: Set<number>; families: number[] } {
  const moved: number[] = [];
  const families: number[] = [];
  const familySet = (list: readonly { readonly family: Family }[]): string => [...new Set(list.map((a) => a.family))].sort().join();
  const addresses: Record<4 | 6, bigint[]> = { 4: [], 6: [] };
  bi.forEach((b, k) => {
    const before = base.pods[b]!.addresses;
    const after = head.pods[hi[k]!]!.addresses;
    if (before.length === after.length && before.every((a, j) => a.ip === after[j]!.ip)) return;
    moved.push(k);
    if (familySet(before) !== familySet(after)) families.push(k);
    for (const a of [...before, ...after]) addresses[a.family].push(a.value);
  });
  const out = { egress: new Set<number>(moved), ingress: new Set<number>(moved), families };
  if (moved.length === 0) return out;
  for (const f of [4, 6] as const) addresses[f].sort(compareValues);
  const holds = (set: PeerSet): boolean =>
    ([4, 6] as const).some((f) => {
      const list = addresses[f];
      // The last moved address at most `hi` is at least `lo`: one lies in [lo, hi].
      return (f === 4 ? set.v4 : set.v6).some(([lo, hi]) => {
        const last = list[lastAtMost(list.length, (i) => list[i]!, hi)];
        return last !== undefined && last >= lo && last <= hi;
      });
    });
  for (const [r, idx] of [[base, bi], [head, hi]] as const) {
    const affected = new Set(r.peerSets.filter(holds).map((s) => s.id));
    if (affected.size === 0) continue;
    for (const dir of ['egress', 'ingress'] as const) {
      idx.forEach((i, k) => {
        if (r[dir][i]!.tuples.some((t) => affected.has(t.peer))) out[dir].add(k);
      });
    }
  }
  return out;
}

/**
 * Computes the connectivity difference on the resolved layers. Only pods whose egress or
 * ingress changed are examined (a verdict depends on nothing else), and external addresses are
 * compared by interval arithmetic over the boundaries of the ipBlocks involved: neither pod pairs
 * of unchanged pods nor individual ports or addresses are enumerated.
 */
export function diffConnectivity(base: ResolvedProgram, head: ResolvedProgram, options: DiffOptions = {}): ConnectivityDiff {
  const same = samePods(base, head);
  const { bi, hi } = commonPods(base, head, same);
  const count = bi.length;
  const sig = {
    base: { egress: signatures(base, bi, 'egress'), ingress: signatures(base, bi, 'ingress') },
    head: { egress: signatures(head, hi, 'egress'), ingress: signatures(head, hi, 'ingress') },
  };
  const nodes = { base: nodeAddresses(base), head: nodeAddresses(head) };
  const moved = same ? { egress: new Set<number>(), ingress: new Set<number>(), families: [] } : readdressed(base, head, bi, hi);
  const changed = (dir: Dir): number[] =>
    bi
      .map((_, k) => k)
      .filter((k) => sig.base[dir][k] !== sig.head[dir][k] || moved[dir].has(k) || (dir === 'ingress' && sig.base[dir][k] !== 'open' && nodeKey(base, bi[k]!, nodes.base) !== nodeKey(head, hi[k]!, nodes.head)));
  const egressChanged = changed('egress');
  const ingressChanged = changed('ingress');
  // Pods with the same tuples answer the same for every peer: compute that once per signature.
  const memo = new Map<string, PeerPorts>();
  const peerPortsOf = (side: 'base' | 'head', dir: Dir, k: number): PeerPorts => {
    const key = `${side}|${dir}|${sig[side][dir][k]}`;
    let pp = memo.get(key);
    if (!pp) {
      pp = side === 'base' ? peerPorts(base, dir, bi[k]!) : peerPorts(head, dir, hi[k]!);
      memo.set(key, pp);
    }
    return pp;
  };
  const out: ConnectionChange[] = [];
  const restrict = (d: PortDelta): PortDelta => (options.only ? restrictDelta(d, options.only.protocol, options.only.port) : d);
  const deltas = (b: PortSet, h: PortSet): [PortDelta, PortDelta] => [restrict(minusDelta(toDelta(h), toDelta(b))), restrict(minusDelta(toDelta(b), toDelta(h)))];
  const emit = (from: DiffEndpoint, to: DiffEndpoint, [added, removed]: [PortDelta, PortDelta], family?: Family): void => {
    const extra = family === undefined ? {} : { family };
    if (!isEmptyDelta(added)) out.push({ change: 'added', from, to, ports: added, ...extra });
    if (!isEmptyDelta(removed)) out.push({ change: 'removed', from, to, ports: removed, ...extra });
  };
  const finish = (from: DiffEndpoint, to: DiffEndpoint, b: PortSet, h: PortSet): void => emit(from, to, deltas(b, h));
  const podEp = (k: number): DiffEndpoint => {
    const p = base.pods[bi[k]!]!;
    return { kind: 'pod', namespace: p.namespace, name: p.name };
  };

  const seen = new Set<number>();
  /**
   * Decides a pair on both sides, per family both pods have. `known` carries what the changed
   * side already computed (egress of s, or ingress of d, per peer), so only the other side is
   * looked up.
   */
  // A pod reaches itself whatever the policies, unless the profile says otherwise (allow-self=false).
  const selfAllowed = base.program.semantics.allowSelf && head.program.semantics.allowSelf;
  const pair = (s: number, d: number, known: { dir: Dir; base: PeerPorts; head: PeerPorts }): void => {
    if (s === d && selfAllowed) return;
    const key = s * count + d;
    if (seen.has(key)) return;
    seen.add(key);
    const side = (r: ResolvedProgram, idx: readonly number[], pp: PeerPorts, f: Family): PortSet => {
      const src = r.pods[idx[s]!]!;
      const dst = r.pods[idx[d]!]!;
      const sa = src.addresses.find((a) => a.family === f);
      const da = dst.addresses.find((a) => a.family === f);
      // A family one of the pods lacks on this side: no connection there.
      if (!sa || !da) return noPorts;
      const fam = f === 4 ? 'v4' : 'v6';
      // A source pod with an address of the destination's node (ir/duplicate-ip) sends node-local
      // traffic, always allowed in, as the matrix and explain decide it and a firewall sees it.
      const nodeLocal = r.program.semantics.allowNodeLocalIngress && nodeListsAddress(r, dst.nodeName, sa.ip);
      if (known.dir === 'egress') {
        const egress = pp.open ? anyPorts : (pp[fam].get(idx[d]!) ?? noPorts);
        return isEmptyPortSet(egress) ? noPorts : nodeLocal ? egress : intersectPortSets(egress, directionPorts(r, 'ingress', idx[d]!, f, sa.value));
      }
      const ingress = nodeLocal || pp.open ? anyPorts : (pp[fam].get(idx[s]!) ?? noPorts);
      return isEmptyPortSet(ingress) ? noPorts : intersectPortSets(directionPorts(r, 'egress', idx[s]!, f, da.value), ingress);
    };
    // Per address family both pods have: one change when the families agree (the usual case).
    // Per family both pods have on either side (a pod gaining IPv6 gains its IPv6 connections).
    const has = (r: ResolvedProgram, i: number, f: Family): boolean => r.pods[i]!.addresses.some((a) => a.family === f);
    const families = ([4, 6] as const).filter((f) => (has(base, bi[s]!, f) && has(base, bi[d]!, f)) || (has(head, hi[s]!, f) && has(head, hi[d]!, f)));
    const perFamily = families.map((f) => deltas(side(base, bi, known.base, f), side(head, hi, known.head, f)));
    // One family (nearly every pair) needs no comparison of the families' changes.
    if (perFamily.length <= 1 || new Set(perFamily.map(([a, r]) => `${deltaKey(a)}/${deltaKey(r)}`)).size === 1) {
      if (perFamily[0]) emit(podEp(s), podEp(d), perFamily[0]);
      return;
    }
    families.forEach((f, i) => emit(podEp(s), podEp(d), perFamily[i]!, f));
  };
  // A pair can change only where the changed side answers differently for that very peer. Pods
  // with the same tuples on both sides (replicas) differ for the same peers: found once per pair
  // of signatures, then each pair is decided fully.
  const differing = new Map<string, number[]>();
  // Where a pod is on each side: a peer that neither side's answer names gets no ports on both.
  const placeOf = (idx: readonly number[], size: number): Int32Array => {
    const at = new Int32Array(size).fill(-1);
    idx.forEach((i, k) => (at[i] = k));
    return at;
  };
  let place: { readonly base: Int32Array; readonly head: Int32Array } | undefined;
  const differingPeers = (dir: Dir, k: number, known: { base: PeerPorts; head: PeerPorts }): readonly number[] => {
    const key = `${dir}|${sig.base[dir][k]}|${sig.head[dir][k]}`;
    let peers = differing.get(key);
    if (!peers) {
      peers = [];
      if (known.base.open || known.head.open) {
        for (let p = 0; p < count; p++) if (peerPortsDiffer(known.base, bi[p]!, known.head, hi[p]!)) peers.push(p);
      } else {
        // Only the peers either side names: a loop over every pod per changed signature took
        // 2.6 s of a kube-scale diff of 100 changed policies.
        const named = new Set<number>();
        place ??= { base: placeOf(bi, base.pods.length), head: placeOf(hi, head.pods.length) };
        const { base: inBase, head: inHead } = place;
        for (const i of known.base.touched) if (inBase[i]! >= 0) named.add(inBase[i]!);
        for (const i of known.head.touched) if (inHead[i]! >= 0) named.add(inHead[i]!);
        for (const p of [...named].sort((x, y) => x - y)) if (peerPortsDiffer(known.base, bi[p]!, known.head, hi[p]!)) peers.push(p);
      }
      differing.set(key, peers);
    }
    return peers;
  };
  // A pod whose address families changed pairs anew with every pod, whatever the answers say
  // (they name peers, not the families the pair has): rare, so all its pairs are decided.
  for (const k of moved.families) {
    const egress = { dir: 'egress' as const, base: peerPortsOf('base', 'egress', k), head: peerPortsOf('head', 'egress', k) };
    const ingress = { dir: 'ingress' as const, base: peerPortsOf('base', 'ingress', k), head: peerPortsOf('head', 'ingress', k) };
    for (let p = 0; p < count; p++) {
      pair(k, p, egress);
      pair(p, k, ingress);
    }
  }
  for (const s of egressChanged) {
    const known = { dir: 'egress' as const, base: peerPortsOf('base', 'egress', s), head: peerPortsOf('head', 'egress', s) };
    for (const d of differingPeers('egress', s, known)) pair(s, d, known);
  }
  for (const d of ingressChanged) {
    const known = { dir: 'ingress' as const, base: peerPortsOf('base', 'ingress', d), head: peerPortsOf('head', 'ingress', d) };
    for (const s of differingPeers('ingress', d, known)) pair(s, d, known);
  }

  const external = externalComparer(base, head, allPodAddresses(base, head, same));
  for (const k of egressChanged) external(bi[k]!, hi[k]!, 'egress', (cidr, family, b, h) => finish(podEp(k), { kind: 'cidr', cidr, family }, b, h));
  for (const k of ingressChanged) external(bi[k]!, hi[k]!, 'ingress', (cidr, family, b, h) => finish({ kind: 'cidr', cidr, family }, podEp(k), b, h));

  const podsOnly = (a: ResolvedProgram, b: ResolvedProgram): string[] => (same ? [] : [...a.podIndex.keys()].filter((id) => !b.podIndex.has(id)).sort());
  return {
    added: sortChanges(out.filter((c) => c.change === 'added')),
    removed: sortChanges(out.filter((c) => c.change === 'removed')),
    podsOnlyInBase: podsOnly(base, head),
    podsOnlyInHead: podsOnly(head, base),
  };
}

/**
 * Whether both sides have the very same pod objects in the same order: they load one inventory,
 * whose lowered pods a second load shares (see loadProgram).
 */
function samePods(base: ResolvedProgram, head: ResolvedProgram): boolean {
  return sameItems(base.pods, head.pods);
}

/**
 * The pods both sides have (by `namespace/name`): their index on each side. Changes are
 * sorted at the end, so the order of these pods does not show: with the same pods on both sides
 * they are taken in place, without a map of every pod id per side (at kube-scale, 150k ids
 * each, whose making and collection were most of the diff's own time).
 */
function commonPods(base: ResolvedProgram, head: ResolvedProgram, same: boolean): { bi: readonly number[]; hi: readonly number[] } {
  if (same) {
    const all = base.pods.map((_, i) => i);
    return { bi: all, hi: all };
  }
  const ids = [...base.podIndex.keys()].filter((id) => head.podIndex.has(id)).sort();
  return { bi: ids.map((id) => base.podIndex.get(id)!), hi: ids.map((id) => head.podIndex.get(id)!) };
}

/** How an endpoint sorts: pods by `ns/name`, then CIDRs by family, first address and prefix length. */
interface EndpointKey {
  readonly pod: string | undefined;
  readonly family: number;
  readonly start: bigint;
  readonly prefix: number;
}

function endpointKey(e: DiffEndpoint): EndpointKey {
  if (e.kind === 'pod') return { pod: `${e.namespace}/${e.name}`, family: 0, start: 0n, prefix: 0 };
  // The text is formatCidr's (canonical, made in `external`), so parseIp reads it back; parseCidr
  // would refuse an IPv4-mapped IPv6 range, which an IPv6 ipBlock may well leave changed.
  const slash = e.cidr.indexOf('/');
  return { pod: undefined, family: e.family, start: parseIp(e.cidr.slice(0, slash))!.value, prefix: Number(e.cidr.slice(slash + 1)) };
}

function compareEndpoints(x: EndpointKey, y: EndpointKey): number {
  if (x.pod !== undefined && y.pod !== undefined) return compareValues(x.pod, y.pod);
  if (x.pod !== undefined || y.pod !== undefined) return x.pod !== undefined ? -1 : 1;
  // By address, not by text: as text 8.8.8.16/28 sorted before 8.8.8.9/32 and 10.x before 9.x.
  return x.family - y.family || compareValues(x.start, y.start) || x.prefix - y.prefix;
}

/**
 * Changes in (from, to) order, the family of a dual-stack pair last; each endpoint's key made
 * once per change rather than once per comparison.
 */
function sortChanges(changes: readonly ConnectionChange[]): ConnectionChange[] {
  const keyed = changes.map((c) => ({ c, from: endpointKey(c.from), to: endpointKey(c.to) }));
  keyed.sort((a, b) => compareEndpoints(a.from, b.from) || compareEndpoints(a.to, b.to) || (a.c.family ?? 0) - (b.c.family ?? 0));
  return keyed.map((k) => k.c);
}

/** Text of an endpoint: `ns/name` or the CIDR. */
export function endpointText(e: DiffEndpoint): string {
  return e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.cidr;
}
