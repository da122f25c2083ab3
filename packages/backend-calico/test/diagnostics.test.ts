// Every diagnostic code is documented and triggered (located where there is a location), and
// options are validated into diagnostics rather than trusted.
import { cidrBounds, hasErrors, normalize, parseCidr, subtract, toCidrStrings, type Diagnostic, type Program, type RawOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, pod } from '@netpolc/ir/testing';
import { afterAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { calicoBackend, printObjects } from '../src/index.js';
import { calicoCatalog } from '../src/diagnostics.js';
import { lowerProgram } from '../src/lower.js';
import type { CalicoNetworkPolicy } from '../src/model.js';
import { defaultOptions, parseOptions } from '../src/options.js';
import { calicoVerdicts } from './support/harness.js';

const seen = new Set<string>();

function options(raw: RawOptions): readonly Diagnostic[] {
  const d = parseOptions(raw).diagnostics;
  d.forEach((x) => seen.add(x.code));
  return d;
}

function emitted(program: Program, raw: RawOptions = {}): readonly Diagnostic[] {
  const d = lowerProgram(program, parseOptions(raw).options).diagnostics;
  d.forEach((x) => seen.add(x.code));
  return d;
}

const base = [namespace('x'), pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n' })];

it('documents every code', () => {
  for (const [code, entry] of Object.entries(calicoCatalog)) {
    expect(code.startsWith('backend-calico/')).toBe(true);
    expect(entry.docs.length).toBeGreaterThan(20);
  }
});

it('validates flags and falls back to the defaults', () => {
  const bad = options({ log: 'everything', order: 'high', tier: 'Team_A', 'name-prefix': '-x', 'tier-order': 'NaN' });
  expect(bad.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(Array(5).fill('backend-calico/invalid-option'));
  expect(parseOptions({ log: 'everything', tier: 'Team_A' }).options).toMatchObject({ log: defaultOptions.log, tier: 'default' });
  expect(parseOptions({ log: 'all', audit: true, report: true, order: '-2.5', tier: 'team-a', 'out-dir': '-' }).options).toEqual({ ...defaultOptions, log: 'all', audit: true, report: true, order: -2.5, tier: 'team-a', stdout: true });
  expect(options({ tier: 'default', 'tier-order': '5' }).map((d) => d.code)).toEqual(['backend-calico/ignored-option']);
  expect(options({ tier: 'kube-baseline' }).map((d) => [d.code, d.severity])).toEqual([['backend-calico/reserved-tier', 'warning']]);
  // Felix sorts tiers by order: at or after the default tier's 1,000,000 the default tier decides first.
  expect(options({ tier: 'nt', 'tier-order': '2000000' }).map((d) => [d.code, d.severity])).toEqual([['backend-calico/tier-after-default', 'warning']]);
  expect(options({ tier: 'nt', 'tier-order': '1000000' }).map((d) => d.code)).toEqual(['backend-calico/tier-after-default']);
  expect(options({ tier: 'nt', 'tier-order': '999999' })).toEqual([]);
  expect(options({ tier: 'adminnetworkpolicy', 'tier-order': '5' }).map((d) => [d.code, d.severity])).toEqual([['backend-calico/ignored-option', 'warning'], ['backend-calico/reserved-tier', 'warning']]);
  // A dot in the prefix would be a second dot in the name; ossg. names are OpenStack's.
  expect(options({ 'name-prefix': 'k8s.' }).map((d) => d.code)).toEqual(['backend-calico/invalid-option']);
  expect(options({ tier: 'ossg' }).map((d) => d.code)).toEqual(['backend-calico/invalid-option']);
  expect(options({ 'name-prefix': 'k8s-', tier: 'knp' })).toEqual([]);
  expect(calicoBackend.flags['log']?.type).toBe('string');
});

it('refuses a semantics profile narrower than Calico enforces', () => {
  const manifests = [...base, networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })];
  // Named as the --semantics flag names them.
  for (const [knob, flag] of [['ipBlockMatchesPods', 'ipblock-matches-pods'], ['ipBlockMatchesNodes', 'ipblock-matches-nodes'], ['allowNodeLocalIngress', 'node-local-ingress'], ['allowSelf', 'allow-self']] as const) {
    const d = emitted(loadValid(manifests, { semantics: { [knob]: false } }).program);
    expect(d.map((x) => [x.code, x.message.includes(`--semantics ${flag}=false`)])).toEqual([['backend-calico/unsupported-semantics', true]]);
  }
  expect(emitted(loadValid(manifests).program)).toEqual([]);
});

it('refuses, at the selector, pod selector keys whose value Calico sets itself, and warns about other projectcalico.org/ keys', () => {
  // Old code: only warnings, and the selectors written: `pcns.team == 'a'` also selects every pod
  // of a namespace labelled team=a, and the peer on projectcalico.org/namespace tests Calico's value.
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: { matchLabels: { 'pcns.team': 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'pcns.ok': 'a' } }, podSelector: { matchLabels: { 'projectcalico.org/namespace': 'x' } } }] }] })]).program;
  // The subject's error is located at spec.podSelector (it was at the object's start), and its
  // rules are still lowered, so that the peer's error shows in the same run (it was hidden).
  const found = emitted(program);
  expect(found.map((x) => [x.code, x.severity, x.target.kind])).toEqual([
    ['backend-calico/calico-owned-label', 'error', 'ref'],
    ['backend-calico/calico-owned-label', 'error', 'ref'],
  ]);
  const fromSpec = (p: readonly (string | number)[]): (string | number)[] => p.slice(p.indexOf('spec'), p.indexOf('spec') + 3);
  expect(found.map((x) => fromSpec(x.target.kind === 'ref' ? x.target.path : []))).toEqual([
    ['spec', 'podSelector'],
    ['spec', 'ingress', 0],
  ]);
  expect(found.map((x) => x.message.includes('pcns.team'))).toEqual([true, false]);
  for (const key of ['projectcalico.org/namespace', 'projectcalico.org/orchestrator', 'projectcalico.org/serviceaccount', 'pcsa.role']) {
    const peer = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key, operator: 'DoesNotExist' }] } }] }] })]).program;
    expect(emitted(peer).map((x) => x.code)).toEqual(['backend-calico/calico-owned-label']);
    // Fail closed: the peer is left out.
    const [policy] = lowerProgram(peer, defaultOptions).objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policy?.kind === 'NetworkPolicy' && (policy.spec.ingress ?? [])).toEqual([]);
  }
  const other = loadValid([...base, networkPolicy('x', 'p', { podSelector: { matchLabels: { 'projectcalico.org/tenant': 'a' } } })]).program;
  expect(emitted(other).map((x) => [x.code, x.severity])).toEqual([['backend-calico/reserved-label-prefix', 'warning']]);
});

it('refuses, at the selector, a namespaceSelector on projectcalico.org/name: Calico gives every namespace that label, Kubernetes none', () => {
  const manifests = [...base, namespace('y'), pod('y', 'b', { app: 'b' }, '198.18.1.10', { node: 'n' })];
  const byName = { namespaceSelector: { matchLabels: { 'projectcalico.org/name': 'y' } } };
  const program = loadValid([...manifests, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [byName, { podSelector: { matchLabels: { app: 'b' } } }] }] })]).program;
  expect(emitted(program).map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/reserved-namespace-label', 'error', 'ref']]);
  // Fail closed: the peer is left out (Calico would let y/b in, Kubernetes does not); the other peer stays.
  const [policy] = lowerProgram(program, defaultOptions).objects.filter((o) => o.kind === 'NetworkPolicy');
  expect(policy?.kind === 'NetworkPolicy' && policy.spec.ingress?.map((r) => r.source?.namespaceSelector)).toEqual([undefined]);
  const conn = { src: { kind: 'pod', namespace: 'y', name: 'b' }, dst: { kind: 'pod', namespace: 'x', name: 'a' }, protocol: 'TCP', port: 80 } as const;
  expect(calicoVerdicts(program, lowerProgram(program, defaultOptions).objects)(conn)?.allowed).toBe(false);
  // Other projectcalico.org/ namespace keys are copied from the namespace as they are (pcns.<key>): no diagnostic.
  const other = loadValid([...manifests, networkPolicy('x', 'q', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'projectcalico.org/tenant': 'y' } } }] }] })]).program;
  expect(emitted(other)).toEqual([]);
});

it("refuses a namespaceSelector on a key that a pod shadows with its own pcns.<key> label, as Calico lets the pod's label win", () => {
  // Old code: only a line in the report; `pcns.team == 'a'` admitted y/b, whose namespace is team=b.
  const manifests = [...base, namespace('y', { team: 'b' }), pod('y', 'b', { app: 'b', 'pcns.team': 'a' }, '198.18.1.10', { node: 'n' })];
  const fromTeamA = { namespaceSelector: { matchLabels: { team: 'a' } } };
  const program = loadValid([...manifests, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [fromTeamA, { podSelector: { matchLabels: { app: 'a' } } }] }] })]).program;
  expect(emitted(program).map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/namespace-label-shadowed', 'error', 'ref']]);
  const [policy] = lowerProgram(program, defaultOptions).objects.filter((o) => o.kind === 'NetworkPolicy');
  expect(policy?.kind === 'NetworkPolicy' && policy.spec.ingress?.map((r) => r.source?.namespaceSelector)).toEqual([undefined]);
  const conn = { src: { kind: 'pod', namespace: 'y', name: 'b' }, dst: { kind: 'pod', namespace: 'x', name: 'a' }, protocol: 'TCP', port: 80 } as const;
  expect(calicoVerdicts(program, lowerProgram(program, defaultOptions).objects)(conn)?.allowed).toBe(false);
  // A key no pod shadows is written as before.
  const other = loadValid([...manifests, networkPolicy('x', 'q', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'a' } } }] }] })]).program;
  expect(emitted(other)).toEqual([]);
});

it('leaves out, at the port entry, a named port some pod declares on an init container that is no sidecar, as Calico would resolve it there', () => {
  // Old code: `port: metrics` was written as the name, and Calico opened 9100 on x/exporter, which
  // its main container serves unnamed and Kubernetes leaves closed.
  const exporter = pod('x', 'exporter', { app: 'exporter' }, '198.18.0.11', { node: 'n', ports: [['', 9100, 'TCP']] });
  const spec = exporter['spec'] as Record<string, unknown>;
  spec['initContainers'] = [{ name: 'wait', image: 'i', ports: [{ name: 'metrics', containerPort: 9100 }] }];
  const program = (extra: readonly Record<string, unknown>[]): Program =>
    loadValid([...base, exporter, networkPolicy('x', 'scrape', { podSelector: {}, ingress: [{ ports: [{ port: 'metrics' }, ...extra] }] })]).program;
  const conn = (port: number) => ({ src: { kind: 'pod', namespace: 'x', name: 'a' }, dst: { kind: 'pod', namespace: 'x', name: 'exporter' }, protocol: 'TCP', port }) as const;
  const only = program([]);
  expect(emitted(only).map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/init-container-named-port', 'error', 'ref']]);
  // The rule had no other port: it is dropped, never widened to every port.
  expect(calicoVerdicts(only, lowerProgram(only, defaultOptions).objects)(conn(9100))?.allowed).toBe(false);
  expect(calicoVerdicts(only, lowerProgram(only, defaultOptions).objects)(conn(80))?.allowed).toBe(false);
  const withNumber = program([{ port: 80 }]);
  const verdict = calicoVerdicts(withNumber, lowerProgram(withNumber, defaultOptions).objects);
  expect([verdict(conn(9100))?.allowed, verdict(conn(80))?.allowed]).toEqual([false, true]);
});

it('reports selectors longer than Calico accepts, at the policy; a pod selector split over policies is an info', () => {
  const values = Array.from({ length: 90 }, (_, i) => `value-${String(i).padStart(6, '0')}`);
  const notIn = loadValid([...base, networkPolicy('x', 'p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values }] } })]).program;
  expect(emitted(notIn).map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/selector-too-long', 'error', 'ref']]);
  const inValues = loadValid([...base, networkPolicy('x', 'p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values }] } })]).program;
  const d = emitted(inValues);
  expect(d.map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/policy-split', 'info', 'ref']]);
  expect(d[0]!.message).toBe('policy p is emitted as 2 Calico policies, p to p-2: its pod selector is longer than the 1024 characters Calico accepts');
  // The migration report names it, as infos show only with --verbose.
  const report = calicoBackend.emit({ program: inValues } as Parameters<typeof calicoBackend.emit>[0], parseOptions({ report: true, 'out-dir': '-' }).options).report!.split('\n');
  expect(report.filter((l) => l.includes('1024'))).toEqual(["  1 of them with a pod selector over Calico's 1024 characters, each written as several policies with the same rules: x/p (2)"]);
  expect(lowerProgram(notIn, defaultOptions).splits).toEqual([]);
});

it('reports names Calico cannot store in 253 characters (default-tier names as default.<name>) and policies with more than 1024 rules', () => {
  // 'long-policy-name' has 16 characters: 229 + 16 = 245, stored as default.<245> = 253.
  const program = loadValid([...base, networkPolicy('x', 'long-policy-name', { podSelector: {} })]).program;
  expect(emitted(program, { 'name-prefix': 'p'.repeat(229) })).toEqual([]);
  expect(emitted(program, { 'name-prefix': 'p'.repeat(230) }).map((x) => [x.code, x.target.kind])).toEqual([['backend-calico/name-too-long', 'ref']]);
  // In tier t the policy is stored as t.<246>: it fits, its isolation policy t.<230>netpolc-isolate-ingress does
  // not, and that is an error too (without a location).
  expect(emitted(program, { 'name-prefix': 'p'.repeat(230), tier: 't' }).map((x) => [x.code, x.target.kind])).toEqual([['backend-calico/name-too-long', 'none']]);
  // A dotted Kubernetes name is renamed, with a warning at the policy.
  const dotted = loadValid([...base, networkPolicy('x', 'allow.dns', { podSelector: {} })]).program;
  expect(emitted(dotted).map((x) => [x.code, x.severity, x.target.kind, x.message])).toEqual([
    ['backend-calico/renamed-policy', 'warning', 'ref', 'policy allow.dns is emitted as allow-dns: a Calico policy name holds no dot but the one after its tier'],
  ]);
  const huge = loadValid([...base, networkPolicy('x', 'huge', { podSelector: {}, ingress: Array.from({ length: 520 }, (_, i) => ({ ports: [{ port: i + 1 }] })) })]).program;
  expect(emitted(huge)).toEqual([]);
  expect(emitted(huge, { log: 'allowed' }).map((x) => [x.code, x.target.kind])).toEqual([['backend-calico/too-many-rules', 'ref']]);
});

it('reports a policy etcd cannot store (over 1.5 MiB as JSON) as an error, one client-side apply cannot as a warning', () => {
  // 0.0.0.0/0 except scattered /32s: over 256 excepts (notNets' limit) become the remaining CIDRs.
  const excepts = (n: number) => Array.from({ length: n }, (_, i) => `${1 + (i % 200)}.${(i * 7) % 256}.${Math.floor(i / 200)}.${1 + (i % 250)}/32`);
  const policy = (n: number) => loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: excepts(n) } }] }] })]).program;
  // Sizes measured on the printed objects, independently of the backend's own count.
  const size = (n: number) => Math.max(...parseAllDocuments(printObjects(lowerProgram(policy(n), defaultOptions).objects)).map((d) => JSON.stringify(d.toJS()).length));
  expect(emitted(policy(600))).toEqual([]);
  expect(size(600)).toBeLessThan(262_144);
  expect(emitted(policy(1200)).map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/object-needs-server-side-apply', 'warning', 'ref']]);
  expect(size(1200)).toBeGreaterThan(262_144);
  expect(emitted(policy(5000)).map((x) => [x.code, x.severity, x.target.kind])).toEqual([['backend-calico/object-too-large', 'error', 'ref']]);
  expect(size(5000)).toBeGreaterThan(1_572_864);
});

it('reports label keys and values that Calico selectors cannot write (input that skipped validation)', () => {
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {} })]).program;
  const broken = (key: string, value: string): Program => ({
    ...program,
    policies: program.policies.map((p) => ({ ...p, subject: { requirements: [{ key, operator: 'In', values: [value] }] } })),
  });
  expect(emitted(broken('app name', 'x')).map((x) => x.code)).toEqual(['backend-calico/invalid-label-key']);
  expect(emitted(broken('app', `it's "x"`)).map((x) => x.code)).toEqual(['backend-calico/unquotable-value']);
  // The policy cannot be written and the run fails; the model stays fail closed: it isolates its
  // whole namespace and allows nothing.
  expect(hasErrors(emitted(broken('app name', 'x')))).toBe(true);
  const objects = lowerProgram(broken('app name', 'x'), defaultOptions).objects;
  expect(objects.map((o) => (o.kind === 'NetworkPolicy' ? [o.spec.selector, o.spec.types, o.spec.ingress ?? []] : o.kind))).toEqual([[{ kind: 'all' }, ['Ingress'], []]]);
});

it('leaves the IPv4-mapped addresses out of the remaining IPv6 addresses, which Calico would read as IPv4, and warns', () => {
  // An audit: ::/0 with 300 excepts, one beside ::ffff:0:0/96, wrote ::ffff:0:0/96 among IPv6 nets,
  // which Go's To4 makes IPv4 (the validator refuses the rule; alone it would be 0.0.0.0/0).
  const except = ['::fffe:ffff:ffff/128', ...Array.from({ length: 299 }, (_, i) => `2::${(i + 1).toString(16)}/128`)];
  const program = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0', except } }] }] })]).program;
  const r = lowerProgram(program, parseOptions({}).options);
  expect(emitted(program).map((d) => [d.code, d.severity, d.target.kind])).toEqual([['backend-calico/mapped-range-left-out', 'warning', 'ref']]);
  const policy = r.objects.find((o): o is CalicoNetworkPolicy => o.kind === 'NetworkPolicy')!;
  const nets = policy.spec.egress!.flatMap((rule) => rule.destination!.nets!);
  // Go's net.IPNet.Version is 4 when the network address is IPv4-mapped, which parseCidr refuses.
  expect(nets.filter((cidr) => parseCidr(cidr)?.family !== 6)).toEqual([]);
  const mapped = normalize([[0xffffn << 32n, (0xffffn << 32n) | 0xffffffffn] as const]);
  const expected = subtract(subtract(normalize([cidrBounds(parseCidr('::/0')!)]), normalize(except.map((c) => cidrBounds(parseCidr(c)!)))), mapped);
  expect(toCidrStrings(normalize(nets.map((c) => cidrBounds(parseCidr(c)!))), 6)).toEqual(toCidrStrings(expected, 6));
  // Away from the mapped range nothing is left out, and nothing is said.
  const away = loadValid([...base, networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32', except: except.slice(1).map((c) => c.replace('2::', '2001:db8::')) } }] }] })]).program;
  expect(emitted(away)).toEqual([]);
});

afterAll(() => {
  // Every code of the catalog was triggered by a test of this file.
  expect([...seen].sort()).toEqual(Object.keys(calicoCatalog).sort());
});
