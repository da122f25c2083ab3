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

const portZero: PortRanges = [[0, 0]];

/**
 * `a` minus `b`. Port 0, which no connection can use, is left out of a difference that is not
 * every port: `{protocol: TCP}` replaced by `port: 1, endPort: 65535` changes nothing.
 */
export function minusDelta(a: PortDelta, b: PortDelta): PortDelta {
  const minus = (x: PortRanges, y: PortRanges): PortRanges => {
    const r = subtract(x, y);
    return r.length === 0 || (r.length === 1 && r[0]![0] === 0 && r[0]![1] === 65535) ? r : subtract(r, portZero);
  };
  return { TCP: minus(a.TCP, b.TCP), UDP: minus(a.UDP, b.UDP), SCTP: minus(a.SCTP, b.SCTP), other: a.other && !b.other };
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
