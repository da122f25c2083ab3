// The emitted objects, read back from YAML and interpreted by the Calico-semantics evaluator,
// allow exactly what the reference evaluator allows, on random clusters, policies and
// connections (pods and external IPs, TCP/UDP/SCTP and ICMP echo, IPv4 and IPv6, with and without
// the icmp-essentials profile), in every mode; and Log rules
// fire exactly on the connections each mode promises to log.
import { evaluate, type RawOptions, type SideVerdict } from '@netpolc/ir';
import { clusterArb, connectionArb, fixedSeed, numRuns, policiesArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { SideResult } from './support/calico-evaluator.js';
import { calicoVerdicts, emit, load } from './support/harness.js';

const seed = fixedSeed();
// Runs are shared out between the modes: the default output gets the full budget (numRuns(),
// 300 in CI), the other modes a fraction of it, keeping the whole file near 30 s in CI.
const budget = numRuns(60);
const params = (fraction: number): fc.Parameters<unknown> => ({ numRuns: Math.max(5, Math.round(budget * fraction)), ...(seed !== undefined ? { seed } : {}) });

const scenario = clusterArb().chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    policies: policiesArb(),
    connections: fc.array(connectionArb(cluster, { icmp: true }), { minLength: 1, maxLength: 12 }),
    icmpEssentials: fc.boolean(),
  }),
);

type Mode = { readonly log: 'none' | 'denied' | 'allowed' | 'all'; readonly audit: boolean };

function raw(mode: Mode, extra: RawOptions): RawOptions {
  return { ...extra, ...(mode.log === 'none' ? {} : { log: mode.log }), ...(mode.audit ? { audit: true } : {}) };
}

/**
 * Whether a side evaluated by Calico must have hit a Log rule, from the reference reason. ICMP
 * under icmp-essentials is admitted before any policy rule, never logged (`profileIcmp`).
 */
function expectLogged(ref: SideVerdict, mode: Mode, profileIcmp: boolean): boolean {
  const logAllowed = mode.log === 'allowed' || mode.log === 'all';
  const logDenied = mode.audit || mode.log === 'denied' || mode.log === 'all';
  if (profileIcmp) return false;
  if (ref.reason === 'allowed-by-rule') return logAllowed;
  if (ref.reason === 'no-rule-allows') return logDenied;
  return false;
}

function check(mode: Mode, extra: RawOptions, fraction: number): void {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, connections, icmpEssentials }) => {
      const program = load([...cluster.manifests, ...policies], { semantics: { allowIcmpEssentials: icmpEssentials } });
      const { objects } = emit(program, raw(mode, extra));
      const calico = calicoVerdicts(program, objects);
      for (const conn of connections) {
        const ref = evaluate(program, conn);
        const got = calico(conn);
        if ('error' in ref) {
          expect(got).toBeUndefined();
          continue;
        }
        expect(got, JSON.stringify(conn)).toBeDefined();
        const v = got!;
        expect(v.allowed, JSON.stringify(conn)).toBe(mode.audit ? true : ref.allowed);
        const sides: [SideResult | undefined, SideVerdict][] = [[v.egress, ref.egress]];
        // Calico never evaluates ingress for a packet egress dropped.
        if (v.egress?.allowed !== false) sides.push([v.ingress, ref.ingress]);
        for (const [side, refSide] of sides) {
          expect(side?.logged ?? false, `${refSide.direction} ${JSON.stringify(conn)}`).toBe(expectLogged(refSide, mode, icmpEssentials && conn.protocol === 'ICMP'));
        }
      }
    }),
    params(fraction),
  );
}

it('agrees with the reference evaluator (default tier, no logging)', () => {
  check({ log: 'none', audit: false }, {}, 1);
});

it('agrees with the reference evaluator in a tier of its own (defaultAction Pass, explicit isolation)', () => {
  check({ log: 'none', audit: false }, { tier: 'netpolc', order: '5', 'name-prefix': 'k8s-' }, 0.5);
});

it('--log denied keeps the verdicts and logs exactly the denied side', () => {
  check({ log: 'denied', audit: false }, {}, 0.4);
  check({ log: 'denied', audit: false }, { tier: 'netpolc' }, 0.2);
});

it('--log allowed keeps the verdicts and logs exactly the sides a rule allowed', () => {
  check({ log: 'allowed', audit: false }, {}, 0.3);
  check({ log: 'allowed', audit: false }, { tier: 'netpolc' }, 0.2);
});

it('--log all keeps the verdicts and logs every side a policy decided', () => {
  check({ log: 'all', audit: false }, {}, 0.3);
  check({ log: 'all', audit: false }, { tier: 'netpolc' }, 0.2);
});

it('--audit allows everything and logs exactly what Kubernetes would deny', () => {
  check({ log: 'none', audit: true }, {}, 0.3);
  check({ log: 'none', audit: true }, { tier: 'netpolc' }, 0.2);
  check({ log: 'allowed', audit: true }, {}, 0.2);
});
