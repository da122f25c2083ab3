// Differential test of the reference evaluator against the independent oracle (see
// independent-oracle.test.ts) on raw manifests that reach the corner cases the project's own
// generators avoid.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { evaluate, type Connection } from '../src/index.js';
import { loadValid, propertyParams, type Manifest } from '../src/testing/index.js';
import { buildOracle, type OracleConnection, type OracleEndpoint } from './support/independent-oracle.js';
import { ipEp, nodeM, np, ns, podEp, podM, type Obj } from './support/raw-manifests.js';

const params = propertyParams(100);

// A generator of raw manifests reaching the §1.3 / §4 corner cases that the project's
// generators avoid: omitted vs empty lists, `ports: [{}]`, protocol-only ports, omitted protocols,
// endPort, named ports (also on ipBlock peers and with empty `to`), ipBlock with except and host
// bits, namespaceSelector + podSelector in one peer, the namespace name label, egress rules
// without policyTypes, omitted namespaces and podSelectors, podIP without podIPs, unscheduled /
// finished / hostNetwork pods, `kind: List`, and address endpoints that are pod or node IPs.

const NS = ['default', 'x', 'y'] as const;
const NODES: Record<string, string[]> = { n1: ['198.19.0.1', '2001:db8:ffff::1'], n2: ['198.19.0.2', '198.19.1.2'] };
const KEYS = ['app', 'tier'] as const;
const VALS = ['a', 'b'] as const;
const PROTOS = ['TCP', 'UDP', 'SCTP'] as const;
const CONN_PORTS = [53, 80, 81, 443, 5353, 8000, 8080, 9000] as const;
const CONTAINER_PORTS: Obj[] = [
  { name: 'http', containerPort: 80 },
  { name: 'http', containerPort: 8080, protocol: 'TCP' },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'dns', containerPort: 5353, protocol: 'TCP' },
  { name: 'web', containerPort: 81, protocol: 'SCTP' },
  { containerPort: 443 },
];

/** An optional key: absent, or present with a value (so `{}` and omitted both occur). */
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });
const compact = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const labelsRawArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALS), { maxKeys: 2 });
const rawSelectorArb: fc.Arbitrary<Obj> = fc
  .record({
    matchLabels: optional(fc.oneof(labelsRawArb, fc.constantFrom(...NS).map((n) => ({ 'kubernetes.io/metadata.name': n })))),
    matchExpressions: optional(
      fc.array(
        fc.oneof(
          fc.record({ key: fc.constantFrom<string>(...KEYS, 'kubernetes.io/metadata.name'), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom<string>(...VALS, ...NS), { minLength: 1, maxLength: 2 }) }),
          fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
        ),
        { maxLength: 2 },
      ),
    ),
  })
  .map(compact);

const BLOCKS: Record<string, string[]> = {
  '198.18.0.0/16': ['198.18.0.0/24', '198.18.1.0/24', '198.18.0.12/30'],
  '198.18.0.77/24': ['198.18.0.10/31', '198.18.0.0/28'], // host bits: masked to 198.18.0.0/24 (§1.2)
  '198.18.1.0/24': ['198.18.1.8/29'],
  '198.19.0.0/16': ['198.19.0.1/32', '198.19.1.0/24'],
  '198.19.0.2/32': [],
  '0.0.0.0/0': ['198.18.0.0/15', '198.19.0.0/24', '203.0.113.0/24'],
  '203.0.113.0/24': ['203.0.113.0/25'],
  '::/0': ['2001:db8::/32', '2001:db8::/120'],
  '2001:db8::/112': ['2001:db8::8/125', '2001:db8::c/126'],
  '2001:db8:ffff::/48': [],
};
const rawIpBlockArb: fc.Arbitrary<Obj> = fc
  .constantFrom(...Object.keys(BLOCKS))
  .chain((cidr) => fc.record({ cidr: fc.constant(cidr), except: optional(fc.subarray(BLOCKS[cidr]!, { maxLength: Math.min(2, BLOCKS[cidr]!.length) })) }).map(compact));

const rawPeerArb: fc.Arbitrary<Obj> = fc.oneof(
  rawSelectorArb.map((podSelector) => ({ podSelector })),
  rawSelectorArb.map((namespaceSelector) => ({ namespaceSelector })),
  fc.constant({ namespaceSelector: {} }),
  fc.record({ namespaceSelector: rawSelectorArb, podSelector: rawSelectorArb }),
  rawSelectorArb.map((namespaceSelector) => ({ namespaceSelector, podSelector: null })), // null = absent
  rawIpBlockArb.map((ipBlock) => ({ ipBlock })),
);

const rawPortArb: fc.Arbitrary<Obj> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.record({ protocol: fc.constantFrom(...PROTOS) }) },
  { weight: 2, arbitrary: fc.record({ protocol: optional(fc.constantFrom(...PROTOS)), port: fc.constantFrom(53, 80, 81, 443, 8080) }).map(compact) },
  { weight: 4, arbitrary: fc.record({ protocol: optional(fc.constantFrom(...PROTOS)), port: fc.constantFrom('http', 'dns', 'web') }).map(compact) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(53, 80, 443, 8000)
      .chain((port) => fc.record({ protocol: optional(fc.constantFrom(...PROTOS)), port: fc.constant(port), endPort: fc.constantFrom(port, port + 1, port + 28, 8080, 9000).filter((e) => e >= port) }).map(compact)),
  },
);

/** A list field: omitted, explicit `null` (YAML `key:`), `[]`, or (mostly) one with entries. */
const listArb = <T>(arb: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[] | null | undefined> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constant<T[]>([]) },
    { weight: 8, arbitrary: fc.array(arb, { minLength: 1, maxLength: max }) },
  );
const rawRuleArb = (peerKey: 'from' | 'to'): fc.Arbitrary<Obj> => fc.record({ [peerKey]: listArb(rawPeerArb, 2), ports: listArb(rawPortArb, 2) }).map(compact);

const rawSpecArb: fc.Arbitrary<Obj> = fc
  .record({
    podSelector: optional(fc.oneof(fc.constant({}), fc.constant(null), rawSelectorArb)),
    policyTypes: optional(fc.constantFrom([], ['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress'])),
    ingress: listArb(rawRuleArb('from'), 2),
    egress: listArb(rawRuleArb('to'), 2),
  })
  .map(compact);

type PodState = 'running' | 'podIPOnly' | 'pending' | 'succeeded' | 'failed' | 'host' | 'unscheduled';
const rawPodArb = fc.record({
  ns: fc.constantFrom<string | undefined>(undefined, ...NS),
  labels: labelsRawArb,
  containers: fc.array(fc.subarray(CONTAINER_PORTS, { maxLength: 3 }), { minLength: 1, maxLength: 2 }),
  // An init container: none, a native sidecar (restartPolicy: Always) or an ordinary one.
  init: fc.constantFrom('none', 'none', 'sidecar', 'plain'),
  initPorts: fc.subarray(CONTAINER_PORTS, { minLength: 1, maxLength: 2 }),
  v6: fc.boolean(),
  node: fc.constantFrom('n1', 'n2'),
  state: fc.constantFrom<PodState>('running', 'running', 'running', 'running', 'podIPOnly', 'pending', 'succeeded', 'failed', 'host', 'unscheduled'),
});

interface RawCluster {
  readonly objects: Obj[];
  /** Candidate endpoints per family: actionable pods, and bare addresses (external, node, pod IPs). */
  readonly pods: Record<4 | 6, OracleEndpoint[]>;
  readonly addresses: Record<4 | 6, OracleEndpoint[]>;
  /** Container ports (protocol, number) per `ns/name`, so that connections often aim at a served port. */
  readonly served: Record<string, [string, number][]>;
}

const rawClusterArb: fc.Arbitrary<RawCluster> = fc
  .record({
    nsLabels: fc.tuple(labelsRawArb, labelsRawArb, labelsRawArb),
    nsNameLabel: fc.constantFrom(false, false, false, true), // mostly rely on the API server default (§1.1)
    pods: fc.array(rawPodArb, { minLength: 2, maxLength: 7 }),
    policies: fc.array(fc.record({ ns: fc.constantFrom<string | undefined>(undefined, '', ...NS), spec: rawSpecArb }), { maxLength: 4 }),
    asList: fc.boolean(),
  })
  .map(({ nsLabels, nsNameLabel, pods, policies, asList }) => {
    const objects: Obj[] = Object.entries(NODES).map(([n, ips]) => nodeM(n, ips));
    NS.forEach((n, i) => objects.push(ns(n, nsNameLabel ? { ...nsLabels[i]!, 'kubernetes.io/metadata.name': n } : nsLabels[i]!)));
    const podEps: Record<4 | 6, OracleEndpoint[]> = { 4: [], 6: [] };
    const served: Record<string, [string, number][]> = {};
    const addresses: Record<4 | 6, OracleEndpoint[]> = { 4: ['203.0.113.5', '203.0.113.200', '8.8.8.8', '198.18.0.200', ...NODES['n1']!.slice(0, 1), ...NODES['n2']!].map(ipEp), 6: ['2001:db8::99', '2001:db8:1::1', '2001:db8:ffff::1'].map(ipEp) };
    pods.forEach((p, i) => {
      const seen = new Set<string>(); // a port name is unique within a pod
      const unique = (ports: Obj[]): Obj[] => ports.filter((cp) => cp['name'] === undefined || (!seen.has(cp['name'] as string) && (seen.add(cp['name'] as string), true)));
      const containers = p.containers.map((ports, c) => ({ name: `c${c}`, image: 'img', ports: unique(ports) }));
      const inits = p.init === 'none' ? [] : [{ name: 'init', image: 'img', ...(p.init === 'sidecar' ? { restartPolicy: 'Always' } : {}), ports: unique(p.initPorts) }];
      let ips = [`198.18.${i % 2}.${10 + i}`, ...(p.v6 ? [`2001:db8::${(10 + i).toString(16)}`] : [])];
      if (p.state === 'pending') ips = [];
      if (p.state === 'host') ips = NODES[p.node]!.slice(0, 1);
      const name = `p${i}`;
      const m = podM(name, { ...(p.ns !== undefined ? { ns: p.ns } : {}), labels: p.labels, ips, ...(p.state === 'unscheduled' ? {} : { node: p.node }), hostNetwork: p.state === 'host', podIPOnly: p.state === 'podIPOnly', phase: p.state === 'succeeded' ? 'Succeeded' : p.state === 'failed' ? 'Failed' : p.state === 'pending' ? 'Pending' : 'Running' });
      (m['spec'] as Obj)['containers'] = containers;
      if (inits.length > 0) (m['spec'] as Obj)['initContainers'] = inits;
      objects.push(m);
      const actionable = p.state === 'running' || p.state === 'podIPOnly';
      served[`${p.ns ?? 'default'}/${name}`] = [...containers, ...inits].flatMap((c) => c.ports.map((cp): [string, number] => [(cp['protocol'] as string | undefined) ?? 'TCP', cp['containerPort'] as number]));
      const visible = p.state === 'podIPOnly' ? ips.slice(0, 1) : ips;
      for (const ip of visible) {
        const fam = ip.includes(':') ? 6 : 4;
        if (actionable) podEps[fam].push(podEp(p.ns ?? 'default', name, ip));
        addresses[fam].push(ipEp(ip)); // a bare address that belongs to a pod (or a node, for host pods)
      }
    });
    policies.forEach((p, i) => objects.push(np(p.ns, `np-${i}`, p.spec)));
    return { objects: asList ? [{ apiVersion: 'v1', kind: 'List', items: objects }] : objects, pods: podEps, addresses, served };
  });

/** Ports probed on every pair: both sides of each endPort boundary the generator can write, and more. */
const PROBES: [string, number][] = [
  ...[53, 54, 80, 81, 108, 109, 443, 444, 471, 472, 5353, 8000, 8028, 8080, 8081, 9000].map((p): [string, number] => ['TCP', p]),
  ...[53, 54, 80, 5353].map((p): [string, number] => ['UDP', p]),
  ...[81, 443, 9000].map((p): [string, number] => ['SCTP', p]),
];

/** Every connection between the cluster's endpoints (same family) on every probed or served port. */
function allConnections(cluster: RawCluster): OracleConnection[] {
  const out: OracleConnection[] = [];
  for (const fam of [4, 6] as const) {
    const ends = [...cluster.pods[fam], ...cluster.addresses[fam]];
    for (const src of ends)
      for (const dst of ends) {
        const served = dst.kind === 'pod' ? (cluster.served[`${dst.namespace}/${dst.name}`] ?? []) : [];
        const seen = new Set<string>();
        for (const [protocol, port] of [...PROBES, ...served]) if (!seen.has(`${protocol}/${port}`)) (seen.add(`${protocol}/${port}`), out.push({ src, dst, protocol, port }));
      }
  }
  return out;
}

it('reference evaluator and independent oracle agree on raw corner-case manifests (every pair, every probed port)', () => {
  fc.assert(
    fc.property(rawClusterArb, (cluster) => {
      const program = loadValid(cluster.objects as Manifest[]).program;
      const oracle = buildOracle(cluster.objects);
      for (const c of allConnections(cluster)) {
        const v = evaluate(program, c as Connection);
        if ('error' in v) expect.fail(`evaluator error on a valid connection ${JSON.stringify(c)}: ${JSON.stringify(v.error)}`);
        expect(oracle.allowed(c), JSON.stringify(c)).toBe(v.allowed);
      }
    }),
    params,
  );
}, Math.max(240_000, params.numRuns * 1_000)); // about 5,000 connections per run: 12 s alone, 74 s beside the other packages on 2 CPUs
