import type { Protocol } from '../model/policy.js';
import { intersect, subtract } from '../net/interval-set.js';
import { fullRange, type PortRanges, type PortSet } from '../resolve/port-set.js';

/**
 * Ports in a change: ranges per transport protocol, plus `other` for protocols NetworkPolicy
 * ports cannot name (ICMP and the like), which only a rule without `ports` allows.
 */
export interface PortDelta {
  readonly TCP: PortRanges;
  readonly UDP: PortRanges;
  readonly SCTP: PortRanges;
  readonly other: boolean;
}

/** The empty delta. */
export const noDelta: PortDelta = Object.freeze({ TCP: [], UDP: [], SCTP: [], other: false });

/** A port set as a delta (`any` is every port of every protocol, others included). */
export function toDelta(s: PortSet): PortDelta {
  if (s.kind === 'any') return { TCP: fullRange, UDP: fullRange, SCTP: fullRange, other: true };
  return { TCP: s.TCP, UDP: s.UDP, SCTP: s.SCTP, other: false };
}

/** `a` minus `b`. */
export function minusDelta(a: PortDelta, b: PortDelta): PortDelta {
  return { TCP: subtract(a.TCP, b.TCP), UDP: subtract(a.UDP, b.UDP), SCTP: subtract(a.SCTP, b.SCTP), other: a.other && !b.other };
}

/** Keeps one protocol and port only (for `--port N --protocol P`). */
export function restrictDelta(d: PortDelta, protocol: Protocol, port: number): PortDelta {
  const only: PortRanges = [[port, port]];
  return { ...noDelta, [protocol]: intersect(d[protocol], only) };
}

/** True when the delta holds nothing. */
export function isEmptyDelta(d: PortDelta): boolean {
  return d.TCP.length === 0 && d.UDP.length === 0 && d.SCTP.length === 0 && !d.other;
}

/** Stable text key of a delta. */
export function deltaKey(d: PortDelta): string {
  return `${(['TCP', 'UDP', 'SCTP'] as const).map((p) => `${p}:${d[p].map(([a, b]) => `${a}-${b}`).join(',')}`).join('|')}|${d.other ? 'other' : ''}`;
}

/** Port ranges as text: `80`, `8000-8080`, or `all` for every port. */
export function formatRanges(r: PortRanges): string[] {
  if (r.length === 1 && r[0]![0] === 0 && r[0]![1] === 65535) return ['all'];
  return r.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
}
