// The fast reading of NetworkPolicies answers only for clean input, and then exactly as the
// checked reading (the oracle: every check and diagnostic of the API server's validation).
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadProgram } from '../src/index.js';
import { lowerPolicyChecked } from '../src/lower/policy.js';
import { canonicalSelector, matchLabelsKey, selectorKey, SelectorTable } from '../src/model/selector.js';
import { lowerPolicyFast } from '../src/lower/policy-fast.js';
import { propertyParams } from '../src/testing/index.js';
import { compareReadings, opt, some } from './support/fast-readings.js';

// Wrong values are rarer than in the pod test: a policy has many more fields, and clean ones
// must stay common enough to check the answers.
const likely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => some(arb, 30);
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 3): fc.Arbitrary<unknown> => opt(likely(fc.array(likely(arb), { maxLength })));

/** Mostly one of the valid values, now and then an invalid one. */
const pick = <T>(valid: T[], invalid: T[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 15, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });

const labelKey = pick(['app', 'tier', 'x.io/role'], ['bad key', '']);
const labelValue = pick(['web', 'db', '', 'a.b'], ['-bad']);
// Mostly an operator with values it takes; now and then any mix.
const expression = fc.oneof(
  { weight: 4, arbitrary: fc.record({ key: likely(labelKey), operator: fc.constantFrom('In', 'NotIn'), values: likely(fc.array(likely(labelValue), { minLength: 1, maxLength: 3 })) }) },
  { weight: 4, arbitrary: fc.record({ key: likely(labelKey), operator: fc.constantFrom('Exists', 'DoesNotExist'), values: fc.constantFrom(undefined, null, []) }, { requiredKeys: ['key', 'operator'] }) },
  {
    weight: 1,
    arbitrary: fc.record({ key: likely(labelKey), operator: likely(pick(['In', 'NotIn', 'Exists', 'DoesNotExist'], ['in'])), values: list(labelValue) }, { requiredKeys: [] }),
  },
);
/** Adds `key: value` to the generated objects now and then: an unknown field (an error). */
const sometimesWith = <T extends object>(arb: fc.Arbitrary<T>, key: string, value: unknown): fc.Arbitrary<T> =>
  fc.tuple(arb, fc.integer({ min: 0, max: 19 })).map(([o, roll]) => (roll === 0 ? { ...o, [key]: value } : o));

const selector = sometimesWith(
  fc.record({ matchLabels: opt(likely(fc.dictionary(labelKey, likely(labelValue), { maxKeys: 3 }))), matchExpressions: list(expression, 2) }, { requiredKeys: [] }),
  'matchlabels',
  {},
);
const ipBlock = fc.record(
  {
    cidr: likely(pick(['10.0.0.0/8', 'fd00::/64', '0.0.0.0/0', '10.1.2.3/32'], ['10.0.0.1/8', '10.0.0.0'])),
    except: list(pick(['10.1.0.0/16', '10.2.0.0/16', 'fd00::/96'], ['10.0.0.0/8', '11.0.0.0/16', '10.1.0.1/16']), 3),
  },
  { requiredKeys: ['cidr'] },
);
// Mostly one of the three valid shapes; now and then any mix of the fields (empty, ambiguous).
const peer = fc.oneof(
  { weight: 3, arbitrary: fc.record({ podSelector: likely(selector) }) },
  { weight: 3, arbitrary: fc.record({ namespaceSelector: likely(selector), podSelector: opt(likely(selector)) }, { requiredKeys: ['namespaceSelector'] }) },
  { weight: 3, arbitrary: fc.record({ ipBlock: likely(ipBlock) }) },
  { weight: 1, arbitrary: fc.record({ podSelector: opt(likely(selector)), namespaceSelector: opt(likely(selector)), ipBlock: opt(likely(ipBlock)) }, { requiredKeys: [] }) },
);
const port = fc.record(
  {
    protocol: opt(likely(pick(['TCP', 'UDP', 'SCTP'], ['tcp']))),
    port: opt(likely(pick<unknown>([80, 81, 1, 65535, 'http'], [0, 65536, 'HTTP', '80', 8.5]))),
    endPort: fc.option(likely(pick([81, 90, 65535], [79, 65536])), { nil: undefined, freq: 2 }),
  },
  { requiredKeys: [] },
);
// The other direction's peer key in a rule is an unknown field.
const rule = (peerKey: 'from' | 'to', other: 'from' | 'to') => sometimesWith(fc.record({ [peerKey]: list(peer), ports: list(port) }, { requiredKeys: [] }), other, []);
const policy = sometimesWith(fc.record(
  {
    apiVersion: fc.constant('networking.k8s.io/v1'),
    kind: fc.constant('NetworkPolicy'),
    metadata: likely(
      fc.record(
        {
          name: likely(pick(['p', 'allow-web', 'a.b'], ['Bad_Name'])),
          namespace: fc.option(likely(pick(['ns', 'other'], ['a.b'])), { nil: undefined, freq: 8 }),
          labels: opt(likely(fc.dictionary(labelKey, likely(labelValue), { maxKeys: 2 }))),
        },
        { requiredKeys: ['name', 'namespace'] },
      ),
    ),
    spec: likely(
      fc.record(
        {
          podSelector: fc.option(likely(selector), { nil: undefined, freq: 8 }),
          policyTypes: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(undefined, [], ['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress']) },
            { weight: 1, arbitrary: list(pick(['Ingress', 'Egress'], ['ingress']), 3) },
          ),
          ingress: list(rule('from', 'to')),
          egress: list(rule('to', 'from')),
        },
        { requiredKeys: ['podSelector'] },
      ),
    ),
    status: fc.option(fc.constant({}), { nil: undefined, freq: 4 }),
  },
  { requiredKeys: ['apiVersion', 'kind'] },
), 'extra', 1);

it('reads a clean NetworkPolicy exactly as the checked reading does, and leaves every other one to it', () => {
  // At least 3,000 runs (CI's default is fewer): clean policies are about one in ten.
  const params = propertyParams(3000);
  params.numRuns = Math.max(params.numRuns, 3000);
  const ref = { kind: 'ref', file: 't.json', doc: 1, path: ['items', 7] } as const;
  // One table for every run of the fast reading: selectors seen before are found by their key
  // (matchLabels only) and must be the ones the checked reading builds.
  const table = new SelectorTable();
  const { clean, fast } = compareReadings(
    policy,
    (value, diagnostics) => ({
      checked: lowerPolicyChecked({ diagnostics, defaultNamespace: 'default', selectors: new SelectorTable() }, { value, ref }),
      fast: lowerPolicyFast(value, ref, table),
    }),
    params,
  );
  // The fast reading is not a no-op: it answers for most clean policies.
  expect(fast).toBeGreaterThan(clean * 0.5);
  expect(clean).toBeGreaterThan(params.numRuns * 0.03);
});

it('shares one object per distinct selector among the policies of a load, in both readings', () => {
  const spec = { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }] }] };
  const policy = (name: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'ns' }, spec: { ...spec, ...extra } });
  // The second policy takes the checked reading (a repeated policy type: a warning), the third the fast one.
  const text = [policy('a'), policy('b', { policyTypes: ['Ingress', 'Ingress'] }), policy('c')].join('\n---\n');
  const { program } = loadProgram([{ path: 'p.yaml', content: text }]);
  const [a, b, c] = program.policies;
  for (const p of [b!, c!]) {
    expect(p.subject).toBe(a!.subject);
    const peer = p.ingress![0]!.peers !== 'any' ? p.ingress![0]!.peers[0]! : undefined;
    const first = a!.ingress![0]!.peers !== 'any' ? a!.ingress![0]!.peers[0]! : undefined;
    expect(peer?.kind === 'pods' && first?.kind === 'pods' && peer.pods === first.pods && peer.pods === a!.subject).toBe(true);
  }
});

it('keys a matchLabels selector as its canonical selector is keyed, so that it is found', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 5 }), (labels) => {
      const canonical = canonicalSelector(Object.entries(labels).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })));
      expect(matchLabelsKey(labels)).toBe(selectorKey(canonical));
    }),
  );
});
