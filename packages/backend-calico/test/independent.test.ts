// Independent second reading of the calico backend: its printed YAML, evaluated by an interpreter
// written from upstream Calico sources (test/support/independent/), against the reference
// evaluate() of @netpolc/ir. See test/support/independent/evaluator.ts for the Calico rules and
// their upstream citations.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterArb, connectionArb, policiesArb, propertyParams } from '@netpolc/ir/testing';
import type { Connection } from '@netpolc/ir';
import { namespace, networkPolicy as np, pod, type Manifest } from '@netpolc/ir/testing';
import type { ModelOptions } from './support/independent/scenarios.js';
import { edgeScenarioArb } from './support/independent/arbitraries.js';
import { parseAllDocuments } from 'yaml';
import { allConnections, allModes, buildCluster, compile, load, referenceOf, runProgram, trapObjects, type Mode } from './support/independent/compare.js';
import { handScenarios, model } from './support/independent/scenarios.js';

const sel = (labels: Record<string, string>): Record<string, unknown> => ({ matchLabels: labels });
let totalCompared = 0;
let totalScenarios = 0;
afterAll(() => {
  console.log(`independent calico: ${totalScenarios} scenarios, ${totalCompared} connection×mode comparisons`);
});

/** Runs every mode on a program; returns the first problems. */
function checkAllModes(program: NonNullable<ReturnType<typeof load>>, conns: readonly Connection[], modes: readonly Mode[] = allModes, extra = trapObjects): string[] {
  totalScenarios++;
  const refs = referenceOf(program, conns);
  const cluster = buildCluster(program, extra);
  const problems: string[] = [];
  for (const mode of modes) {
    const r = runProgram(program, mode, conns, refs, cluster);
    totalCompared += r.compared;
    problems.push(...r.problems.slice(0, 3));
  }
  return problems;
}

describe('hand-written upstream-style scenarios', () => {
  for (const s of handScenarios) {
    it(s.name, () => {
      const program = load([...model(s.model), ...s.policies]);
      expect(program, 'scenario loads').toBeDefined();
      expect(checkAllModes(program!, allConnections(program!))).toEqual([]);
    });
  }
});

// Label changes: the output is compiled against one inventory and evaluated on another (the same
// policies). The README promises a selector-preserving translation: subjects and peers stay label
// selectors, and named ports are resolved by Calico at run time, so every verdict must still equal
// the reference on the NEW inventory, in every mode.
describe('label changes between compile and evaluation (selector-preserving)', () => {
  const policies = [
    np('x', 'a-from-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }], ports: [{ port: 'serve-80-tcp' }] }] }),
    np('x', 'a-from-ns-y', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['c'] }] } }] }] }),
    np('z', 'egress-to-x', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['x'] }] } }] }] }),
    np('y', 'isolate-role-db', { podSelector: sel({ role: 'db' }), policyTypes: ['Ingress'] }),
  ];
  const base = model();
  const cases: [string, ModelOptions, Manifest[]][] = [
    ['pod relabelled (x/b pod=b → pod=c)', { podLabels: { 'x/b': { pod: 'c' } } }, []],
    ['pod relabelled into a subject (x/c pod=c → pod=a)', { podLabels: { 'x/c': { pod: 'a' } } }, []],
    ['pod gains a label that isolates it (y/b role=db)', { podLabels: { 'y/b': { pod: 'b', role: 'db' } } }, []],
    ['namespace relabelled (y ns=y → ns=q, x ns=x → ns=y)', { nsLabels: { y: { ns: 'q' }, x: { ns: 'y' } } }, []],
    ['pod added after compile', {}, [pod('x', 'd', { pod: 'b' }, '198.18.0.40', { node: 'node-2', ports: [['serve-80-tcp', 8080, 'TCP']] }), pod('w', 'e', { pod: 'a' }, '198.18.3.10', { node: 'node-1' }), namespace('w', { ns: 'y' })]],
  ];
  for (const [name, opts, extra] of cases) {
    it(name, () => {
      const before = load([...base, ...policies])!;
      const after = load([...model(opts), ...extra, ...policies])!;
      expect(after).toBeDefined();
      const conns = allConnections(after);
      const refs = referenceOf(after, conns);
      const cluster = buildCluster(after, trapObjects);
      const problems: string[] = [];
      totalScenarios++;
      for (const mode of allModes) {
        const r = runProgram(after, mode, conns, refs, cluster, before);
        totalCompared += r.compared;
        problems.push(...r.problems.slice(0, 3));
      }
      expect(problems).toEqual([]);
    });
  }
});

describe('random scenarios', () => {
  it('clusterArb × policiesArb: every mode agrees with evaluate() on sampled connections (ICMP echo and icmp-essentials among them)', () => {
    fc.assert(
      fc.property(
        clusterArb().chain((c) => fc.tuple(fc.constant(c), policiesArb(6), fc.array(connectionArb(c, { icmp: true }), { minLength: 40, maxLength: 40 }), fc.boolean())),
        ([c, policies, conns, icmpEssentials]) => {
          const program = load([...c.manifests, ...policies], { semantics: { allowIcmpEssentials: icmpEssentials } });
          if (!program) return;
          expect(checkAllModes(program, conns)).toEqual([]);
        },
      ),
      propertyParams(40),
    );
  });
});

describe('random scenarios of our own (edge shapes)', () => {
  it('edgeScenarioArb: every mode agrees with evaluate() (fails closed where errors are reported)', () => {
    fc.assert(
      fc.property(edgeScenarioArb(), ({ manifests, conns }) => {
        const program = load(manifests);
        if (!program) return;
        expect(checkAllModes(program, conns)).toEqual([]);
      }),
      propertyParams(40),
    );
  });
});

// A pod selector too long for Calico (an In of 62 values, most of 40 characters) is written as several
// policies with the same rules: each mode must still agree with the reference, pods a and b (the
// first and last value) in different parts, and a policy already named p-2 keeps its name.
describe('a pod selector over 1024 characters, split over policies', () => {
  const values = ['a', ...Array.from({ length: 60 }, (_, i) => `aa-${String(i).padStart(2, '0')}-${'x'.repeat(34)}`), 'b'];
  const policies = [
    np('x', 'p', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values }] }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: sel({ pod: 'c' }) }], ports: [{ port: 80 }] }], egress: [{ to: [{ namespaceSelector: sel({ ns: 'y' }) }] }] }),
    np('x', 'p-2', { podSelector: sel({ pod: 'c' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'z' }) }] }] }),
  ];
  it('every mode agrees with evaluate(); parts are named around the taken p-2', () => {
    const program = load([...model(), ...policies])!;
    expect(program).toBeDefined();
    expect(checkAllModes(program, allConnections(program))).toEqual([]);
    const c = compile(program, {});
    expect(c.diagnostics.map((d) => d.code)).toEqual(['backend-calico/policy-split']);
    const objs = parseAllDocuments(c.text).map((d) => d.toJS() as Record<string, any>).filter((o) => o?.['kind'] === 'NetworkPolicy' && o['metadata'].namespace === 'x');
    const names = objs.map((o) => o['metadata'].name as string);
    // 62 values of up to 43 characters print in about 2 900: halved twice, four parts.
    expect(names.filter((n) => n.startsWith('p'))).toEqual(['p', 'p-2', 'p-3', 'p-4', 'p-5']);
    const parts = ['p', 'p-3', 'p-4', 'p-5'];
    const selectorOf = (n: string) => objs.find((o) => o['metadata'].name === n)!['spec'].selector as string;
    for (const n of parts) expect(selectorOf(n).length).toBeLessThanOrEqual(1024);
    expect(selectorOf('p-2')).toBe("pod == 'c'");
    const partOf = (v: string) => parts.filter((n) => matchSel(parseSel(selectorOf(n)), { pod: v }));
    expect([partOf('a'), partOf('b'), partOf('aa-30-' + 'x'.repeat(34))]).toEqual([['p'], ['p-5'], ['p-4']]);
  });
});

// Diagnosed inputs: the output must never allow more than the reference (fail closed), and the
// diagnostic must name the reason.
describe('errors fail closed', () => {
  function initPod(ns: string, name: string, ip: string, sidecar: boolean): Manifest {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { pod: 'i' } },
      spec: { nodeName: 'node-2', initContainers: [{ name: 'init', image: 'i', ...(sidecar ? { restartPolicy: 'Always' } : {}), ports: [{ name: 'serve-80-tcp', containerPort: 8080, protocol: 'TCP' }] }], containers: [{ name: 'main', image: 'm' }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
    };
  }
  function failClosed(objects: Manifest[], code: string): string[] {
    const program = load([...model(), ...objects])!;
    const conns = allConnections(program);
    const refs = referenceOf(program, conns);
    const cluster = buildCluster(program, trapObjects);
    const problems: string[] = [];
    for (const mode of allModes) {
      const r = runProgram(program, mode, conns, refs, cluster);
      if (!r.compiled.errors.some((d) => d.code === code)) problems.push(`[${mode}] no ${code} error (got ${r.compiled.diagnostics.map((d) => d.code).join(',')})`);
      problems.push(...r.problems.slice(0, 2));
    }
    return problems;
  }
  // Calico resolves named ports on init containers too (libcalico-go workload_endpoint_default.go,
  // projectcalico/calico#8885), Kubernetes not (kubernetes/kubernetes#127958).
  it('init-container named port: peer left out', () => {
    expect(failClosed([initPod('x', 'init', '198.18.0.50', false), np('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })], 'backend-calico/init-container-named-port')).toEqual([]);
  });
  // felix labelindex: an endpoint's own labels win over inherited pcns.* profile labels.
  it('pod carrying a pcns.* label: namespace peer left out', () => {
    expect(failClosed([pod('x', 'shadow', { pod: 'd', 'pcns.ns': 'y' }, '198.18.0.52', { node: 'node-1' }), np('z', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] })], 'backend-calico/namespace-label-shadowed')).toEqual([]);
  });
  // conversion.go NamespaceToProfile gives every namespace pcns.projectcalico.org/name.
  it('namespace selector on projectcalico.org/name: peer left out', () => {
    expect(failClosed([np('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'projectcalico.org/name', operator: 'DoesNotExist' }] } }] }] })], 'backend-calico/reserved-namespace-label')).toEqual([]);
  });
  it('Calico-owned key in a peer selector: peer left out', () => {
    expect(failClosed([np('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'projectcalico.org/orchestrator', operator: 'Exists' }] } }] }] })], 'backend-calico/calico-owned-label')).toEqual([]);
  });
  // Each ipBlock has an except, so each needs a rule of its own (except-free ones share rules).
  it('more than 1024 rules: rules cut, never widened', () => {
    const from = Array.from({ length: 1100 }, (_, i) => ({ ipBlock: { cidr: `10.${Math.floor(i / 256)}.${i % 256}.0/24`, except: [`10.${Math.floor(i / 256)}.${i % 256}.0/25`] } }));
    expect(failClosed([np('x', 'many', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from }] })], 'backend-calico/too-many-rules')).toEqual([]);
  });
  // Found by this audit (the tests held it.fails before): a policy whose subject cannot be
  // written (a Calico-owned key, a selector over 1024 characters) or whose name does not fit in
  // 253 characters was dropped whole, isolation policies included, leaving its pods open. The CLI
  // writes nothing when there are errors, so only API users of emit().files could see it.
  it('policy subject with a Calico-owned key: its pods must stay isolated', () => {
    expect(failClosed([np('x', 'p', { podSelector: { matchExpressions: [{ key: 'projectcalico.org/namespace', operator: 'DoesNotExist' }] }, policyTypes: ['Ingress'] })], 'backend-calico/calico-owned-label')).toEqual([]);
  });
  it('policy subject selector over 1024 characters: its pods must stay isolated', () => {
    const values = Array.from({ length: 120 }, (_, i) => `value-${i}-xxxxxxxx`);
    expect(failClosed([np('x', 'p', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values }] }, ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] })], 'backend-calico/selector-too-long')).toEqual([]);
  });
  it('policy name too long for Calico: its pods must stay isolated', () => {
    expect(failClosed([np('x', 'n'.repeat(250), { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] })], 'backend-calico/name-too-long')).toEqual([]);
  });
});

// README claims about the objects themselves, read from the text.
describe('emitted objects', () => {
  it('every object is labelled managed-by netpolc; an own tier has defaultAction Pass and --tier-order; tiered names are <tier>.<label>', () => {
    const program = load([...model(), ...handScenarios.flatMap((s) => s.policies).filter((p, i, all) => all.findIndex((q) => (q as any).metadata.namespace === (p as any).metadata.namespace && (q as any).metadata.name === (p as any).metadata.name) === i)])!;
    for (const raw of [{}, { tier: 'mytier', 'tier-order': '42', log: 'all' }, { audit: true }]) {
      const c = compile(program, raw);
      expect(c.errors).toEqual([]);
      const objs = parseAllDocuments(c.text).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        expect(o['metadata'].labels?.['app.kubernetes.io/managed-by']).toBe('netpolc');
        if (o['kind'] === 'Tier') expect(o['spec']).toEqual({ defaultAction: 'Pass', order: 42 });
        else if ('tier' in raw) expect(o['metadata'].name).toMatch(/^mytier\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        else expect(o['metadata'].name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }
      // Tier objects come first in the stream, so kubectl apply creates the tier before its policies.
      const firstPolicy = objs.findIndex((o) => o['kind'] === 'NetworkPolicy');
      expect(objs.slice(firstPolicy).every((o) => o['kind'] === 'NetworkPolicy')).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The interpreter itself, pinned on hand-written Calico objects (so that agreement above means
// something: each rule below would make a wrong translation visible).
import { CalicoEvaluator, readCalicoYaml } from './support/independent/evaluator.js';
import { matchSel, parseSel } from './support/independent/selector.js';

function calicoVerdict(yamlText: string, src: string, dst: string, protocol = 'TCP', port = 80) {
  const program = load(model())!;
  const ev = new CalicoEvaluator(readCalicoYaml(yamlText), buildCluster(program, trapObjects));
  return ev.evaluate({ src: { ip: src, workload: ev.workloadOf(src) }, dst: { ip: dst, workload: ev.workloadOf(dst) }, protocol, port });
}
const xa = '198.18.0.10';
const xb = '198.18.0.11';
const ya = '198.18.1.10';
const zaV6 = '2001:db8:1::10';
const zbV6 = '2001:db8:1::11';
const node1 = '198.19.0.1';
const node2 = '198.19.0.2';
const pol = (name: string, spec: string, ns = 'x'): string => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}\n---\n`;

describe('independent Calico interpreter', () => {
  it('selector grammar: precedence, negation, quoting, sets, has', () => {
    const l = { a: '1', b: "it's", c: 'x"y' };
    expect(matchSel(parseSel(''), {})).toBe(true);
    expect(matchSel(parseSel("a == '1' || a == '2' && b == 'no'"), l)).toBe(true); // && binds tighter
    expect(matchSel(parseSel("(a == '1' || a == '2') && b == 'no'"), l)).toBe(false);
    expect(matchSel(parseSel('b == "it\'s"'), l)).toBe(true);
    expect(matchSel(parseSel("c == 'x\"y'"), l)).toBe(true);
    expect(matchSel(parseSel("!!has(a) && !has(z) && z != 'q' && z not in {'q'} && a in {'0', '1'}"), l)).toBe(true);
    expect(matchSel(parseSel("z in {'q'}"), l)).toBe(false);
    expect(matchSel(parseSel("a not in {}"), l)).toBe(true);
    expect(matchSel(parseSel('global()'), l)).toBe(true);
    expect(() => parseSel("a = '1'")).toThrow();
    expect(() => parseSel("a == 1")).toThrow();
  });

  it('no policy: the namespace profile allows; a policy in the default tier isolates (tier default Deny)', () => {
    expect(calicoVerdict('', ya, xa).allowed).toBe(true);
    const v = calicoVerdict(pol('p', "  selector: pod == 'a'\n  types: [Ingress]"), ya, xa);
    expect(v.ingress).toMatchObject({ allowed: false, reason: 'tier-default' });
    expect(calicoVerdict(pol('p', "  selector: pod == 'a'\n  types: [Ingress]"), ya, xb).allowed).toBe(true);
  });

  it('types default: Ingress only without egress rules', () => {
    const v = calicoVerdict(pol('p', "  selector: pod == 'a'"), xa, ya);
    expect(v.egress.reason).toBe('profile');
    expect(calicoVerdict(pol('p', "  selector: pod == 'a'"), ya, xa).ingress.allowed).toBe(false);
  });

  it('Log is non-terminal; order runs before no order; Pass skips to the next tier', () => {
    const y = pol('b-allow', "  selector: all()\n  types: [Ingress]\n  ingress: [{action: Allow}]") + pol('a-log', "  selector: all()\n  order: 5\n  types: [Ingress]\n  ingress: [{action: Log}, {action: Deny}]");
    expect(calicoVerdict(y, ya, xa).ingress).toMatchObject({ allowed: false, logs: [{ policy: 'x/a-log' }] });
    const y2 = pol('b-allow', "  selector: all()\n  order: 1\n  types: [Ingress]\n  ingress: [{action: Allow}]") + pol('a-log', "  selector: all()\n  types: [Ingress]\n  ingress: [{action: Log}, {action: Deny}]");
    expect(calicoVerdict(y2, ya, xa).ingress).toMatchObject({ allowed: true, logs: [] });
    const tier = 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec: {order: 10, defaultAction: Pass}\n---\n';
    const y3 = tier + pol('t.p', "  tier: t\n  selector: all()\n  types: [Ingress]\n  ingress: [{action: Log}]");
    // the tier passes (defaultAction Pass), no later tier applies: the profile allows.
    expect(calicoVerdict(y3, ya, xa).ingress).toMatchObject({ allowed: true, reason: 'profile', logs: [{ policy: 'x/t.p' }] });
    const y4 = y3 + pol('d', "  selector: all()\n  types: [Ingress]\n  ingress: [{action: Allow, source: {nets: ['203.0.113.0/24']}}]");
    expect(calicoVerdict(y4, ya, xa).ingress).toMatchObject({ allowed: false, reason: 'tier-default' });
  });

  it('a rule selector without namespaceSelector is scoped to the policy namespace; namespaceSelector uses pcns.', () => {
    const y = pol('p', "  selector: pod == 'a'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {selector: pod == 'b'}}]");
    expect(calicoVerdict(y, xb, xa).allowed).toBe(true);
    expect(calicoVerdict(y, '198.18.1.11', xa).allowed).toBe(false);
    const y2 = pol('p', "  selector: pod == 'a'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {namespaceSelector: ns == 'y'}}]");
    expect(calicoVerdict(y2, ya, xa).allowed).toBe(true);
    expect(calicoVerdict(y2, xb, xa).allowed).toBe(false);
    // Negative namespace selector alone also picks host endpoints (no pcns.ns label).
    const y3 = pol('p', "  selector: pod == 'a'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {namespaceSelector: ns != 'y'}}]");
    expect(calicoVerdict(y3, node2, xa).allowed).toBe(true);
  });

  it('selectors pick host endpoints and (global) network sets by their labels', () => {
    // pod == 'a' in ns x also matches the GlobalNetworkSet? No: scoped to namespace x, and the
    // global set has no projectcalico.org/namespace. But the namespaced set ns-outside in x is labelled pod: b.
    const y = pol('p', "  selector: pod == 'a'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {selector: pod == 'b'}}]");
    expect(calicoVerdict(y, '203.0.113.5', xa).allowed).toBe(true);
    // namespaceSelector all() + selector pod == 'a' picks the namespaced set of y (labelled pod: a).
    const y2 = pol('p', "  selector: pod == 'b'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {namespaceSelector: all(), selector: pod == 'a'}}]");
    expect(calicoVerdict(y2, '198.18.0.200', xb).allowed).toBe(true);
    // A global policy-like selector (namespaceSelector global()) picks the podlike GlobalNetworkSet and host endpoint of node-1.
    const y3 = pol('p', "  selector: pod == 'b'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {namespaceSelector: global(), selector: pod == 'a'}}]");
    expect(calicoVerdict(y3, node1, '198.18.1.11').allowed).toBe(true);
    expect(calicoVerdict(y3, '198.18.2.12', xb).allowed).toBe(true);
  });

  it('named ports: resolved on the destination endpoint under the rule protocol; without selector on host endpoints too', () => {
    const y = pol('p', "  selector: pod == 'a'\n  types: [Ingress]\n  ingress: [{action: Allow, protocol: UDP, destination: {ports: [serve-81-udp]}}]");
    expect(calicoVerdict(y, ya, xa, 'UDP', 81).allowed).toBe(true);
    expect(calicoVerdict(y, ya, xa, 'TCP', 81).allowed).toBe(false);
    expect(calicoVerdict(y, ya, xa, 'UDP', 80).allowed).toBe(false);
    const e = pol('p', "  selector: pod == 'a'\n  types: [Egress]\n  egress: [{action: Allow, protocol: TCP, destination: {ports: [serve-80-tcp]}}]");
    expect(calicoVerdict(e, xa, node1, 'TCP', 80).allowed).toBe(true); // host endpoint declares serve-80-tcp
    expect(calicoVerdict(e, xa, '203.0.113.5', 'TCP', 80).allowed).toBe(false);
  });

  it('nets are filtered per family; notNets of the other family are dropped', () => {
    const y = pol('p', "  selector: all()\n  types: [Egress]\n  egress: [{action: Allow, destination: {nets: ['0.0.0.0/0']}}]", 'z');
    expect(calicoVerdict(y, zaV6, zbV6).egress.allowed).toBe(false);
    const y2 = pol('p', "  selector: all()\n  types: [Egress]\n  egress: [{action: Allow, destination: {notNets: ['0.0.0.0/0']}}]", 'z');
    expect(calicoVerdict(y2, zaV6, zbV6).egress.allowed).toBe(true);
    expect(calicoVerdict(y2, '198.18.2.10', '198.18.2.11').egress.allowed).toBe(false);
  });

  it('host to a local workload is not policed; a remote host is; a pod reaches itself', () => {
    const y = pol('p', "  selector: all()\n  types: [Ingress, Egress]");
    expect(calicoVerdict(y, node1, xa).allowed).toBe(true);
    expect(calicoVerdict(y, node2, xa).allowed).toBe(false);
    expect(calicoVerdict(y, xa, xa).allowed).toBe(true);
  });
});
