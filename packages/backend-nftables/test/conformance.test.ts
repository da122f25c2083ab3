import fc from 'fast-check';
import { expect, it } from 'vitest';
import { evaluate, type Connection, type ConnectionProtocol, type Endpoint, type RawOptions } from '@netpolc/ir';
import { clusterArb, connectionArb, propertyParams, policiesArb, portPool, type GeneratedCluster } from '@netpolc/ir/testing';
import { clusterDecision } from './support/cluster.js';
import { compile, loadProgram } from './support/compile.js';
import { parseRuleset } from './support/parse.js';
import { validateTable } from './support/validate.js';

// fast-check prints the seed and the shrunk counterexample of a failure; NETPOLC_SEED replays it.
const params = propertyParams(60);
// CI runs 300 cases per property on a shared machine: allow well beyond the ~25 s they take.
const timeout = 240_000;

const flagsArb: fc.Arbitrary<RawOptions> = fc
  .record({
    'deny-action': fc.constantFrom('drop', 'reject'),
    log: fc.constantFrom(undefined, 'denied', 'allowed', 'all'),
    counters: fc.boolean(),
    // Only link-local traffic may change: no generated address is link-local, so no verdict does.
    'pod-interface': fc.constantFrom(undefined, ['cali*'], ['cali*', 'eth0']),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RawOptions);

// Besides random connections, every pair of endpoints (pod addresses and a few outside
// addresses, node addresses among them) on two random protocol/port combinations: a random
// connection rarely hits the one pair where two isolations meet on one node.
const outside = ['203.0.113.5', '198.18.0.200', '8.8.8.8', '198.19.0.1', '198.19.0.2', '2001:db8::99', '2001:db8:ffff::1', '2001:db8:1::1'];

function everyPair(cluster: GeneratedCluster, probes: readonly (readonly [ConnectionProtocol, number])[]): Connection[] {
  const endpoints: Endpoint[] = [];
  for (const p of cluster.pods) {
    if (!p.actionable) continue;
    const [namespace, name] = p.id.split('/') as [string, string];
    for (const ip of p.ips) endpoints.push({ kind: 'pod', namespace, name, ip });
  }
  for (const ip of outside) endpoints.push({ kind: 'ip', ip });
  const v6 = (e: Endpoint): boolean => e.ip!.includes(':');
  const out: Connection[] = [];
  for (const src of endpoints) for (const dst of endpoints) if (v6(src) === v6(dst) && (src.kind === 'pod' || dst.kind === 'pod')) for (const [protocol, port] of probes) out.push({ src, dst, protocol, port });
  return out;
}

// Echo requests among them (ICMP, port 0): rules without ports admit them, and every pod's under
// icmp-essentials.
const probeArb = fc.array(
  fc.oneof({ weight: 4, arbitrary: fc.tuple(fc.constantFrom<ConnectionProtocol>('TCP', 'UDP', 'SCTP'), fc.constantFrom(...portPool)) }, { weight: 1, arbitrary: fc.constant(['ICMP', 0] as const) }),
  { minLength: 2, maxLength: 2 },
);

const scenario = clusterArb().chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    policies: policiesArb(),
    connections: fc.tuple(fc.array(connectionArb(cluster, { icmp: true }), { minLength: 1, maxLength: 10 }), probeArb).map(([random, probes]) => [...random, ...everyPair(cluster, probes)]),
    flags: flagsArb,
    semantics: fc.record({ ipBlockMatchesPods: fc.boolean(), ipBlockMatchesNodes: fc.boolean(), allowNodeLocalIngress: fc.boolean(), allowSelf: fc.boolean(), allowIcmpEssentials: fc.boolean() }),
    hostBehindForward: fc.boolean(),
    hairpin: fc.boolean(),
  }),
);

it('every node ruleset, interpreted, allows exactly what the reference evaluator allows', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, connections, flags, semantics, hostBehindForward, hairpin }) => {
      const program = loadProgram([...cluster.manifests, ...policies], { semantics });
      const { models } = compile(program, flags);
      for (const conn of connections) {
        const reference = evaluate(program, conn);
        if ('error' in reference) continue;
        // The verdict must not depend on whether a log statement's rate limit is exhausted.
        for (const limitPasses of flags['log'] === undefined ? [true] : [true, false]) {
          const got = clusterDecision(program, models, conn, { limitPasses, hostBehindForward, hairpin })!;
          // Direct traffic to itself never reaches a node: backend-nftables/self-traffic-not-enforced.
          if (got.self && !hairpin && !semantics.allowSelf) continue;
          expect(got.allowed, JSON.stringify(conn)).toBe(reference.allowed);
          // Transit and traffic of other nodes' pods is left alone.
          for (const [node, { outcome }] of got.nodes) if (!got.involved.includes(node)) expect(outcome.verdict, `${node} must not touch ${JSON.stringify(conn)}`).toBe('accept');
          // Reject only when asked to; drop otherwise.
          for (const { outcome } of got.nodes.values()) if (outcome.verdict !== 'accept') expect(outcome.verdict).toBe(flags['deny-action'] === 'reject' ? 'reject' : 'drop');
          const logged = [...got.nodes.values()].flatMap(({ outcome }) => outcome.logs);
          if (flags['log'] === undefined || !limitPasses) expect(logged).toEqual([]);
          if (!reference.allowed && limitPasses && (flags['log'] === 'denied' || flags['log'] === 'all')) expect(logged.some((l) => l.startsWith('netpolc deny '))).toBe(true);
          if (flags['log'] === 'denied') expect(logged.every((l) => l.startsWith('netpolc deny '))).toBe(true);
        }
      }
    }),
    params,
  );
}, timeout);

it('parsing the printed text rebuilds the model, and the model passes the kernel constraints', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, flags, semantics }) => {
      const program = loadProgram([...cluster.manifests, ...policies], { semantics });
      const { models, texts } = compile(program, flags);
      expect([...texts.keys()]).toEqual([...models.keys()]);
      for (const [node, model] of models) {
        expect(parseRuleset(texts.get(node)!)).toStrictEqual(model);
        expect(validateTable(model.table)).toEqual([]);
      }
    }),
    params,
  );
}, timeout);

it('prints byte-identical files whatever the order of the input manifests', () => {
  fc.assert(
    fc.property(
      scenario.chain((s) => fc.shuffledSubarray([...s.cluster.manifests, ...s.policies], { minLength: s.cluster.manifests.length + s.policies.length }).map((shuffled) => ({ ...s, shuffled }))),
      ({ cluster, policies, shuffled, flags }) => {
        const a = compile(loadProgram([...cluster.manifests, ...policies]), flags).texts;
        const b = compile(loadProgram(shuffled), flags).texts;
        expect(b).toEqual(a);
      },
    ),
    params,
  );
}, timeout);
