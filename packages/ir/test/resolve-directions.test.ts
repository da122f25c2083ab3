// The resolved layer shares one direction object among pods selected by the same policies and
// grows a direction in place when one pod alone is on it. Many overlapping policies (lists past
// the 16 entries from which lists grow by push) check that no pod's lists change with another's:
// each pod's policies and tuples must be what a naive reading of the policies gives.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { resolve, type Direction } from '../src/index.js';
import { loadValid, namespace, networkPolicy, node, pod, propertyParams, type Manifest } from '../src/testing/index.js';

const keys = ['a', 'b', 'c'] as const;
const labelsArb = fc.record({ a: fc.constantFrom('1', '2'), b: fc.constantFrom('1', '2'), c: fc.constantFrom('1', '2') }, { requiredKeys: [] });
const ruleArb = fc.record({ peers: fc.array(labelsArb, { minLength: 0, maxLength: 3 }), port: fc.constantFrom(80, 443) });
const policyArb = fc.record({
  subject: labelsArb,
  ingress: fc.option(fc.array(ruleArb, { maxLength: 2 }), { nil: undefined }),
  egress: fc.option(fc.array(ruleArb, { maxLength: 2 }), { nil: undefined }),
  // Without either, policyTypes would be defaulted to Ingress: said outright instead.
}).map((p) => (p.ingress || p.egress ? p : { ...p, ingress: [] }));
type PolicySpec = typeof policyArb extends fc.Arbitrary<infer T> ? T : never;

const matches = (labels: Record<string, string>, selector: Record<string, string>): boolean => keys.every((k) => selector[k] === undefined || labels[k] === selector[k]);

function manifests(podLabels: Record<string, string>[], policies: PolicySpec[]): Manifest[] {
  const rules = (list: PolicySpec['ingress'], side: 'from' | 'to') =>
    (list ?? []).map((r) => ({ ...(r.peers.length > 0 ? { [side]: r.peers.map((l) => ({ podSelector: { matchLabels: l } })) } : {}), ports: [{ port: r.port }] }));
  return [
    node('n1', '198.19.0.1'),
    namespace('ns'),
    ...podLabels.map((l, i) => pod('ns', `p${i}`, l, `198.18.0.${i + 1}`, { node: 'n1' })),
    ...policies.map((p, i) =>
      networkPolicy('ns', `np${String(i).padStart(2, '0')}`, {
        podSelector: { matchLabels: p.subject },
        policyTypes: [...(p.ingress ? ['Ingress'] : []), ...(p.egress ? ['Egress'] : [])],
        ...(p.ingress ? { ingress: rules(p.ingress, 'from') } : {}),
        ...(p.egress ? { egress: rules(p.egress, 'to') } : {}),
      }),
    ),
  ];
}

it("gives each pod the policies and tuples of the policies selecting it, whatever other pods' lists do", () => {
  fc.assert(
    fc.property(fc.array(labelsArb, { minLength: 1, maxLength: 8 }), fc.array(policyArb, { minLength: 1, maxLength: 50 }), fc.boolean(), (podLabels, policies, partial) => {
      const { program } = loadValid(manifests(podLabels, policies));
      // Policy names sort as they were generated: program order is generation order.
      expect(program.policies.map((p) => p.name)).toEqual(policies.map((_, i) => `np${String(i).padStart(2, '0')}`));
      const r = resolve(program, partial ? { subjects: (p) => p.name !== 'p0' } : {});
      r.pods.forEach((p, at) => {
        const labels = podLabels[Number(p.name.slice(1))]!;
        for (const direction of ['ingress', 'egress'] as Direction[]) {
          const expectedPolicies: number[] = [];
          const expectedTuples: string[] = [];
          policies.forEach((spec, id) => {
            const rules = spec[direction];
            if (!rules || !matches(labels, spec.subject) || (partial && p.name === 'p0')) return;
            expectedPolicies.push(id);
            rules.forEach((rule, ri) => {
              if (rule.peers.length === 0) expectedTuples.push(`${id}/${ri}/-`);
              else rule.peers.forEach((_, pi) => expectedTuples.push(`${id}/${ri}/${pi}`));
            });
          });
          const d = r[direction][at]!;
          expect(d.isolated).toBe(expectedPolicies.length > 0);
          expect(d.policies).toEqual(expectedPolicies);
          expect(d.tuples.map((t) => `${t.provenance.policy}/${t.provenance.rule}/${t.provenance.peer ?? '-'}`)).toEqual(expectedTuples);
        }
      });
    }),
    propertyParams(100),
  );
});

it('keeps a direction that pods left unchanged when the one pod that moved on grows its lists', () => {
  // x and y share 20 tuples (lists grow by push from 16 on); a policy without tuples then moves x
  // alone, and another adds a tuple to x: y's lists must not see it.
  const both: PolicySpec = { subject: { a: '1' }, ingress: [{ peers: [{ b: '1' }, { b: '2' }], port: 80 }], egress: undefined };
  const policies: PolicySpec[] = [...Array.from({ length: 10 }, () => both), { subject: { c: '1' }, ingress: [], egress: undefined }, { subject: { c: '1' }, ingress: [{ peers: [], port: 443 }], egress: undefined }];
  const { program } = loadValid(manifests([{ a: '1', c: '1' }, { a: '1', c: '2' }], policies));
  const r = resolve(program);
  const [x, y] = [r.ingress[0]!, r.ingress[1]!];
  expect(r.pods.map((p) => p.name)).toEqual(['p0', 'p1']);
  expect(x.policies).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  expect(x.tuples).toHaveLength(21);
  expect(y.policies).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(y.tuples).toHaveLength(20);
});
