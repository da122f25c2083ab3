import type { Pod } from '../model/inventory.js';
import type { Protocol } from '../model/policy.js';
import type { Program } from '../model/program.js';
import { canonicalIp, parseAddress } from '../net/ip.js';
import { closest } from '../util/closest.js';
import { compareValues } from '../util/compare.js';

/** One side of a connection: a pod (by name, optionally one of its IPs) or a bare address. */
export type Endpoint =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly ip?: string }
  | { readonly kind: 'ip'; readonly ip: string };

/**
 * What a connection is carried by: a transport, or ICMP (an ICMP or ICMPv6 echo request, by the
 * family of its addresses), which NetworkPolicy v1 does not define: only a rule without `ports`
 * admits it (README "Semantics").
 */
export type ConnectionProtocol = Protocol | 'ICMP';

/** A connection attempt: the first packet from `src` to `dst` on `protocol`/`port` (0 for ICMP). */
export interface Connection {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly protocol: ConnectionProtocol;
  readonly port: number;
}

/** An endpoint after lookup in the inventory: its pod (if any), node (if an address of one) and IP. */
export interface BoundEndpoint {
  readonly ip: string;
  readonly pod: Pod | undefined;
  readonly node: string | undefined;
}

/** Why a connection cannot be bound to concrete addresses. */
export type BindError = { readonly error: string };

/** Finds an actionable pod by namespace and name. */
export function findPod(program: Program, namespace: string, name: string): Pod | undefined {
  return program.inventory.pods.find((p) => p.namespace === namespace && p.name === name);
}

/**
 * Binds both endpoints to concrete addresses of one family. A bare IP that belongs to an
 * actionable pod is that pod; a pod given without an IP uses its first address of a family the
 * other side has (IPv4 first).
 */
export function bindConnection(program: Program, conn: Connection): { src: BoundEndpoint; dst: BoundEndpoint } | BindError {
  const src = candidates(program, conn.src);
  const dst = candidates(program, conn.dst);
  if ('error' in src) return src;
  if ('error' in dst) return dst;
  for (const family of [4, 6]) {
    const s = src.ips.find((ip) => parseAddress(ip)!.family === family);
    const d = dst.ips.find((ip) => parseAddress(ip)!.family === family);
    if (s && d) return { src: bind(program, s, src), dst: bind(program, d, dst) };
  }
  return { error: `the two endpoints have no address family in common: ${endpointText(conn.src)} has ${families(src.ips)}, ${endpointText(conn.dst)} ${families(dst.ips)}` };
}

function endpointText(ep: Endpoint): string {
  return ep.kind === 'ip' ? ep.ip : `pod ${ep.namespace}/${ep.name}`;
}

/** `IPv4 only` or `IPv6 only`: what one endpoint's addresses are (they are never empty). */
function families(ips: readonly string[]): string {
  return parseAddress(ips[0]!)!.family === 4 ? 'IPv4 only' : 'IPv6 only';
}

/** An endpoint's addresses, its pod, and for a hostNetwork pod the node it runs on. */
interface Candidates {
  readonly ips: string[];
  readonly pod: Pod | undefined;
  readonly node?: string | undefined;
}

function candidates(program: Program, ep: Endpoint): Candidates | BindError {
  if (ep.kind === 'ip') {
    const ip = canonicalIp(ep.ip);
    if (!ip) return { error: notAnAddress(program, ep.ip) };
    return { ips: [ip], pod: undefined };
  }
  const pod = findPod(program, ep.namespace, ep.name);
  if (!pod) return { error: missingPod(program, ep.namespace, ep.name) };
  // A hostNetwork pod sends and receives on its node's addresses: its connections are its node's
  // (semantics.md: node traffic), which no pod selector matches, whether or not the inventory
  // holds the Node object.
  const hostNetwork = !pod.actionable && pod.hostNetwork && pod.addresses.length > 0 && pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
  if (!pod.actionable && !hostNetwork) return { error: `pod ${ep.namespace}/${ep.name} takes no part in policy (no IP or finished)` };
  const as = hostNetwork ? { pod: undefined, node: pod.nodeName } : { pod };
  if (ep.ip !== undefined) {
    const ip = canonicalIp(ep.ip);
    if (!ip || !pod.addresses.some((a) => a.ip === ip)) return { error: `${ep.ip} is not an address of pod ${ep.namespace}/${ep.name}` };
    return { ips: [ip], ...as };
  }
  return { ips: pod.addresses.map((a) => a.ip), ...as };
}

/**
 * Why a pod was not found, with the pods that may have been meant: users often give a
 * Deployment's name (`frontend`) or a pod name from another moment (the hash changed).
 */
function missingPod(program: Program, namespace: string, name: string): string {
  const text = `pod ${namespace}/${name} is not in the inventory`;
  const names: string[] = [];
  for (const p of program.inventory.pods) if (p.namespace === namespace) names.push(p.name);
  const prefixed = names.filter((n) => n.startsWith(name)).sort(compareValues);
  if (prefixed.length > 0) {
    return `${text}; pods whose names start with ${name}: ${firstFive(prefixed.map((n) => `${namespace}/${n}`))}`;
  }
  const near = closest(name, names);
  if (near !== undefined) return `${text}; did you mean ${namespace}/${near}?`;
  const elsewhere = [...new Set(program.inventory.pods.filter((p) => p.name === name).map((p) => p.namespace))].sort(compareValues);
  if (elsewhere.length > 0) return `${text}; a pod of that name is in namespace ${elsewhere.join(', ')}`;
  if (names.length === 0) return `${text}, which has no pods in namespace ${namespace}`;
  return text;
}

/** Why a text is no address, naming the pods it may have meant (a pod given without its namespace). */
function notAnAddress(program: Program, text: string): string {
  const pods = program.inventory.pods.filter((p) => p.name === text).map((p) => `${p.namespace}/${p.name}`);
  if (pods.length === 0) return `${text} is not a valid IP address`;
  return `${text} is not an IP address, and a pod is given with its namespace: ${firstFive(pods.sort(compareValues))}`;
}

/** `a, b, c, d, e and 3 more`. */
function firstFive(names: readonly string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
}

function bind(program: Program, ip: string, { pod, node }: Candidates): BoundEndpoint {
  if (node !== undefined) return { ip, pod: undefined, node };
  const owner = pod ?? program.inventory.pods.find((p) => p.actionable && p.addresses.some((a) => a.ip === ip));
  return { ip, pod: owner, node: program.inventory.nodes.find((n) => n.addresses.some((a) => a.ip === ip))?.name };
}
