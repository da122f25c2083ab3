// A pod may declare one port name in several containers. Kubernetes matches every declaration;
// a Cilium endpoint keeps one port per name, the last declared (pkg/policy/types
// NamedPortMap.AddPort), so an ingress rule naming it allows less there. An audit of 2026-12-03.
import { expect, it } from 'vitest';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { codes, compile, disagreements } from './support/harness.js';

type Port = { name: string; containerPort: number; protocol?: string };
function server(...containers: Port[][]): Manifest {
  return { ...pod('x', 'server', { app: 'server' }, '198.18.0.10', { node: 'n' }), spec: { nodeName: 'n', containers: containers.map((ports, i) => ({ name: `c${i}`, image: 'i', ports })) } };
}
const cluster = (s: Manifest, protocol = 'TCP'): Manifest[] => [
  namespace('x'),
  node('n', '10.0.0.1'),
  s,
  pod('x', 'client', { app: 'client' }, '198.18.0.11', { node: 'n' }),
  networkPolicy('x', 'web', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ ports: [{ port: 'web', protocol }] }] }),
];

it('warns where the last declaration of the name is of another protocol: Cilium then denies what Kubernetes allows', () => {
  const c = compile(cluster(server([{ name: 'web', containerPort: 8080 }], [{ name: 'web', containerPort: 8080, protocol: 'UDP' }])));
  expect(codes(c.diagnostics)).toContain('backend-cilium/named-port-repeated');
  // The only difference is the narrowing the warning names: TCP/8080 to the server.
  const ds = disagreements(c);
  expect(ds).toContain('x/client -> x/server TCP/8080: kubernetes true, cilium false');
  expect(ds.filter((d) => !d.endsWith('-> x/server TCP/8080: kubernetes true, cilium false'))).toEqual([]);
});

it("says nothing where the last declaration is the only one of the rule's protocol, or the declarations agree", () => {
  const udp = compile(cluster(server([{ name: 'web', containerPort: 8080 }], [{ name: 'web', containerPort: 8080, protocol: 'UDP' }]), 'UDP'));
  expect(codes(udp.diagnostics)).not.toContain('backend-cilium/named-port-repeated');
  const same = compile(cluster(server([{ name: 'web', containerPort: 8080 }], [{ name: 'web', containerPort: 8080 }])));
  expect(codes(same.diagnostics)).not.toContain('backend-cilium/named-port-repeated');
  expect(disagreements(same)).toEqual([]);
});
