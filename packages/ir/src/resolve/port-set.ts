import type { ConnectionProtocol } from '../evaluate/connection.js';
import type { Protocol } from '../model/policy.js';
import { contains, equals, intersect, normalize, union, type IntervalSet } from '../net/interval-set.js';

/** Ranges of destination ports, inclusive. `[0, 65535]` is every port of the protocol. */
export type PortRanges = IntervalSet<number>;

/**
 * Destination ports a tuple allows: `any` (no `ports` in the rule: every protocol, every port,
 * ICMP included) or ranges per transport protocol.
 */
export type PortSet =
  | { readonly kind: 'any' }
  | { readonly kind: 'ports'; readonly TCP: PortRanges; readonly UDP: PortRanges; readonly SCTP: PortRanges };

/** Every port of every protocol. */
export const anyPorts: PortSet = Object.freeze({ kind: 'any' });

/** Every port number of a protocol. */
export const fullRange: PortRanges = Object.freeze([Object.freeze([0, 65535] as const)]);

/** True when the ranges hold every port number. */
export function isFullRange(r: PortRanges): boolean {
  return r.length === 1 && r[0]![0] === 0 && r[0]![1] === 65535;
}

/** Builds a port set from `(protocol, from, to)` triples. */
export function portSetOf(entries: Iterable<readonly [Protocol, number, number]>): PortSet {
  const by: Record<Protocol, [number, number][]> = { TCP: [], UDP: [], SCTP: [] };
  for (const [p, a, b] of entries) by[p].push([a, b]);
  return { kind: 'ports', TCP: normalize(by.TCP), UDP: normalize(by.UDP), SCTP: normalize(by.SCTP) };
}

/** True when the set allows nothing. */
export function isEmptyPortSet(s: PortSet): boolean {
  return s.kind === 'ports' && s.TCP.length === 0 && s.UDP.length === 0 && s.SCTP.length === 0;
}

/** Does the set allow this protocol and port? ICMP only by `any`: ports name no ICMP. */
export function portSetAllows(s: PortSet, protocol: ConnectionProtocol, port: number): boolean {
  return s.kind === 'any' || (protocol !== 'ICMP' && contains(s[protocol], port));
}

/** Union of two port sets. */
export function unionPortSets(a: PortSet, b: PortSet): PortSet {
  if (a.kind === 'any' || b.kind === 'any') return anyPorts;
  return { kind: 'ports', TCP: union(a.TCP, b.TCP), UDP: union(a.UDP, b.UDP), SCTP: union(a.SCTP, b.SCTP) };
}

/** Structural equality. */
export function portSetEquals(a: PortSet, b: PortSet): boolean {
  if (a.kind === 'any' || b.kind === 'any') return a.kind === b.kind;
  return equals(a.TCP, b.TCP) && equals(a.UDP, b.UDP) && equals(a.SCTP, b.SCTP);
}

/** Stable text key, e.g. `TCP:80-81,443|UDP:53`. */
export function portSetKey(s: PortSet): string {
  if (s.kind === 'any') return 'any';
  return (['TCP', 'UDP', 'SCTP'] as const)
    .filter((p) => s[p].length > 0)
    .map((p) => `${p}:${s[p].map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`)
    .join('|');
}

/** Intersection of two port sets. */
export function intersectPortSets(a: PortSet, b: PortSet): PortSet {
  if (a.kind === 'any') return b;
  if (b.kind === 'any') return a;
  return { kind: 'ports', TCP: intersect(a.TCP, b.TCP), UDP: intersect(a.UDP, b.UDP), SCTP: intersect(a.SCTP, b.SCTP) };
}

/** The empty port set. */
export const noPorts: PortSet = Object.freeze({ kind: 'ports', TCP: [], UDP: [], SCTP: [] });
