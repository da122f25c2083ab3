// A generator of shapes @netpolc/ir/testing's arbitraries do not produce: dotted/slashed label keys,
// empty and dotted label values, pods carrying pcns.* labels, init-container and sidecar named
// ports, named ports that host endpoints also declare, dotted policy names and names that collide
// with the backend's own isolation policies, node CIDRs, IPv6 blocks, port ranges.
import fc from 'fast-check';
import type { Connection } from '@netpolc/ir';
import { namespace, networkPolicy, type Manifest } from '@netpolc/ir/testing';
import { trapNodeLabels } from './compare.js';

const keys = ['pod', 'app.kubernetes.io/name', 'tier'] as const;
const values = ['', 'a', 'b', 'a.b', 'A_1-z'] as const;
const nsKeys = ['ns', 'team', 'kubernetes.io/metadata.name'] as const;
const nsValues = ['x', 'y', 'z', '', 'red'] as const;
const portNames: readonly (readonly [string, number, 'TCP' | 'UDP' | 'SCTP'])[] = [
  ['serve-80-tcp', 80, 'TCP'],
  ['serve-80-tcp', 8080, 'TCP'],
  ['serve-81-udp', 81, 'UDP'],
  ['http', 80, 'TCP'],
  ['dns', 53, 'UDP'],
  ['sctp-81', 81, 'SCTP'],
];

const labelsArb = fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 2 });

const selectorArb = (ks: readonly string[], vs: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          matchLabels: fc.dictionary(fc.constantFrom(...ks), fc.constantFrom(...vs), { maxKeys: 2 }),
          matchExpressions: fc.array(
            fc.oneof(
              fc.record({ key: fc.constantFrom(...ks), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...vs), { minLength: 1, maxLength: 3 }) }),
              fc.record({ key: fc.constantFrom(...ks), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
            ),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
    },
  );

const cidrs = ['198.18.0.0/15', '198.18.0.0/24', '198.18.0.10/32', '198.19.0.0/24', '198.19.0.1/32', '0.0.0.0/0', '203.0.113.0/24', '2001:db8::/32', '2001:db8:1::/64', '::/0'];
const exceptOf: Record<string, string[]> = {
  '198.18.0.0/15': ['198.18.1.0/24', '198.18.0.10/32'],
  '198.18.0.0/24': ['198.18.0.10/31'],
  '0.0.0.0/0': ['198.18.0.0/16', '198.19.0.0/24', '203.0.113.5/32'],
  '2001:db8::/32': ['2001:db8:1::/64', '2001:db8:ff::1/128'],
  '::/0': ['2001:db8:1::10/128'],
};
const ipBlockArb = fc.constantFrom(...cidrs).chain((cidr) => ((l: string[]) => (l.length ? fc.subarray(l, { maxLength: Math.min(2, l.length) }) : fc.constant([] as string[])))(exceptOf[cidr] ?? []).map((except) => ({ ipBlock: except.length ? { cidr, except } : { cidr } })));

const peerArb = fc.oneof(
  selectorArb(keys, values).map((podSelector) => ({ podSelector })),
  selectorArb(nsKeys, nsValues).map((namespaceSelector) => ({ namespaceSelector })),
  fc.record({ namespaceSelector: selectorArb(nsKeys, nsValues), podSelector: selectorArb(keys, values) }),
  ipBlockArb,
);

const portArb = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.constantFrom(53, 80, 81, 8080) }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.constantFrom('serve-80-tcp', 'serve-81-udp', 'http', 'dns', 'sctp-81', 'init-port', 'side-port') }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80), endPort: fc.constantFrom(81, 8080) }, { requiredKeys: ['port', 'endPort'] }),
);

const ruleArb = (key: 'from' | 'to') =>
  fc.record({ [key]: fc.oneof(fc.constant([]), fc.array(peerArb, { minLength: 1, maxLength: 3 })), ports: fc.array(portArb, { maxLength: 2 }) }, { requiredKeys: [] });

const policyNames = ['p', 'p.1', 'p-1', 'netpolc-isolate-ingress', 'netpolc-isolate-egress', 'a.b.c', 'knp.default.x', 'default.q'];

const policyArb = fc.record({
  ns: fc.constantFrom('x', 'y', 'z'),
  name: fc.constantFrom(...policyNames),
  podSelector: selectorArb(keys, values),
  policyTypes: fc.constantFrom(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: fc.option(fc.array(ruleArb('from'), { maxLength: 2 }), { nil: undefined }),
  egress: fc.option(fc.array(ruleArb('to'), { maxLength: 2 }), { nil: undefined }),
});

const podArb = fc.record({
  ns: fc.constantFrom('x', 'y', 'z'),
  labels: labelsArb,
  pcns: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('x', 'y') }),
  ports: fc.subarray([...portNames], { maxLength: 3 }),
  init: fc.oneof({ weight: 8, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constant('init' as const) }, { weight: 1, arbitrary: fc.constant('sidecar' as const) }),
  v6: fc.boolean(),
  node: fc.constantFrom('node-1', 'node-2'),
});

export interface EdgeScenario {
  readonly manifests: Manifest[];
  readonly conns: Connection[];
}

export function edgeScenarioArb(): fc.Arbitrary<EdgeScenario> {
  return fc
    .record({
      nsLabels: fc.tuple(...['x', 'y', 'z'].map(() => fc.dictionary(fc.constantFrom('ns', 'team'), fc.constantFrom(...nsValues), { maxKeys: 2 }))),
      pods: fc.array(podArb, { minLength: 1, maxLength: 6 }),
      policies: fc.array(policyArb, { maxLength: 5 }),
    })
    .chain(({ nsLabels, pods, policies }) => {
      const manifests: Manifest[] = [
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: trapNodeLabels }, status: { addresses: [{ type: 'InternalIP', address: '198.19.0.1' }, { type: 'InternalIP', address: '2001:db8:ff::1' }] } },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' }, status: { addresses: [{ type: 'InternalIP', address: '198.19.0.2' }] } },
      ];
      ['x', 'y', 'z'].forEach((ns, i) => manifests.push(namespace(ns, nsLabels[i]!)));
      const endpoints: Connection['src'][] = [];
      pods.forEach((p, i) => {
        const seen = new Set<string>();
        const ports = p.ports.filter(([n]) => !seen.has(n) && (seen.add(n), true));
        const ips = [`198.18.${i % 3}.${10 + i}`, ...(p.v6 ? [`2001:db8:1::${(10 + i).toString(16)}`] : [])];
        const labels = { ...p.labels, ...(p.pcns ? { 'pcns.ns': p.pcns } : {}) };
        const initContainers =
          p.init === 'none'
            ? []
            : [{ name: 'init', image: 'i', ...(p.init === 'sidecar' ? { restartPolicy: 'Always' } : {}), ports: [{ name: p.init === 'sidecar' ? 'side-port' : 'init-port', containerPort: 81, protocol: 'UDP' }] }];
        manifests.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${i}`, namespace: p.ns, labels },
          spec: { nodeName: p.node, initContainers, containers: [{ name: 'main', image: 'm', ports: ports.map(([name, containerPort, protocol]) => ({ name, containerPort, protocol })) }] },
          status: { phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
        });
        for (const ip of ips) endpoints.push({ kind: 'pod', namespace: p.ns, name: `p${i}`, ip });
      });
      const names = new Set<string>();
      policies.forEach((p) => {
        if (names.has(`${p.ns}/${p.name}`)) return;
        names.add(`${p.ns}/${p.name}`);
        const spec: Record<string, unknown> = { podSelector: p.podSelector };
        if (p.policyTypes) spec['policyTypes'] = p.policyTypes;
        if (p.ingress) spec['ingress'] = p.ingress;
        if (p.egress) spec['egress'] = p.egress;
        manifests.push(networkPolicy(p.ns, p.name, spec));
      });
      for (const ip of ['198.19.0.1', '198.19.0.2', '2001:db8:ff::1', '203.0.113.5', '2001:db8::99', '198.18.0.200']) endpoints.push({ kind: 'ip', ip });
      const conn = fc.record({ src: fc.constantFrom(...endpoints), dst: fc.constantFrom(...endpoints), protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const), port: fc.constantFrom(53, 80, 81, 8080) });
      return fc.array(conn, { minLength: 60, maxLength: 60 }).map((conns) => ({ manifests, conns }));
    });
}
