// Rules of semantics.md §1-§2 that no other test pins, each on the reference evaluator and the
// resolved layer (`allowed` checks both implementations, support/verdict.ts).
import { expect, it } from 'vitest';
import { loadValid, namespace, networkPolicy as np, node, pod, type Manifest } from '../src/testing/index.js';
import { allowed } from './support/verdict.js';

const ports: [string, number, 'TCP' | 'UDP' | 'SCTP'][] = [['http', 8080, 'TCP'], ['dns', 53, 'UDP']];

function cluster(...extra: Manifest[]): Manifest[] {
  return [
    node('n1', '198.19.0.1'),
    node('n2', '198.19.0.2'),
    namespace('prod', { env: 'prod' }),
    namespace('dev', { env: 'dev' }),
    namespace('bare'),
    pod('prod', 'web', { app: 'web' }, '198.18.0.10', { node: 'n1', ports }),
    pod('prod', 'api', { app: 'api' }, '198.18.0.11', { node: 'n2', ports }),
    pod('dev', 'tool', { app: 'tool' }, '198.18.1.10', { node: 'n1', ports }),
    pod('bare', 'b', { app: 'b' }, '198.18.2.10', { node: 'n2', ports }),
    ...extra,
  ];
}

it('§1.1: the API server owns kubernetes.io/metadata.name: a namespace that declares another value still carries its own name', () => {
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] })),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'liar', labels: { 'kubernetes.io/metadata.name': 'dev' } } },
    pod('liar', 'l', { app: 'l' }, '198.18.3.10', { node: 'n1' }),
  ];
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'liar/l', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§1.3: rule `ports: []` is any port and any protocol', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [] }] }));
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) expect(allowed(objects, 'dev/tool', 'prod/web', proto, 65535)).toBe(true);
});

it('§1.3: `egress: [{}]` allows all egress, external addresses included', () => {
  const objects = cluster(np('prod', 'd', { podSelector: {}, policyTypes: ['Egress'] }), np('prod', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }));
  expect(allowed(objects, 'prod/web', '8.8.8.8', 'UDP', 53)).toBe(true);
  expect(allowed(objects, 'prod/web', 'dev/tool', 'SCTP', 1)).toBe(true);
});

it('§2.1: a Failed pod takes no part; its IP is just an address', () => {
  const objects = [...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })), pod('dev', 'crashed', { app: 'x' }, '198.18.1.40', { node: 'n1', phase: 'Failed' })];
  expect(loadValid(objects).program.inventory.pods.find((p) => p.name === 'crashed')!.actionable).toBe(false);
  expect(allowed(objects, '198.18.1.40', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§2.1: a container port without protocol is TCP for named-port resolution', () => {
  const raw = pod('prod', 'np', { app: 'np' }, '198.18.0.50', { node: 'n1' });
  ((raw['spec'] as { containers: { ports: unknown[] }[] }).containers[0]!).ports = [{ name: 'metrics', containerPort: 9100 }];
  const objects = [...cluster(np('prod', 'p', { podSelector: { matchLabels: { app: 'np' } }, ingress: [{ ports: [{ port: 'metrics' }] }] })), raw];
  expect(allowed(objects, 'dev/tool', 'prod/np', 'TCP', 9100)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/np', 'UDP', 9100)).toBe(false);
});

it('§2.1: a pod on several container ports keeps each name with its own protocol (named port resolved by name AND protocol)', () => {
  // `dns` is UDP/53 on every pod: {port: dns} (protocol defaults TCP) resolves to nothing.
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'dns' }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 53)).toBe(false);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'UDP', 53)).toBe(false);
});

it('§2.2: namespaceSelector NotIn / DoesNotExist match namespaces that lack the key', () => {
  const notIn = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }] }));
  expect(allowed(notIn, 'bare/b', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(notIn, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
  const dne = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }] }] }));
  expect(allowed(dne, 'bare/b', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(dne, 'prod/api', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§2.2: matchLabels and matchExpressions of one selector are ANDed', () => {
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] }] })),
    pod('prod', 'api2', { app: 'api', tier: 'x' }, '198.18.0.12', { node: 'n1' }),
  ];
  expect(allowed(objects, 'prod/api', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'prod/api2', 'prod/web', 'TCP', 80)).toBe(true);
});

it('§2.2: a podSelector-only peer in an egress rule is limited to the policy namespace', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] }));
  expect(allowed(objects, 'prod/web', 'prod/api', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'prod/web', 'dev/tool', 'TCP', 80)).toBe(false);
});

it('§2.2/§4 row 4: excepts of two ipBlock peers of one rule stay scoped to their own peer (IPv6 too)', () => {
  const v6 = pod('prod', 'v6', { app: 'v6' }, ['198.18.0.60', '2001:db8::60'], { node: 'n1' });
  const objects = [
    ...cluster(
      np('prod', 'p', {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '2001:db8:1::/48', except: ['2001:db8:1:1::/64'] } }, { ipBlock: { cidr: '2001:db8:1:1::/64', except: ['2001:db8:1:1::/80'] } }] }],
      }),
    ),
    v6,
  ];
  expect(allowed(objects, '2001:db8:1:1:1::1', 'prod/v6', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '2001:db8:1:1::1', 'prod/v6', 'TCP', 80)).toBe(false);
  expect(allowed(objects, '2001:db8:1:2::1', 'prod/v6', 'TCP', 80)).toBe(true);
});

it('§2.3/§4 row 5: endPort ranges at the limits of the port space', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 1, endPort: 65535 }, { protocol: 'SCTP', port: 65535, endPort: 65535 }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'UDP', 1)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'UDP', 65535)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'SCTP', 65535)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'SCTP', 65534)).toBe(false);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 1)).toBe(false);
});

it('§2.3: egress named port resolves on the destination pod, not on the source', () => {
  const objects = [
    ...cluster(np('dev', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'svc' }] }] })),
    pod('dev', 'src', { app: 'src' }, '198.18.1.50', { node: 'n1', ports: [['svc', 7000, 'TCP']] }),
    pod('prod', 'dst', { app: 'dst' }, '198.18.0.50', { node: 'n2', ports: [['svc', 7001, 'TCP']] }),
  ];
  expect(allowed(objects, 'dev/src', 'prod/dst', 'TCP', 7001)).toBe(true);
  expect(allowed(objects, 'dev/src', 'prod/dst', 'TCP', 7000)).toBe(false);
});

it('§2.5: node-local is ingress only: an egress-isolated pod does not reach its own node unless a rule allows it', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, policyTypes: ['Egress'] }));
  expect(allowed(objects, 'prod/web', '198.19.0.1', 'TCP', 10250)).toBe(false);
});

it('§2.5: every address of the pod node (InternalIP and ExternalIP) is node-local; a hostNetwork pod on it too', () => {
  const n1: Manifest = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '198.19.0.1' }, { type: 'ExternalIP', address: '203.0.113.1' }, { type: 'Hostname', address: 'n1' }] } };
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, policyTypes: ['Ingress'] })).filter((m) => !(m['kind'] === 'Node' && (m['metadata'] as { name: string }).name === 'n1')),
    n1,
    pod('dev', 'agent', { app: 'agent' }, '198.19.0.1', { node: 'n1', hostNetwork: true }),
  ];
  expect(allowed(objects, '203.0.113.1', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '198.19.0.1', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '203.0.113.1', 'prod/api', 'TCP', 80)).toBe(false);
});

it('§2.6: a rule whose ipBlocks are all IPv6 allows no IPv4 at all (dropped for v4, never "any")', () => {
  const objects = [...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }] })), pod('prod', 'dual', { app: 'd' }, ['198.18.0.70', '2001:db8::70'], { node: 'n1' })];
  expect(allowed(objects, '8.8.8.8', 'prod/dual', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, '2001:4860::8888', 'prod/dual', 'TCP', 80)).toBe(true);
});

it('§2.6: an except that covers its whole family half leaves only the other half (0.0.0.0/0 except 0.0.0.0/1)', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/1'] } }] }] }));
  expect(allowed(objects, '127.255.255.255', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, '128.0.0.0', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '255.255.255.255', 'prod/web', 'TCP', 80)).toBe(true);
});
