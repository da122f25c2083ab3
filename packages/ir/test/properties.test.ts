import fc from 'fast-check';
import { expect, it } from 'vitest';
import { allowedResolved, evaluate, resolve, type Connection, type Program, type SemanticsOptions } from '../src/index.js';
import { clusterArb, connectionArb, loadValid, policiesArb, propertyParams, type Manifest } from '../src/testing/index.js';

const params = propertyParams(80);

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadValid(objects, { semantics }).program;
}

const scenario = clusterArb().chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    policies: policiesArb(),
    connections: fc.array(connectionArb(cluster, { icmp: true }), { minLength: 1, maxLength: 8 }),
    icmpEssentials: fc.boolean(),
  }),
);

function verdict(program: Program, c: Connection): boolean | undefined {
  const v = evaluate(program, c);
  return 'error' in v ? undefined : v.allowed;
}

it('allows everything when there is no policy', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, connections }) => {
      const program = load(cluster.manifests);
      const resolved = resolve(program);
      for (const c of connections) {
        const v = verdict(program, c);
        if (v === undefined) continue;
        expect(v).toBe(true);
        expect(allowedResolved(resolved, c)).toBe(true);
      }
    }),
    params,
  );
});

it('leaves a pod that no policy selects for a direction not isolated in it', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies }) => {
      const program = load([...cluster.manifests, ...policies]);
      const resolved = resolve(program);
      resolved.pods.forEach((pod, i) => {
        for (const direction of ['ingress', 'egress'] as const) {
          const selecting = program.policies.filter((p) => p.namespace === pod.namespace && p[direction] !== null && selectsPod(p.subject, pod.labels));
          expect(resolved[direction][i]!.isolated).toBe(selecting.length > 0);
        }
      });
    }),
    params,
  );
});

function selectsPod(selector: Program['policies'][number]['subject'], labels: Record<string, string>): boolean {
  return selector.requirements.every((r) => {
    const has = r.key in labels;
    if (r.operator === 'Exists') return has;
    if (r.operator === 'DoesNotExist') return !has;
    if (r.operator === 'In') return has && r.values.includes(labels[r.key]!);
    return !has || !r.values.includes(labels[r.key]!);
  });
}

it('the resolved layer agrees with the reference evaluator (pods and external IPs, v4 and v6)', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, connections, icmpEssentials }) => {
      const program = load([...cluster.manifests, ...policies], { allowIcmpEssentials: icmpEssentials });
      const resolved = resolve(program);
      for (const c of connections) {
        const v = verdict(program, c);
        expect(allowedResolved(resolved, c)).toBe(v);
        if (icmpEssentials && c.protocol === 'ICMP' && v !== undefined) expect(v).toBe(true);
      }
    }),
    params,
  );
});

/** Gives each policy its explicit, defaulted policyTypes, so adding rules cannot change isolation. */
function explicitTypes(policies: readonly Manifest[]): Manifest[] {
  return policies.map((p) => {
    const spec = { ...(p['spec'] as Record<string, unknown>) };
    const types = spec['policyTypes'] as string[] | undefined;
    if (!types || types.length === 0) {
      const egress = spec['egress'] as unknown[] | undefined;
      spec['policyTypes'] = egress && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
    return { ...p, spec };
  });
}

it('never removes an allowed connection when a rule is added to a policy', () => {
  const arb = scenario.chain((s) =>
    fc.record({
      s: fc.constant(s),
      target: fc.nat(),
      rule: fc.record({ from: fc.constantFrom([], [{ podSelector: {} }], [{ ipBlock: { cidr: '198.18.0.0/24' } }]), ports: fc.constantFrom([], [{ port: 80 }], [{ protocol: 'UDP' }]) }),
    }),
  );
  fc.assert(
    fc.property(arb, ({ s, target, rule }) => {
      fc.pre(s.policies.length > 0);
      const before = explicitTypes(s.policies);
      const after = before.map((p, i) => {
        if (i !== target % before.length) return p;
        const spec = { ...(p['spec'] as Record<string, unknown>) };
        const direction = (spec['policyTypes'] as string[]).includes('Ingress') ? 'ingress' : 'egress';
        const key = direction === 'ingress' ? 'from' : 'to';
        spec[direction] = [...((spec[direction] as unknown[]) ?? []), { [key]: rule.from, ports: rule.ports }];
        return { ...p, spec };
      });
      const p1 = load([...s.cluster.manifests, ...before]);
      const p2 = load([...s.cluster.manifests, ...after]);
      for (const c of s.connections) if (verdict(p1, c) === true) expect(verdict(p2, c)).toBe(true);
    }),
    params,
  );
});

function shuffleSpec(spec: Record<string, unknown>, rnd: () => number): Record<string, unknown> {
  const shuffle = <T>(list: readonly T[]): T[] => [...list].map((v) => [rnd(), v] as const).sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  const out = { ...spec };
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = spec[dir] as Record<string, unknown>[] | undefined;
    if (!rules) continue;
    out[dir] = shuffle(rules).map((r) => {
      const copy = { ...r };
      for (const k of ['from', 'to', 'ports']) if (Array.isArray(r[k])) copy[k] = shuffle(r[k] as unknown[]);
      return copy;
    });
  }
  return out;
}

function structure(program: Program): string {
  return JSON.stringify(program, (k, v) => (k === 'origin' || k === 'index' ? undefined : typeof v === 'bigint' ? v.toString() : v));
}

it('gives the same results whatever the order of objects, rules, peers and ports', () => {
  const arb = scenario.chain((s) => fc.record({ s: fc.constant(s), seedA: fc.integer(), perm: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }) }));
  fc.assert(
    fc.property(arb, ({ s, seedA, perm }) => {
      let state = seedA >>> 0 || 1;
      const rnd = (): number => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) / 2 ** 32;
      };
      const objects: Manifest[] = [...s.cluster.manifests, ...s.policies];
      const shuffled = objects
        .map((o, i) => [perm[i % perm.length]! + rnd(), o] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, o]) => (o['kind'] === 'NetworkPolicy' ? { ...o, spec: shuffleSpec(o['spec'] as Record<string, unknown>, rnd) } : o));
      const p1 = load(objects);
      const p2 = load(shuffled);
      expect(structure(p2.inventory as never)).toBe(structure(p1.inventory as never));
      for (const c of s.connections) expect(verdict(p2, c)).toBe(verdict(p1, c));
      const r1 = resolve(p1);
      const r2 = resolve(p2);
      expect(r2.peerSets.map((p) => p.hash).sort()).toEqual(r1.peerSets.map((p) => p.hash).sort());
      for (const c of s.connections) expect(allowedResolved(r2, c)).toBe(allowedResolved(r1, c));
    }),
    params,
  );
});
