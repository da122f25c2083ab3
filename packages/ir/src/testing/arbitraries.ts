import fc from 'fast-check';
import type { Connection, Endpoint } from '../evaluate/connection.js';
import type { Protocol } from '../model/policy.js';
import { namespace, networkPolicy, node, pod, type Manifest } from './builders.js';

// Arbitraries for small clusters, policies and connections. Value pools are deliberately tiny so
// that selectors, CIDRs and ports collide often: the interesting cases are overlaps.

const labelKeys = ['app', 'tier', 'role'] as const;
const labelValues = ['a', 'b', 'c'] as const;
const nsNames = ['x', 'y', 'z'] as const;
const protocolsList: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Named container ports; the same name maps to different numbers on different pods. */
const namedPortPool: readonly (readonly [string, number, Protocol])[] = [
  ['http', 80, 'TCP'],
  ['http', 8080, 'TCP'],
  ['dns', 53, 'UDP'],
  ['dns', 5353, 'UDP'],
  ['serve-81', 81, 'SCTP'],
  ['serve-81', 81, 'TCP'],
];

/** Ports used by connections and policies: a small pool around the interesting values. */
export const portPool = [53, 80, 81, 443, 5353, 8080] as const;

/** A generated cluster: manifests plus the facts needed to generate connections. */
export interface GeneratedCluster {
  readonly manifests: readonly Manifest[];
  /** `ns/name` of every pod (actionable or not). */
  readonly pods: readonly { readonly id: string; readonly ips: readonly string[]; readonly actionable: boolean }[];
  readonly nodeIps: readonly string[];
}

/** Options of {@link clusterArb}. */
export interface ClusterArbOptions {
  readonly maxPods?: number;
  /** Give some pods IPv6 addresses too. @defaultValue true */
  readonly ipv6?: boolean;
  /** Include pods without IPs, finished and hostNetwork pods. @defaultValue true */
  readonly nonActionable?: boolean;
}

const labelsArb = fc.dictionary(fc.constantFrom(...labelKeys), fc.constantFrom(...labelValues), { maxKeys: 3 });

/** Random small clusters: up to 3 namespaces, a few pods on 2 nodes, dual-stack sometimes. */
export function clusterArb(options: ClusterArbOptions = {}): fc.Arbitrary<GeneratedCluster> {
  const maxPods = options.maxPods ?? 6;
  const podArb = fc.record({
    ns: fc.constantFrom(...nsNames),
    labels: labelsArb,
    ports: fc.subarray([...namedPortPool], { maxLength: 3 }),
    v6: options.ipv6 === false ? fc.constant(false) : fc.boolean(),
    node: fc.constantFrom('node-1', 'node-2'),
    kind: options.nonActionable === false ? fc.constant('running' as const) : fc.constantFrom('running', 'running', 'running', 'running', 'pending', 'succeeded', 'host'),
  });
  return fc
    .record({
      nsLabels: fc.tuple(labelsArb, labelsArb, labelsArb),
      pods: fc.array(podArb, { minLength: 1, maxLength: maxPods }),
    })
    .map(({ nsLabels, pods }) => {
      const manifests: Manifest[] = [node('node-1', ['198.19.0.1', '2001:db8:ffff::1']), node('node-2', '198.19.0.2')];
      nsNames.forEach((ns, i) => manifests.push(namespace(ns, nsLabels[i]!)));
      const out: { id: string; ips: string[]; actionable: boolean }[] = [];
      pods.forEach((p, i) => {
        // A pod may not define one port name twice: keep the first of each name.
        const seen = new Set<string>();
        const ports = p.ports.filter(([n]) => !seen.has(n) && (seen.add(n), true));
        const name = `p${i}`;
        let ips: string[] = [`198.18.${i % 2}.${10 + i}`];
        if (p.v6) ips.push(`2001:db8::${(10 + i).toString(16)}`);
        if (p.kind === 'pending') ips = [];
        if (p.kind === 'host') ips = [p.node === 'node-1' ? '198.19.0.1' : '198.19.0.2'];
        manifests.push(
          pod(p.ns, name, p.labels, ips, {
            node: p.node,
            ports,
            ...(p.kind === 'succeeded' ? { phase: 'Succeeded' } : {}),
            ...(p.kind === 'host' ? { hostNetwork: true } : {}),
          }),
        );
        out.push({ id: `${p.ns}/${name}`, ips, actionable: p.kind === 'running' });
      });
      return { manifests, pods: out, nodeIps: ['198.19.0.1', '198.19.0.2', '2001:db8:ffff::1'] };
    });
}

const selectorArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      matchLabels: fc.dictionary(fc.constantFrom(...labelKeys), fc.constantFrom(...labelValues), { maxKeys: 2 }),
      matchExpressions: fc.array(
        fc.oneof(
          fc.record({ key: fc.constantFrom(...labelKeys, 'ns'), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...labelValues, 'x', 'y'), { minLength: 1, maxLength: 2 }) }),
          fc.record({ key: fc.constantFrom(...labelKeys), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
        ),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((s) => s as Record<string, unknown>);

const v4Blocks = ['198.18.0.0/15', '198.18.0.0/24', '198.18.1.0/24', '198.18.0.10/31', '198.19.0.0/24', '0.0.0.0/0', '203.0.113.0/24'];
const v6Blocks = ['2001:db8::/32', '2001:db8::/120', '::/0', '2001:db8::8/125'];

function exceptsFor(cidr: string): fc.Arbitrary<string[]> {
  const candidates: Record<string, string[]> = {
    '198.18.0.0/15': ['198.18.0.0/24', '198.18.1.0/25', '198.18.0.12/30'],
    '198.18.0.0/24': ['198.18.0.12/30', '198.18.0.10/32'],
    '198.18.1.0/24': ['198.18.1.0/28'],
    '0.0.0.0/0': ['198.18.0.0/24', '203.0.113.0/24', '198.19.0.0/16'],
    '2001:db8::/32': ['2001:db8::/124'],
    '::/0': ['2001:db8::/32'],
    '2001:db8::/120': ['2001:db8::c/126'],
  };
  const list = candidates[cidr] ?? [];
  return list.length === 0 ? fc.constant([]) : fc.subarray(list, { maxLength: Math.min(2, list.length) });
}

const ipBlockArb = fc.constantFrom(...v4Blocks, ...v6Blocks).chain((cidr) => exceptsFor(cidr).map((except) => ({ ipBlock: except.length > 0 ? { cidr, except } : { cidr } })));

const peerArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  selectorArb.map((podSelector) => ({ podSelector })),
  selectorArb.map((namespaceSelector) => ({ namespaceSelector })),
  fc.record({ namespaceSelector: selectorArb, podSelector: selectorArb }),
  ipBlockArb,
);

const portEntryArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ protocol: fc.constantFrom(...protocolsList), port: fc.constantFrom(...portPool) }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom(...protocolsList), port: fc.constantFrom('http', 'dns', 'serve-81') }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom(...protocolsList) }),
  fc.constantFrom(53, 80, 443).chain((port) =>
    fc.record({ protocol: fc.constantFrom(...protocolsList), port: fc.constant(port), endPort: fc.constantFrom(port, port + 1, port + 30, 8080) }, { requiredKeys: ['port', 'endPort'] }),
  ),
);

function ruleArb(peerKey: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      [peerKey]: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 4, arbitrary: fc.array(peerArb, { minLength: 1, maxLength: 2 }) }),
      ports: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(portEntryArb, { minLength: 1, maxLength: 2 }) }),
    },
    { requiredKeys: [] },
  );
}

/** A random NetworkPolicy spec (every form of peers, ports, policyTypes, nil and empty lists). */
export const policySpecArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      podSelector: fc.oneof(fc.constant({}), selectorArb),
      policyTypes: fc.constantFrom([], ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
      ingress: fc.array(ruleArb('from'), { maxLength: 2 }),
      egress: fc.array(ruleArb('to'), { maxLength: 2 }),
    },
    { requiredKeys: ['podSelector'] },
  )
  .map((s) => s as Record<string, unknown>);

/** Random policy manifests, uniquely named, in the cluster's namespaces. */
export function policiesArb(maxPolicies = 6): fc.Arbitrary<Manifest[]> {
  return fc
    .array(fc.record({ ns: fc.constantFrom(...nsNames), spec: policySpecArb }), { maxLength: maxPolicies })
    .map((list) => list.map((p, i) => networkPolicy(p.ns, `np-${i}`, p.spec)));
}

const externalIps: Record<4 | 6, readonly string[]> = {
  4: ['203.0.113.5', '198.18.0.200', '198.18.1.77', '8.8.8.8', '198.19.0.1', '198.19.0.2'],
  6: ['2001:db8::99', '2001:db8:ffff::1', '2001:db8:1::1', '2001:db8::c'],
};

/**
 * A random connection between pods of the cluster and external addresses: both ends of one
 * family (IPv4 mostly), so that nearly every generated connection is meaningful.
 */
export function connectionArb(cluster: GeneratedCluster, { icmp = false }: { readonly icmp?: boolean } = {}): fc.Arbitrary<Connection> {
  const endpointOf = (family: 4 | 6): fc.Arbitrary<Endpoint> => {
    const candidates = cluster.pods.flatMap((p) => (p.actionable ? p.ips.filter((ip) => ip.includes(':') === (family === 6)).map((ip) => podOrIp(p.id, ip)) : []));
    const external = fc.constantFrom(...externalIps[family]).map((ip) => ({ kind: 'ip', ip }) as Endpoint);
    return candidates.length === 0 ? external : fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...candidates) }, { weight: 1, arbitrary: external });
  };
  return fc
    .constantFrom<4 | 6>(4, 4, 4, 6)
    .chain((family) => fc.record({ src: endpointOf(family), dst: endpointOf(family), protocol: fc.constantFrom(...protocolsList), port: fc.constantFrom(...portPool) }))
    // With `icmp`, one connection in five is an echo request instead (port 0).
    .chain((c) => (icmp ? fc.constantFrom<Connection>(c, c, c, c, { ...c, protocol: 'ICMP', port: 0 }) : fc.constant(c)));
}

function podOrIp(id: string, ip: string): Endpoint {
  const [ns, name] = id.split('/') as [string, string];
  return { kind: 'pod', namespace: ns, name, ip };
}

/** Number of runs for property tests: small locally, larger in CI (`NETPOLC_NUM_RUNS`). */
export function numRuns(local = 60): number {
  const v = Number(process.env['NETPOLC_NUM_RUNS']);
  return Number.isFinite(v) && v > 0 ? v : local;
}

/** The seed to replay (`NETPOLC_SEED`), if one is set; fast-check prints it on a failure. */
export function fixedSeed(): number | undefined {
  const v = process.env['NETPOLC_SEED'];
  return v ? Number(v) : undefined;
}

/** fast-check parameters of a property test: {@link numRuns} runs and the replayed seed, if any. */
export function propertyParams(local = 60): { numRuns: number; seed?: number } {
  const seed = fixedSeed();
  return { numRuns: numRuns(local), ...(seed !== undefined ? { seed } : {}) };
}
