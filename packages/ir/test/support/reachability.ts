import { allowedResolved, evaluate, resolve, type Connection, type Program, type Protocol } from '../../src/index.js';
import { expect } from 'vitest';
import { loadValid, type Manifest } from '../../src/testing/index.js';

/** A pod pattern in the style of upstream e2e `Peer{Namespace, Pod}`: empty fields match all. */
export interface PeerPattern {
  readonly ns?: string;
  readonly pod?: string;
}

/**
 * Expected reachability, written the way upstream e2e tests write it (test/e2e/network/netpol
 * reachability.go): start from all-true or all-false, then set cells by pattern.
 */
export class Reachability {
  private readonly cells = new Map<string, boolean>();

  constructor(
    readonly pods: readonly string[],
    initial: boolean,
  ) {
    for (const a of pods) for (const b of pods) this.cells.set(`${a}>${b}`, initial);
  }

  private matches(id: string, p: PeerPattern): boolean {
    const [ns, pod] = id.split('/');
    return (p.ns === undefined || p.ns === ns) && (p.pod === undefined || p.pod === pod);
  }

  /** Sets every (from, to) pair matching the patterns. */
  expect(from: PeerPattern, to: PeerPattern, allowed: boolean): this {
    for (const a of this.pods) for (const b of this.pods) if (this.matches(a, from) && this.matches(b, to)) this.cells.set(`${a}>${b}`, allowed);
    return this;
  }

  /** A pod can always reach itself (upstream `AllowLoopback`). */
  allowLoopback(): this {
    for (const a of this.pods) this.cells.set(`${a}>${a}`, true);
    return this;
  }

  get(from: string, to: string): boolean {
    return this.cells.get(`${from}>${to}`)!;
  }
}

/** All pod ids of the upstream model. */
export const modelPods = ['x', 'y', 'z'].flatMap((ns) => ['a', 'b', 'c'].map((p) => `${ns}/${p}`));

/**
 * Compares the expectation with the reference evaluator and with the resolved layer; returns a
 * readable list of mismatches (empty when all agree).
 */
export function mismatches(program: Program, expected: Reachability, protocol: Protocol, port: number): string[] {
  const resolved = resolve(program);
  const out: string[] = [];
  for (const from of expected.pods) {
    for (const to of expected.pods) {
      const [sns, sname] = from.split('/') as [string, string];
      const [dns, dname] = to.split('/') as [string, string];
      const conn: Connection = { src: { kind: 'pod', namespace: sns, name: sname }, dst: { kind: 'pod', namespace: dns, name: dname }, protocol, port };
      const v = evaluate(program, conn);
      const oracle = 'error' in v ? undefined : v.allowed;
      const fromResolved = allowedResolved(resolved, conn);
      const want = expected.get(from, to);
      if (oracle !== want) out.push(`evaluator ${from} -> ${to} ${protocol}/${port}: got ${oracle}, expected ${want}`);
      if (fromResolved !== want) out.push(`resolved ${from} -> ${to} ${protocol}/${port}: got ${fromResolved}, expected ${want}`);
    }
  }
  return out;
}

/** A protocol and port probed. */
export type Port = readonly [Protocol, number];

/** Every probed port of the objects matches the table `build` gives for it (an upstream test's Expect calls). */
export function check(objects: readonly Manifest[], ports: readonly Port[], build: (port: Port) => Reachability): void {
  const { program } = loadValid(objects);
  const problems = ports.flatMap((p) => mismatches(program, build(p), p[0], p[1]));
  expect(problems).toEqual([]);
}

/** The model's table with every pair set to `initial`. */
export const all = (initial: boolean): Reachability => new Reachability(modelPods, initial);
