// Binding a connection's endpoints, and what a user is told when a pod is not found.
import { expect, it } from 'vitest';
import { bindConnection, type Connection } from '../src/index.js';
import { loadValid, namespace, node, pod } from '../src/testing/index.js';

const program = loadValid([
  node('n1', '198.19.0.1'),
  namespace('prod'),
  namespace('dev'),
  namespace('empty'),
  ...['frontend-7d9f-abcde', 'frontend-7d9f-fghij', 'api-5c6b-klmno', 'db-0'].map((name, i) => pod('prod', name, { app: name.split('-')[0]! }, `198.18.0.${i + 1}`, { node: 'n1' })),
  ...Array.from({ length: 7 }, (_, i) => pod('dev', `worker-${i}`, { app: 'worker' }, `198.18.1.${i + 1}`, { node: 'n1' })),
  pod('dev', 'tool', { app: 'tool' }, '198.18.1.100', { node: 'n1' }),
  pod('dev', 'six', { app: 'six' }, '2001:db8::6', { node: 'n1' }),
]).program;

const error = (namespace: string, name: string): string | undefined => {
  const conn: Connection = { src: { kind: 'pod', namespace, name }, dst: { kind: 'ip', ip: '8.8.8.8' }, protocol: 'TCP', port: 53 };
  const bound = bindConnection(program, conn);
  return 'error' in bound ? bound.error : undefined;
};

it('names the pods whose names start with a missing pod name (a Deployment name, say)', () => {
  expect(error('prod', 'frontend')).toBe('pod prod/frontend is not in the inventory; pods whose names start with frontend: prod/frontend-7d9f-abcde, prod/frontend-7d9f-fghij');
  expect(error('dev', 'worker')).toBe('pod dev/worker is not in the inventory; pods whose names start with worker: dev/worker-0, dev/worker-1, dev/worker-2, dev/worker-3, dev/worker-4 and 2 more');
});

it('suggests the nearest pod name of the namespace for a typo or a changed hash', () => {
  expect(error('prod', 'api-5c6b-klmnp')).toBe('pod prod/api-5c6b-klmnp is not in the inventory; did you mean prod/api-5c6b-klmno?');
  expect(error('prod', 'db-1')).toBe('pod prod/db-1 is not in the inventory; did you mean prod/db-0?');
});

it('says where a pod of that name is when the namespace is wrong, and when a namespace has no pods', () => {
  expect(error('prod', 'tool')).toBe('pod prod/tool is not in the inventory; a pod of that name is in namespace dev');
  expect(error('empty', 'x')).toBe('pod empty/x is not in the inventory, which has no pods in namespace empty');
  expect(error('nowhere', 'x')).toBe('pod nowhere/x is not in the inventory, which has no pods in namespace nowhere');
});

it('says no more than that when nothing is near', () => {
  expect(error('prod', 'completely-different-name')).toBe('pod prod/completely-different-name is not in the inventory');
});

it('binds a pod that is found, with no error', () => {
  expect(error('prod', 'db-0')).toBeUndefined();
});

it('says which family each endpoint has when they share none', () => {
  const bind = (src: Connection['src'], dst: Connection['dst']): unknown => bindConnection(program, { src, dst, protocol: 'TCP', port: 80 });
  expect(bind({ kind: 'pod', namespace: 'dev', name: 'six' }, { kind: 'ip', ip: '8.8.8.8' })).toEqual({
    error: 'the two endpoints have no address family in common: pod dev/six has IPv6 only, 8.8.8.8 IPv4 only',
  });
  expect(bind({ kind: 'pod', namespace: 'dev', name: 'tool' }, { kind: 'pod', namespace: 'dev', name: 'six' })).toEqual({
    error: 'the two endpoints have no address family in common: pod dev/tool has IPv4 only, pod dev/six IPv6 only',
  });
});

it('binds a hostNetwork pod to its addresses, node traffic that no pod selector matches; a finished pod stays an error', () => {
  // Old code: "takes no part in policy", though the pod's connections are its node's.
  const withHost = loadValid([
    node('n1', '198.19.0.1'),
    namespace('prod'),
    pod('prod', 'agent', { app: 'agent' }, '198.19.0.1', { node: 'n1', hostNetwork: true }),
    pod('prod', 'done', { app: 'agent' }, '198.18.0.9', { node: 'n1', phase: 'Succeeded' }),
  ]).program;
  const bind = (name: string, ip?: string): ReturnType<typeof bindConnection> =>
    bindConnection(withHost, { src: { kind: 'pod', namespace: 'prod', name, ...(ip ? { ip } : {}) }, dst: { kind: 'ip', ip: '8.8.8.8' }, protocol: 'TCP', port: 53 });
  const bound = bind('agent');
  expect('error' in bound).toBe(false);
  expect(bind('agent', '198.19.0.1')).toEqual(bound);
  expect(bound).toMatchObject({ src: { ip: '198.19.0.1', pod: undefined } });
  expect(bind('done')).toEqual({ error: 'pod prod/done takes no part in policy (no IP or finished)' });
});
