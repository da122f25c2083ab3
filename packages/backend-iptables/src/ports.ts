import { isFullRange, protocols, type PortSet, type Protocol } from '@netpolc/ir';
import type { L4Protocol, PortRange } from './model.js';

/** The `-p` and port part of a rule; empty object = every protocol (no `-p`). */
export interface PortPart {
  readonly protocol?: L4Protocol;
  readonly ports?: readonly PortRange[];
}

/** `-m multiport` takes at most 15 ports, a range counting two (semantics.md §5.1). */
export const multiportLimit = 15;

const l4: Record<Protocol, L4Protocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** Splits ranges into groups that each fit one multiport match. */
export function chunkPorts(ranges: readonly PortRange[]): PortRange[][] {
  const out: PortRange[][] = [];
  let current: PortRange[] = [];
  let weight = 0;
  for (const r of ranges) {
    const w = r.from === r.to ? 1 : 2;
    if (weight + w > multiportLimit) {
      out.push(current);
      current = [];
      weight = 0;
    }
    current.push(r);
    weight += w;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * The protocol/port parts a port set needs, one rule each: `any` is every protocol (no `-p`,
 * ICMP included); a full `[0, 65535]` range is `-p proto` alone; other ranges become port matches.
 */
export function portParts(ports: PortSet): PortPart[] {
  if (ports.kind === 'any') return [{}];
  const out: PortPart[] = [];
  for (const p of protocols) {
    const ranges = ports[p];
    if (ranges.length === 0) continue;
    if (isFullRange(ranges)) {
      out.push({ protocol: l4[p] });
      continue;
    }
    for (const chunk of chunkPorts(ranges.map(([from, to]) => ({ from, to })))) out.push({ protocol: l4[p], ports: chunk });
  }
  return out;
}
