import { compilerAssert } from '../diagnostics/diagnostic.js';
import type { Connection, ConnectionProtocol, Endpoint } from '../evaluate/connection.js';
import type { PodDirection, ResolvedProgram } from '../model/resolved.js';
import { formatIp, parseAddress, type Family } from '../net/ip.js';
import { contains } from '../net/interval-set.js';
import { portSetAllows } from './port-set.js';

/** A connection endpoint bound through the resolved program's address maps. */
interface ResolvedEndpoint {
  readonly family: Family;
  readonly value: bigint;
  readonly pod: number | undefined;
  /** Canonical text of the address. */
  readonly ip: string;
}

/**
 * Whether node `node` lists address `ip`: traffic from it into the node's pods is node-local
 * (semantics.md §2.5), whichever other node lists it too, as a node's own firewall sees it.
 */
export function nodeListsAddress(r: Pick<ResolvedProgram, 'nodeAddresses' | 'sharedNodeAddresses'>, node: string | undefined, ip: string | undefined): boolean {
  if (node === undefined || ip === undefined) return false;
  const first = r.nodeAddresses.get(ip);
  return first === node || (first !== undefined && (r.sharedNodeAddresses.get(ip)?.includes(node) ?? false));
}


function bindEndpoint(r: ResolvedProgram, ep: Endpoint, family: Family | undefined): ResolvedEndpoint | undefined {
  if (ep.kind === 'ip') {
    const ip = parseAddress(ep.ip);
    if (!ip) return undefined;
    const canonical = formatIp(ip.family, ip.value);
    return { family: ip.family, value: ip.value, pod: r.addressOwner.get(canonical), ip: canonical };
  }
  const pod = r.podIndex.get(`${ep.namespace}/${ep.name}`);
  if (pod === undefined) return undefined;
  const addrs = r.pods[pod]!.addresses;
  const a = ep.ip !== undefined ? addrs.find((x) => x.value === parseAddress(ep.ip!)?.value) : addrs.find((x) => family === undefined || x.family === family);
  if (!a) return undefined;
  return { family: a.family, value: a.value, pod, ip: a.ip };
}

function sideAllows(r: ResolvedProgram, d: PodDirection, peer: ResolvedEndpoint, protocol: ConnectionProtocol, port: number): boolean {
  if (!d.isolated) return true;
  for (const t of d.tuples) {
    const set = r.peerSets[t.peer]!;
    if (contains(peer.family === 4 ? set.v4 : set.v6, peer.value) && portSetAllows(t.ports, protocol, port)) return true;
  }
  return false;
}

/**
 * Decides a connection from the resolved layer alone (address sets and port sets). Must agree
 * with the reference evaluator; the property tests check it.
 */
export function allowedResolved(r: ResolvedProgram, conn: Connection): boolean | undefined {
  compilerAssert(!r.partial, 'allowedResolved needs a complete resolution');
  const hint = conn.src.kind === 'ip' ? parseAddress(conn.src.ip)?.family : conn.dst.kind === 'ip' ? parseAddress(conn.dst.ip)?.family : undefined;
  for (const family of hint ? [hint] : ([4, 6] as const)) {
    const src = bindEndpoint(r, conn.src, family);
    const dst = bindEndpoint(r, conn.dst, family);
    if (!src || !dst || src.family !== dst.family) continue;
    return decide(r, src, dst, conn.protocol, conn.port);
  }
  return undefined;
}

function decide(r: ResolvedProgram, src: ResolvedEndpoint, dst: ResolvedEndpoint, protocol: ConnectionProtocol, port: number): boolean {
  const sem = r.program.semantics;
  if (sem.allowSelf && src.pod !== undefined && src.pod === dst.pod) return true;
  if (protocol === 'ICMP' && sem.allowIcmpEssentials) return true;
  const egressOk = src.pod === undefined || sideAllows(r, r.egress[src.pod]!, dst, protocol, port);
  if (!egressOk) return false;
  if (dst.pod === undefined) return true;
  const dstPod = r.pods[dst.pod]!;
  if (sem.allowNodeLocalIngress && nodeListsAddress(r, dstPod.nodeName, src.ip)) return true;
  return sideAllows(r, r.ingress[dst.pod]!, src, protocol, port);
}

/** Pod-to-pod decision by pod index (primary addresses of `only`, else IPv4 first). */
export function podAllowed(r: ResolvedProgram, src: number, dst: number, protocol: ConnectionProtocol, port: number, ignoreSelf = false, only?: Family): boolean {
  compilerAssert(!r.partial, 'podAllowed needs a complete resolution');
  const s = r.pods[src]!;
  const d = r.pods[dst]!;
  for (const family of only ? [only] : ([4, 6] as const)) {
    const sa = s.addresses.find((a) => a.family === family);
    const da = d.addresses.find((a) => a.family === family);
    if (!sa || !da) continue;
    const se: ResolvedEndpoint = { family, value: sa.value, pod: src, ip: sa.ip };
    const de: ResolvedEndpoint = { family, value: da.value, pod: dst, ip: da.ip };
    if (ignoreSelf && src === dst) {
      if (protocol === 'ICMP' && r.program.semantics.allowIcmpEssentials) return true;
      const egressOk = sideAllows(r, r.egress[src]!, de, protocol, port);
      return egressOk && sideAllows(r, r.ingress[dst]!, se, protocol, port);
    }
    return decide(r, se, de, protocol, port);
  }
  return false;
}
