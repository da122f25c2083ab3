// Lint warnings for policies written against a Service (semantics.md §4 row 7): a rule on the
// Service's port, or an egress ipBlock around its ClusterIP, allows none of the connections made
// through the Service, since the policy sees the pod's port and address after kube-proxy's DNAT.
import { describe, expect, it } from 'vitest';
import { evaluate, resolve, type Diagnostic } from '../src/index.js';
import { loadManifests, namespace, networkPolicy as np, node, pod, type Manifest } from '../src/testing/index.js';

function service(ns: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

const web = (port: unknown = 8080, targetPort?: unknown, extra: Record<string, unknown> = {}): Manifest =>
  service('prod', 'web', { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ port: 80, ...(targetPort === undefined ? { targetPort: port } : { targetPort }) }], ...extra });

function cluster(...more: Manifest[]): Manifest[] {
  return [
    node('n1', '198.19.0.1'),
    namespace('prod'),
    namespace('dev'),
    pod('prod', 'web-1', { app: 'web' }, '198.18.0.10', { node: 'n1', ports: [['http', 8080, 'TCP']] }),
    pod('dev', 'client', { app: 'client' }, '198.18.1.10', { node: 'n1' }),
    ...more,
  ];
}

/** Lint diagnostics of the inputs: code and the path of the located field. */
function lint(objects: readonly Manifest[]): { code: string; path: string; message: string }[] {
  const loaded = loadManifests(objects);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const found: Diagnostic[] = [...loaded.diagnostics, ...resolve(loaded.program).diagnostics].filter((d) => d.code.startsWith('ir/service'));
  return found.map((d) => ({ code: d.code, path: d.target.kind === 'ref' ? d.target.path.slice(2).join('.') : '', message: d.message }));
}

const ingress80 = np('prod', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }] });

describe('a rule on a Service port', () => {
  it('warns at the port entry when the Service forwards it to another pod port, naming both', () => {
    const found = lint(cluster(web(), ingress80));
    expect(found.map((f) => [f.code, f.path])).toEqual([['ir/service-port', 'spec.ingress.0.ports.0']]);
    expect(found[0]!.message).toContain('port 80/TCP is the port of Service prod/web');
    expect(found[0]!.message).toContain('port 8080 of prod/web-1');
  });

  it('resolves a named targetPort on the pods, and is silent when the rule allows the target too (by number or name)', () => {
    expect(lint(cluster(web(8080, 'http'), ingress80)).map((f) => f.code)).toEqual(['ir/service-port']);
    const both = np('prod', 'web', { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { port: 8080 }] }] });
    const named = np('prod', 'web', { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { port: 'http' }] }] });
    const range = np('prod', 'web', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 9000 }] }] });
    for (const p of [both, named, range]) expect(lint(cluster(web(8080, 'http'), p))).toEqual([]);
  });

  it('is silent when port and target agree, when the pods also serve the port, and for other protocols or namespaces', () => {
    expect(lint(cluster(web(80), ingress80))).toEqual([]);
    const serves80 = pod('prod', 'web-1', { app: 'web' }, '198.18.0.10', { node: 'n1', ports: [['http', 8080, 'TCP'], ['alt', 80, 'TCP']] });
    expect(lint([...cluster(web(), ingress80).filter((m) => (m['metadata'] as { name: string }).name !== 'web-1'), serves80])).toEqual([]);
    expect(lint(cluster(web(), np('prod', 'web', { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] })))).toEqual([]);
    // A Service selects pods of its own namespace only: one of dev with web's labels is not web's.
    const elsewhere = service('dev', 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    expect(lint(cluster(elsewhere, ingress80))).toEqual([]);
    // A Service whose pods the policy does not select.
    expect(lint(cluster(web(), np('prod', 'other', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 80 }] }] })))).toEqual([]);
  });

  it('warns for egress to the Service pods by selector or to any peer, not for ipBlock peers', () => {
    const to = (peers: unknown): Manifest => np('dev', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ...(peers === undefined ? {} : { to: peers }), ports: [{ port: 80 }] }] });
    expect(lint(cluster(web(), to([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }]))).map((f) => [f.code, f.path])).toEqual([['ir/service-port', 'spec.egress.0.ports.0']]);
    expect(lint(cluster(web(), to(undefined))).map((f) => f.code)).toEqual(['ir/service-port']);
    expect(lint(cluster(web(), to([{ podSelector: {} }])))).toEqual([]);
    expect(lint(cluster(web(), to([{ ipBlock: { cidr: '203.0.113.0/24' } }])))).toEqual([]);
  });
});

describe('an egress ipBlock around a ClusterIP', () => {
  const to = (block: Record<string, unknown>): Manifest => np('dev', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: block }] }] });

  it('warns at the peer when the block holds the ClusterIP but none of the pods', () => {
    const found = lint(cluster(web(80), to({ cidr: '10.96.0.0/12' })));
    expect(found.map((f) => [f.code, f.path])).toEqual([['ir/service-cluster-ip', 'spec.egress.0.to.0']]);
    expect(found[0]!.message).toContain('ClusterIP 10.96.0.10 of Service prod/web');
  });

  it('is silent when the block also holds the pods, leaves the ClusterIP out, or the Service selects no pod', () => {
    expect(lint(cluster(web(80), to({ cidr: '0.0.0.0/0' })))).toEqual([]);
    expect(lint(cluster(web(80), to({ cidr: '10.96.0.0/12', except: ['10.96.0.0/24'] })))).toEqual([]);
    // The `kubernetes` Service has no selector: its endpoints are the API servers' host addresses.
    const apiserver = service('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ port: 443, targetPort: 6443 }] });
    expect(lint([...cluster(apiserver, to({ cidr: '10.96.0.0/12' }))])).toEqual([]);
  });
});

describe('an ingress ipBlock on pods behind a masquerading NodePort or LoadBalancer Service', () => {
  const from = (cidr: string): Manifest => np('prod', 'in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr } }] }] });
  const lb = (extra: Record<string, unknown>): Manifest => web(80, undefined, { type: 'LoadBalancer', ...extra });

  it('warns at the peer: outside clients arrive from a node address', () => {
    const found = lint(cluster(lb({}), from('203.0.113.0/24')));
    expect(found.map((f) => [f.code, f.path])).toEqual([['ir/service-masquerade', 'spec.ingress.0.from.0']]);
    expect(found[0]!.message).toContain('Service prod/web (LoadBalancer, externalTrafficPolicy Cluster)');
    expect(lint(cluster(web(80, undefined, { type: 'NodePort' }), from('203.0.113.0/24'))).map((f) => f.code)).toEqual(['ir/service-masquerade']);
  });

  it('is silent with externalTrafficPolicy Local, for a ClusterIP Service, and for a block that holds a node address', () => {
    expect(lint(cluster(lb({ externalTrafficPolicy: 'Local' }), from('203.0.113.0/24')))).toEqual([]);
    expect(lint(cluster(web(80), from('203.0.113.0/24')))).toEqual([]);
    expect(lint(cluster(lb({}), from('0.0.0.0/0')))).toEqual([]);
    // Pods the Service does not serve.
    expect(lint(cluster(lb({}), np('prod', 'in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })))).toEqual([]);
  });
});

describe('reading Services', () => {
  it('changes no verdict', () => {
    const without = loadManifests(cluster(ingress80)).program;
    const withService = loadManifests(cluster(web(), ingress80)).program;
    for (const port of [80, 8080]) {
      const conn = { src: { kind: 'pod', namespace: 'dev', name: 'client' }, dst: { kind: 'pod', namespace: 'prod', name: 'web-1' }, protocol: 'TCP', port } as const;
      const a = evaluate(without, conn);
      const b = evaluate(withService, conn);
      expect('allowed' in a && 'allowed' in b && a.allowed === b.allowed).toBe(true);
    }
    expect(without.inventory.services).toBeUndefined();
    expect(withService.inventory.services?.map((s) => [s.name, s.ports])).toEqual([['web', [{ port: 80, protocol: 'TCP', targetPort: 8080 }]]]);
  });

  it('passes over a Service it cannot read with an info, and keeps an ExternalName one without ports (it replaces a cluster\'s of its name)', () => {
    const broken = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Bad_Name', namespace: 'prod' }, spec: {} };
    const noSpec = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'no-spec', namespace: 'prod' } };
    const alias = service('prod', 'alias', { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80, targetPort: 8080 }] });
    const loaded = loadManifests(cluster(broken, noSpec, alias, ingress80));
    expect(loaded.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['ir/service-unread', 'info'],
      ['ir/service-unread', 'info'],
    ]);
    expect(loaded.program.inventory.services?.map((s) => [s.name, s.ports.length, s.clusterIPs.length])).toEqual([
      ['alias', 0, 0],
      ['no-spec', 0, 0],
    ]);
    expect(lint(cluster(alias, ingress80))).toEqual([]);
  });

  it('defaults targetPort to the port and protocol to TCP, and keeps every cluster IP', () => {
    const s = service('prod', 'dual', { selector: { app: 'web' }, clusterIPs: ['10.96.0.20', 'fd00::20'], ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }, { port: 0 }] });
    const read = loadManifests(cluster(s)).program.inventory.services![0]!;
    expect(read.ports).toEqual([
      { port: 53, protocol: 'UDP', targetPort: 53 },
      { port: 80, protocol: 'TCP', targetPort: 80 },
    ]);
    expect(read.clusterIPs.map((a) => a.ip)).toEqual(['10.96.0.20', 'fd00::20']);
  });
});
