// Independent second reading of the Cilium backend: the printed CiliumNetworkPolicy YAML is
// interpreted by test/support/independent/cilium.ts (written from upstream Cilium sources only)
// and compared with the reference evaluate() on every probe.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterArb, fixedSeed, loadValid, numRuns, policiesArb, portPool } from '@netpolc/ir/testing';
import { e2eModel, e2ePolicies, podIp, optionSets } from './support/independent/scenarios.js';
import { evaluateCilium, parseCnp } from './support/independent/cilium.js';
import { keptInIdentity, podIdentity } from './support/independent/identities.js';
import { ciliumCluster, modelFor, runScenario, verdictProblems } from './support/independent/compare.js';
import { ownExternal, ownScenarioArb } from './support/independent/own-arbitraries.js';

const stats = { scenarios: 0, upstream: 0, random: 0, own: 0 };
afterAll(() => {
  console.log(`independent cilium: connections compared: upstream-style ${stats.upstream}, random ${stats.random}, own generator ${stats.own}`);
});

describe('upstream-style scenarios', () => {
  for (const [optName, raw] of Object.entries(optionSets)) {
    for (const [name, policies] of Object.entries(e2ePolicies)) {
      it(`${name} [${optName}]`, () => {
        const r = runScenario({ manifests: [...e2eModel(), ...policies], raw });
        expect(r.compared).toBeGreaterThan(100);
        stats.upstream += r.compared;
        expect(verdictProblems(r)).toBeUndefined();
      });
    }
  }
});

const randomExternal = ['203.0.113.5', '198.18.0.200', '198.18.1.77', '8.8.8.8', '2001:db8::99', '2001:db8:1::1', '2001:db8::c'];

describe('random scenarios (@netpolc/ir/testing arbitraries)', () => {
  for (const [optName, raw] of Object.entries(optionSets)) {
    it(`clusterArb x policiesArb [${optName}]`, () => {
      let compared = 0;
      fc.assert(
        fc.property(clusterArb({ maxPods: 5 }), policiesArb(4), fc.boolean(), (cluster, policies, icmpEssentials) => {
          const load = { semantics: { allowIcmpEssentials: icmpEssentials } };
          const r = runScenario({ manifests: [...cluster.manifests, ...policies], raw, external: randomExternal, ports: [...portPool], load });
          compared += r.compared;
          const problem = verdictProblems(r);
          if (problem) throw new Error(problem);
        }),
        { numRuns: numRuns(25), ...(fixedSeed() !== undefined ? { seed: fixedSeed()! } : {}) },
      );
      stats.random += compared;
    });
  }
});

describe('random scenarios (own generator: filtered label keys, pod-sized ipBlocks, ranges, clashing named ports)', () => {
  for (const [optName, raw] of Object.entries(optionSets)) {
    it(`ownScenarioArb [${optName}]`, () => {
      let compared = 0;
      fc.assert(
        fc.property(ownScenarioArb(), (sc) => {
          const r = runScenario({ manifests: sc.manifests, raw, external: ownExternal, ports: [1, 80, 81, 300] });
          compared += r.compared;
          const problem = verdictProblems(r);
          if (problem) throw new Error(problem);
        }),
        { numRuns: numRuns(25), ...(fixedSeed() !== undefined ? { seed: fixedSeed()! } : {}) },
      );
      stats.own += compared;
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The interpreter itself, pinned on hand-written CNPs (so that agreement above means something).

describe('independent interpreter: Cilium rules on hand-written policies', () => {
  const { program } = loadValid(e2eModel());
  const o = modelFor({});
  const cluster = ciliumCluster(program, o);
  const cnp = (spec: Record<string, unknown>, ns = 'x') => parseCnp({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 't', namespace: ns }, spec }, o);
  const xa = podIp('x', 'a');
  const yb = podIp('y', 'b');

  it('identity labels: namespace labels prefixed, pod-template-hash and kubernetes.io keys dropped, app.kubernetes.io kept (pkg/labelsfilter)', () => {
    const id = podIdentity({ pod: 'a', 'pod-template-hash': 'h', 'app.kubernetes.io/name': 'n', 'kubernetes.io/x': 'v', 'io.cilium.k8s.policy.cluster': 'evil' }, 'x', { ns: 'x', 'kubernetes.io/metadata.name': 'x' }, 'c1');
    const keys = id.map((l) => `${l.key}=${l.value}`).sort();
    expect(keys).toEqual(['app.kubernetes.io/name=n', 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=x', 'io.cilium.k8s.namespace.labels.ns=x', 'io.cilium.k8s.policy.cluster=c1', 'io.cilium.k8s.policy.serviceaccount=default', 'io.kubernetes.pod.namespace=x', 'pod=a']);
    expect(keptInIdentity('statefulset.kubernetes.io/pod-name')).toBe(false);
    expect(keptInIdentity('example.beta.kubernetes.io/arch')).toBe(false);
  });

  it('a peer selector without the namespace key is scoped to the policy namespace', () => {
    const rules = cnp({ endpointSelector: { matchLabels: { 'k8s:pod': 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:pod': 'b' } }] }] });
    expect(evaluateCilium(rules, cluster, podIp('x', 'b'), xa, 'TCP', 80).allowed).toBe(true);
    expect(evaluateCilium(rules, cluster, yb, xa, 'TCP', 80).allowed).toBe(false);
  });

  it('a NotIn selector on a namespace label alone matches the world too (no namespace injection in newer releases)', () => {
    const rules = cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.ns', operator: 'NotIn', values: ['y'] }] }] }] });
    expect(evaluateCilium(rules, cluster, '203.0.113.5', xa, 'TCP', 80).allowed).toBe(true);
    expect(evaluateCilium(rules, cluster, yb, xa, 'TCP', 80).allowed).toBe(false);
    const old = parseCnp({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 't', namespace: 'x' }, spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.ns', operator: 'NotIn', values: ['y'] }] }] }] } }, { ...o, nsLabelsSkipInjection: false });
    expect(evaluateCilium(old, cluster, podIp('z', 'a'), xa, 'TCP', 80).allowed).toBe(false);
  });

  it('CIDR rules match the world only, never pods or nodes', () => {
    const rules = cnp({ endpointSelector: {}, ingress: [{ fromCIDRSet: [{ cidr: '198.18.0.0/15', except: ['198.18.1.77/32'] }] }] });
    expect(evaluateCilium(rules, cluster, yb, xa, 'TCP', 80).allowed).toBe(false);
    expect(evaluateCilium(rules, cluster, '198.18.0.200', xa, 'TCP', 80).allowed).toBe(true);
    expect(evaluateCilium(rules, cluster, '198.18.1.77', xa, 'TCP', 80).allowed).toBe(false);
    expect(evaluateCilium(rules, cluster, '198.19.0.2', xa, 'TCP', 80).allowed).toBe(false);
  });

  it('an empty rule {} allows nothing but enables default deny; entities all/host/remote-node/world', () => {
    expect(evaluateCilium(cnp({ endpointSelector: {}, ingress: [{}] }), cluster, yb, xa, 'TCP', 80).allowed).toBe(false);
    expect(evaluateCilium(cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] }), cluster, '8.8.8.8', xa, 'TCP', 80).allowed).toBe(true);
    expect(evaluateCilium(cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['remote-node'] }] }), cluster, '198.19.0.2', xa, 'TCP', 80).allowed).toBe(true);
    expect(evaluateCilium(cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['world'] }] }), cluster, '198.19.0.2', xa, 'TCP', 80).allowed).toBe(false);
    // allow-localhost: x/a runs on node-1.
    expect(evaluateCilium(cnp({ endpointSelector: {}, ingress: [{}] }), cluster, '198.19.0.1', xa, 'TCP', 80).allowed).toBe(true);
    expect(evaluateCilium(cnp({ endpointSelector: {}, egress: [{}] }), cluster, xa, '198.19.0.1', 'TCP', 80).allowed).toBe(false);
  });

  it('ports: "0" is every port, endPort from 1.16, named ports on the subject for ingress', () => {
    const r = cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }, { port: '80', endPort: 81, protocol: 'TCP' }, { port: 'serve-81-sctp', protocol: 'SCTP' }] }] }] });
    expect(evaluateCilium(r, cluster, yb, xa, 'UDP', 12345).allowed).toBe(true);
    expect(evaluateCilium(r, cluster, yb, xa, 'TCP', 81).allowed).toBe(true);
    expect(evaluateCilium(r, cluster, yb, xa, 'SCTP', 81).allowed).toBe(true);
    expect(evaluateCilium(r, cluster, yb, xa, 'SCTP', 80).allowed).toBe(false);
    const old = parseCnp({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 't', namespace: 'x' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '80', endPort: 81, protocol: 'TCP' }] }] }] } }, { ...o, version: [1, 15] });
    expect(evaluateCilium(old, ciliumCluster(program, { ...o, version: [1, 15] }), yb, xa, 'TCP', 81).allowed).toBe(false);
  });

  it('rejects what Cilium rejects: two L3 members in one rule, more than 40 ports', () => {
    expect(() => cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'], fromCIDR: ['1.2.3.4/32'] }] })).toThrow(/Combining/);
    expect(() => cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: Array.from({ length: 41 }, (_, i) => ({ port: String(i + 1), protocol: 'TCP' })) }] }] })).toThrow(/too many ports/);
  });
});
