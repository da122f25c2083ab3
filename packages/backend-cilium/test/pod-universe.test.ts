import { normalize, parseIp, resolve, type IntervalSet, type Pod } from '@netpolc/ir';
import { loadValid, pod, propertyParams } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverage, type BlockSet } from '../src/coverage.js';
import { defaultCiliumVersion } from '../src/options.js';
import { PodUniverse } from '../src/pod-universe.js';
import { selectorMatches } from './support/cilium-eval.js';

// The universe finds the pods an ipBlock touches through an address index and selects a set of
// pods namespace by namespace from the set's own members. Both are held here to the plain
// readings: every pod scanned for coverage, and a selection that matches exactly the set (less
// the pods that share an identity with a pod outside it) under Cilium's selector semantics.

const v4Base = parseIp('198.18.0.0')!.value;
const v6Base = parseIp('2001:db8::')!.value;
const addressCount = 16;

interface PodSpec {
  readonly ns: string;
  readonly labels: Record<string, string>;
  readonly slots: readonly number[];
}

const labelsArb = fc.record({ app: fc.constantFrom('x', 'y'), tier: fc.constantFrom('1', '2') }, { requiredKeys: [] });

/** Pods with distinct addresses: slot k is 198.18.0.k below 16, else 2001:db8::(k - 16). */
const podsArb: fc.Arbitrary<PodSpec[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 2 * addressCount - 1 }), { minLength: 1, maxLength: 20 })
  .chain((slots) =>
    fc.array(fc.record({ ns: fc.constantFrom('a', 'b', 'c'), labels: labelsArb, take: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 10 }).map((specs) => {
      const out: PodSpec[] = [];
      let next = 0;
      for (const s of specs) {
        const mine = slots.slice(next, next + s.take);
        next += s.take;
        if (mine.length > 0) out.push({ ns: s.ns, labels: s.labels, slots: mine });
      }
      return out;
    }),
  );

const ipOf = (slot: number): string => (slot < addressCount ? `198.18.0.${slot}` : `2001:db8::${(slot - addressCount).toString(16)}`);

/** Intervals over the 16 addresses of a family (some reaching past them). */
function intervalsArb(base: bigint): fc.Arbitrary<IntervalSet<bigint>> {
  return fc
    .array(fc.tuple(fc.integer({ min: -2, max: addressCount + 2 }), fc.integer({ min: 0, max: 6 })), { maxLength: 4 })
    .map((list) => normalize(list.map(([from, length]) => [base + BigInt(from), base + BigInt(from + length)] as [bigint, bigint])));
}
const blockArb: fc.Arbitrary<BlockSet> = fc.record({ v4: intervalsArb(v4Base), v6: intervalsArb(v6Base) });

function universeOf(specs: readonly PodSpec[]): PodUniverse {
  const manifests = specs.map((s, i) => pod(s.ns, `p${i}`, s.labels, s.slots.map(ipOf)));
  const resolved = resolve(loadValid(manifests).program);
  return new PodUniverse(resolved.pods, (addresses) => resolved.podsIn(addresses), defaultCiliumVersion);
}

function ciliumLabels(p: Pod): { source: string; key: string; value: string }[] {
  return [{ source: 'k8s', key: 'io.kubernetes.pod.namespace', value: p.namespace }, ...Object.entries(p.labels).map(([key, value]) => ({ source: 'k8s', key, value }))];
}

describe('PodUniverse', () => {
  it('finds the pods an ipBlock covers fully and partly, as a scan of every pod does', () => {
    fc.assert(
      fc.property(podsArb, blockArb, (specs, set) => {
        const universe = universeOf(specs);
        const full: number[] = [];
        const partial: number[] = [];
        universe.pods.forEach((p, i) => {
          const c = coverage(set, p.addresses);
          if (c === 'full') full.push(i);
          else if (c === 'partial') partial.push(i);
        });
        const got = universe.coverage(set);
        expect([...got.full]).toEqual(full);
        expect(got.partial).toEqual(partial);
      }),
      propertyParams(300),
    );
  });

  it('selects exactly a set of pods, less those sharing an identity with a pod outside it', () => {
    fc.assert(
      fc.property(
        podsArb.chain((specs) => fc.tuple(fc.constant(specs), fc.subarray(specs.map((_, i) => i)))),
        ([specs, members]) => {
          const universe = universeOf(specs);
          // Resolved pods are in (namespace, name) order: map the generated indices by name.
          const index = new Map(universe.pods.map((p, i) => [p.name, i]));
          const set = new Set(members.map((m) => index.get(`p${m}`)!));
          const { selectors, clashes } = universe.select(set);
          const identity = (i: number): string => `${universe.pods[i]!.namespace} ${JSON.stringify(Object.entries(universe.pods[i]!.labels).sort())}`;
          for (const c of clashes) {
            expect(set.has(c.inside) && !set.has(c.outside)).toBe(true);
            expect(identity(c.inside)).toBe(identity(c.outside));
          }
          universe.pods.forEach((p, i) => {
            const inside = set.has(i) && !clashes.some((c) => c.inside === i);
            const clashing = set.has(i) && universe.pods.some((_, o) => !set.has(o) && identity(o) === identity(i));
            expect(clashes.some((c) => c.inside === i)).toBe(clashing);
            expect(selectors.some((s) => selectorMatches(s, ciliumLabels(p))), `${universe.id(i)}`).toBe(inside);
          });
        },
      ),
      propertyParams(300),
    );
  });
});
