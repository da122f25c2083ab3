// How `netpolc diff` writes the ports of a change for people (text and markdown; JSON lists them).
import { expect, it } from 'vitest';
import type { PortDelta } from '@netpolc/ir';
import { portsText } from '../src/diff/group.js';

const none = { TCP: [], UDP: [], SCTP: [], other: false } as const;
const tcp = (...ranges: [number, number][]): PortDelta => ({ ...none, TCP: ranges });

it('lists a few ports as they are', () => {
  expect(portsText(tcp([80, 80], [443, 443]))).toBe('TCP 80,443');
  expect(portsText(tcp([8000, 8080]))).toBe('TCP 8000-8080');
  expect(portsText({ ...none, UDP: [[53, 53]], SCTP: [[9000, 9001]] })).toBe('UDP 53; SCTP 9000-9001');
});

it('writes every port but a few as "all but" (it read TCP 0-52,54-65535)', () => {
  expect(portsText(tcp([0, 52], [54, 65535]))).toBe('TCP all but 53');
  // Port 0, which no policy can name, makes no difference.
  expect(portsText(tcp([1, 52], [54, 65535]))).toBe('TCP all but 53');
  expect(portsText(tcp([0, 79], [81, 442], [444, 65535]))).toBe('TCP all but 80,443');
  expect(portsText(tcp([0, 79], [90, 65535]))).toBe('TCP all but 80-89');
  expect(portsText(tcp([1, 65534]))).toBe('TCP all but 65535');
  expect(portsText(tcp([2, 65535]))).toBe('TCP all but 1');
  expect(portsText(tcp([1, 65535]))).toBe('TCP all');
  // Three holes or more: the ranges themselves.
  expect(portsText(tcp([0, 79], [81, 442], [444, 8079], [8081, 65535]))).toBe('TCP 0-79,81-442,444-8079,8081-65535');
});

it('says all ports of all protocols only when that is what changed', () => {
  const all: [number, number][] = [[0, 65535]];
  expect(portsText({ TCP: all, UDP: all, SCTP: all, other: true })).toBe('all ports, all protocols');
  expect(portsText({ TCP: all, UDP: all, SCTP: all, other: false })).toBe('TCP all; UDP all; SCTP all');
  expect(portsText({ ...none, TCP: [[0, 52], [54, 65535]], UDP: all, SCTP: all, other: true })).toBe('TCP all but 53; UDP all; SCTP all; other protocols (ICMP, ...)');
});
