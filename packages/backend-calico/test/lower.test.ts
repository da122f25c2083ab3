// Translation details the property tests do not pin down by themselves: rule shapes, limits of
// the Calico CRDs (nets, ports, selector length), tiers, order and names.
import { canonicalSelector, cidrBounds, normalize, parseCidr, subtract, toCidrStrings, unionAll, type Diagnostic, type Program, type Requirement, type SelectorOperator, type SourceRef } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, numRuns, pod } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/lower.js';
import { lowerLabelSelector, lowerSelectorParts } from '../src/lower-selector.js';
import type { CalicoNetworkPolicy, CalicoObject } from '../src/model.js';
import { parseOptions } from '../src/options.js';
import { printSelector, type Selector } from '../src/selector.js';
import { selectorMatches } from './support/calico-evaluator.js';
import { upstreamMismatches } from './support/harness.js';

function lower(program: Program, raw: Record<string, string | boolean> = {}): readonly CalicoObject[] {
  const r = lowerProgram(program, parseOptions(raw).options);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.objects;
}

function policies(objects: readonly CalicoObject[]): CalicoNetworkPolicy[] {
  return objects.filter((o): o is CalicoNetworkPolicy => o.kind === 'NetworkPolicy');
}

const base = [namespace('x'), pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n' })];

it('gives each peer its own rule so an except never reaches another peer', () => {
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] })]).program;
  const rules = policies(lower(program))[0]!.spec.ingress!;
  expect(rules.map((r) => [r.protocol, r.source?.nets, r.source?.notNets, r.source?.selector && printSelector(r.source.selector)])).toEqual([
    ['TCP', ['10.0.0.0/8'], ['10.1.0.0/16'], undefined],
    ['UDP', ['10.0.0.0/8'], ['10.1.0.0/16'], undefined],
    ['TCP', undefined, undefined, "projectcalico.org/orchestrator == 'k8s' && app == 'b'"],
    ['UDP', undefined, undefined, "projectcalico.org/orchestrator == 'k8s' && app == 'b'"],
  ]);
});

it('merges numeric ports into ranges, keeps names, and lets a protocol-only entry cover the protocol', () => {
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 81 }, { port: 80 }, { port: 82, endPort: 90 }, { port: 'http' }, { port: 'http' }, { protocol: 'UDP', port: 5 }, { protocol: 'UDP' }] }] })]).program;
  const rules = policies(lower(program))[0]!.spec.ingress!;
  expect(rules).toEqual([
    { action: 'Allow', protocol: 'TCP', destination: { ports: [{ kind: 'range', from: 80, to: 90 }, { kind: 'named', name: 'http' }] } },
    { action: 'Allow', protocol: 'UDP' },
  ]);
});

it('splits more than 50 ports of one protocol over several rules', () => {
  const ports = Array.from({ length: 120 }, (_, i) => ({ port: 1000 + i * 2 }));
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ ports }] })]).program;
  const rules = policies(lower(program))[0]!.spec.ingress!;
  expect(rules.map((r) => r.destination?.ports?.length)).toEqual([50, 50, 20]);
});

it('lists the remaining addresses when an ipBlock has more excepts than notNets can hold (exactly)', () => {
  const except = Array.from({ length: 300 }, (_, i) => `10.${Math.floor(i / 200)}.${i % 200}.0/24`);
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except } }] }] })]).program;
  const rules = policies(lower(program))[0]!.spec.egress!;
  expect(rules.every((r) => r.destination!.notNets === undefined && r.destination!.nets!.length <= 256)).toBe(true);
  const emitted = unionAll(rules.map((r) => normalize(r.destination!.nets!.map((c) => cidrBounds(parseCidr(c)!)))));
  const block = normalize([cidrBounds(parseCidr('10.0.0.0/8')!)]);
  const removed = normalize(except.map((c) => cidrBounds(parseCidr(c)!)));
  expect(toCidrStrings(emitted, 4)).toEqual(toCidrStrings(subtract(block, removed), 4));
  expect(toCidrStrings(emitted, 4)).not.toContain('10.0.0.0/24');
});

it('lets ipBlocks without excepts share rules, at most 256 nets of one family each, where the first stood; an except keeps its own rule', () => {
  const v4 = Array.from({ length: 600 }, (_, i) => ({ ipBlock: { cidr: `203.0.${i >> 8}.${i & 255}/32` } }));
  const v6 = [{ ipBlock: { cidr: '2001:db8::/64' } }, { ipBlock: { cidr: '2001:db8:1::/64' } }];
  const from = [{ podSelector: { matchLabels: { app: 'b' } } }, v4[0], ...v6, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, ...v4, { ipBlock: { cidr: '192.0.2.0/24' } }];
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from }] })]).program;
  const rules = policies(lower(program))[0]!.spec.ingress!;
  expect(rules.map((r) => [r.source?.selector ? 'selector' : r.source?.nets?.length, r.source?.notNets?.length])).toEqual([
    ['selector', undefined],
    [256, undefined],
    [256, undefined],
    [89, undefined],
    [2, undefined],
    [1, 1],
  ]);
  // Each address written once; the v4 pool holds the 600 /32s (the first twice in the policy) and the /24.
  const pooled = rules.slice(1, 4).flatMap((r) => r.source!.nets!);
  expect(new Set(pooled).size).toBe(601);
  expect(pooled).toContain('192.0.2.0/24');
  expect(rules[4]!.source!.nets).toEqual(['2001:db8::/64', '2001:db8:1::/64']);
});

it('leaves out of a shared rule the nets inside another of its nets, keeping the order of the rest', () => {
  // Written as the policy has them before: 10.1.0.0/16 and 10.1.2.3/32 sat beside 10.0.0.0/8.
  const from = ['10.1.0.0/16', '192.0.2.0/24', '10.0.0.0/8', '10.1.2.3/32', '192.0.2.128/25', '198.51.100.0/24', '2001:db8::/32', '2001:db8:1::/48'].map((cidr) => ({ ipBlock: { cidr } }));
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from }] })]).program;
  const rules = policies(lower(program))[0]!.spec.ingress!;
  expect(rules.map((r) => r.source?.nets)).toEqual([['192.0.2.0/24', '10.0.0.0/8', '198.51.100.0/24'], ['2001:db8::/32']]);
  expect(upstreamMismatches(program, {}, [['TCP', 80]])).toEqual([]);
});

it('splits a peer selector whose In is too long for one rule over rules whose OR is exact, pod and namespace selectors paired', () => {
  const apps = Array.from({ length: 150 }, (_, i) => `value-${i}`);
  const teams = Array.from({ length: 100 }, (_, i) => `team-number-${i}`);
  const program = loadValid([
    ...base,
    namespace('y', { team: 'team-number-99' }),
    namespace('z', { team: 'other' }),
    ...['y', 'z'].flatMap((ns, n) => ['value-0', 'value-149', 'value-x'].map((app, i) => pod(ns, `p${i}`, { app }, `198.18.${n + 1}.${i + 1}`, { node: 'n' }))),
    networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: apps }] }, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: teams }] } }] }] }),
  ]).program;
  const rules = policies(lower(program))[0]!.spec.ingress!;
  expect(rules.length).toBeGreaterThan(2);
  for (const r of rules) {
    expect(printSelector(r.source!.selector!).length).toBeLessThanOrEqual(1024);
    expect(printSelector(r.source!.namespaceSelector!).length).toBeLessThanOrEqual(1024);
  }
  // Every value written, every pairing of a pod part with a namespace part present once.
  const inValues = (s: Selector): string[] => (s.kind === 'in' ? [...s.values] : s.kind === 'eq' ? [s.value] : s.kind === 'and' ? s.operands.flatMap(inValues) : []);
  const podParts = new Set(rules.map((r) => printSelector(r.source!.selector!)));
  const nsParts = new Set(rules.map((r) => printSelector(r.source!.namespaceSelector!)));
  expect(rules.length).toBe(podParts.size * nsParts.size);
  expect(rules.flatMap((r) => inValues(r.source!.selector!)).filter((v) => v !== 'k8s').sort()).toEqual(Array(nsParts.size).fill(apps).flat().sort());
  expect(upstreamMismatches(program, {}, [['TCP', 80]])).toEqual([]);
});

const origin: SourceRef = { kind: 'ref', file: 'policy.yaml', doc: 0, path: [] };

// Kubernetes' reading of a requirement (apimachinery labels.Requirement.Matches), as the oracle.
function kubernetesMatches(requirements: readonly Requirement[], labels: ReadonlyMap<string, string>): boolean {
  return requirements.every((r) => {
    const v = labels.get(r.key);
    if (r.operator === 'Exists') return v !== undefined;
    if (r.operator === 'DoesNotExist') return v === undefined;
    if (r.operator === 'In') return v !== undefined && r.values.includes(v);
    return v === undefined || !r.values.includes(v);
  });
}

it('splits a peer selector into parts of at most 1024 characters whose OR selects exactly its pods, or refuses it (property)', () => {
  const value = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 55 })).map(([i, pad]) => `v${i}-${'x'.repeat(pad)}`);
  const requirement = fc.record({
    key: fc.constantFrom('app', 'tier', 'team'),
    operator: fc.constantFrom<SelectorOperator>('In', 'In', 'In', 'NotIn', 'Exists', 'DoesNotExist'),
    values: fc.array(value, { minLength: 1, maxLength: 70 }),
  }).map((r): Requirement => (r.operator === 'Exists' || r.operator === 'DoesNotExist' ? { ...r, values: [] } : r));
  const labels = (picked: readonly string[]) => fc.array(fc.tuple(fc.constantFrom('app', 'tier', 'team', 'other'), fc.oneof(fc.constantFrom(...picked), value)), { maxLength: 4 }).map((l) => new Map(l));
  let split = 0;
  fc.assert(
    fc.property(
      fc.array(requirement, { minLength: 1, maxLength: 3 }).chain((reqs) => fc.tuple(fc.constant(reqs), fc.array(labels(['x', ...reqs.flatMap((r) => r.values)]), { minLength: 1, maxLength: 20 }))),
      ([reqs, pods]) => {
        const selector = canonicalSelector(reqs);
        const diagnostics: Diagnostic[] = [];
        const parts = lowerSelectorParts(selector, origin, 'pod selector', diagnostics);
        // The longest piece a split can leave: each In down to its longest value. When that fits
        // and only one In has several values, halving it must succeed (at most 70 pieces).
        const longest = canonicalSelector(selector.requirements.map((r) => (r.operator === 'In' ? { ...r, values: [r.values.reduce((a, b) => (a.length >= b.length ? a : b))] } : r)));
        const piecesFit = lowerLabelSelector(longest, origin, 'pod selector', []) !== undefined;
        const oneIn = selector.requirements.filter((r) => r.operator === 'In' && r.values.length > 1).length <= 1;
        if (!parts) {
          expect(diagnostics.map((d) => d.code)).toEqual(['backend-calico/selector-too-long']);
          expect(piecesFit && oneIn).toBe(false);
          return;
        }
        if (parts.length > 1) split++;
        for (const p of parts) expect(printSelector(p).length).toBeLessThanOrEqual(1024);
        // Besides the random pods, one per value of each In, meeting the other requirements where it can.
        const meeting = new Map<string, string>();
        for (const r of selector.requirements) {
          if (r.operator === 'In' || r.operator === 'Exists') meeting.set(r.key, meeting.get(r.key) ?? r.values[0] ?? 'x');
          else if (r.operator === 'NotIn' && !meeting.has(r.key)) meeting.set(r.key, 'x');
        }
        const each = selector.requirements.flatMap((r) => (r.operator === 'In' ? r.values.map((v) => new Map([...meeting, [r.key, v]])) : []));
        for (const l of [...pods, meeting, ...each]) expect(parts.some((p) => selectorMatches(p, l))).toBe(kubernetesMatches(selector.requirements, l));
      },
    ),
    // Random requirements split in most seeds but not all (none in one CI run of 300): this
    // example, one In of 60 values of 40 characters, always does.
    { numRuns: numRuns(200), examples: [[[[{ key: 'app', operator: 'In', values: Array.from({ length: 60 }, (_, i) => `v${i}-${'x'.repeat(36)}`) }], [new Map([['app' as const, 'v7-' + 'x'.repeat(36)]])]]]] },
  );
  expect(split).toBeGreaterThan(0);
});

it('still refuses a peer selector that no split of its In values makes short enough', () => {
  // A `not in` of 20 values of 60 characters is 1280 characters alone, and ANDs cannot be split.
  const values = Array.from({ length: 20 }, (_, i) => `${'v'.repeat(57)}-${String(i).padStart(2, '0')}`);
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }, { key: 'tier', operator: 'NotIn', values }] } }] }] })]).program;
  const r = lowerProgram(program, parseOptions({}).options);
  expect(r.diagnostics.map((d) => d.code)).toEqual(['backend-calico/selector-too-long']);
  expect(policies(r.objects)[0]!.spec.ingress).toBeUndefined();
});

it('writes types explicitly, in the tier, order and names asked for', () => {
  const program = loadValid([...base, networkPolicy('x', 'egress-only', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })]).program;
  const [tier, ...rest] = lower(program, { tier: 'team-a', 'tier-order': '42', order: '7.5', 'name-prefix': 'k8s-' });
  expect(tier).toMatchObject({ kind: 'Tier', metadata: { name: 'team-a' }, spec: { order: 42, defaultAction: 'Pass' } });
  const [translated, isolation] = policies(rest);
  expect(translated!.metadata.name).toBe('team-a.k8s-egress-only');
  expect(translated!.spec).toMatchObject({ tier: 'team-a', order: 7.5, types: ['Egress'] });
  expect(isolation!.metadata.name).toBe('team-a.k8s-netpolc-isolate-egress');
  expect(isolation!.spec.order).toBeUndefined();
  expect(isolation!.spec.egress).toEqual([{ action: 'Deny' }]);
});

it('emits no Tier object for built-in tiers, and isolates explicitly in the Pass tiers', () => {
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {} })]).program;
  const admin = lower(program, { tier: 'kube-admin' });
  expect(admin.map((o) => o.kind)).toEqual(['NetworkPolicy', 'NetworkPolicy']);
  expect(policies(admin).map((p) => [p.metadata.name, p.spec.ingress])).toEqual([
    ['kube-admin.netpolc-isolate-ingress', [{ action: 'Deny' }]],
    ['kube-admin.p', undefined],
  ]);
  expect(lower(program).map((o) => o.metadata.name)).toEqual(['p']);
  // The same tiers under their names before the ClusterNetworkPolicy rename: built in too.
  for (const tier of ['adminnetworkpolicy', 'baselineadminnetworkpolicy']) {
    const old = lower(program, { tier });
    expect(old.map((o) => o.kind)).toEqual(['NetworkPolicy', 'NetworkPolicy']);
    expect(policies(old).map((p) => [p.metadata.name, p.spec.tier, p.spec.ingress])).toEqual([
      [`${tier}.netpolc-isolate-ingress`, tier, [{ action: 'Deny' }]],
      [`${tier}.p`, tier, undefined],
    ]);
  }
});

it('isolates exactly the selected pods: one OR selector per namespace and direction, split when longer than 1024 characters', () => {
  const many = Array.from({ length: 40 }, (_, i) => networkPolicy('x', `p${i}`, { podSelector: { matchLabels: { [`app.example.com/component-${i}`]: `value-number-${i}` } } }));
  const program = loadValid([...base, ...many, networkPolicy('x', 'netpolc-isolate-ingress', { podSelector: { matchLabels: { app: 'z' } } })]).program;
  const isolation = policies(lower(program, { log: 'denied' })).filter((p) => p.spec.ingress?.[0]?.action === 'Log');
  expect(isolation.length).toBeGreaterThan(1);
  expect(isolation.every((p) => printSelector(p.spec.selector).length <= 1024)).toBe(true);
  // The name of a translated policy is never taken.
  expect(isolation.map((p) => p.metadata.name)).toEqual(isolation.map((_, i) => `netpolc-isolate-ingress-${i + 2}`));
  const subjects = isolation.flatMap((p) => (p.spec.selector.kind === 'or' ? p.spec.selector.operands : [p.spec.selector]));
  expect(subjects.length).toBe(41);
});

it('selects every pod with all() when one isolating policy selects all of them', () => {
  const program = loadValid([...base, networkPolicy('x', 'a', { podSelector: { matchLabels: { app: 'a' } } }), networkPolicy('x', 'b', { podSelector: {} })]).program;
  const isolation = policies(lower(program, { log: 'all' })).filter((p) => p.metadata.name.startsWith('netpolc-isolate'));
  expect(isolation.map((p) => [p.metadata.name, printSelector(p.spec.selector)])).toEqual([['netpolc-isolate-ingress', 'all()']]);
});
