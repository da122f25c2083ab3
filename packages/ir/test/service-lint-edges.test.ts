// The Service lint's edges, from a review that found each a false warning or a missed one (the
// comments say what Kubernetes does), and its interplay with --semantics ipblock-matches-nodes.
import { describe, expect, it } from 'vitest';
import { resolve, type Diagnostic, type LoadOptions } from '../src/index.js';
import { loadManifests, namespace, networkPolicy as np, node, pod, type Manifest } from '../src/testing/index.js';

function service(ns: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

function cluster(withNode = true): Manifest[] {
  return [
    ...(withNode ? [node('n1', '198.19.0.1')] : []),
    namespace('prod'),
    namespace('dev'),
    pod('prod', 'web-1', { app: 'web' }, '198.18.0.10', { node: 'n1', ports: [['http', 8080, 'TCP']] }),
    pod('dev', 'client', { app: 'client' }, '198.18.1.10', { node: 'n1' }),
  ];
}

/** `code path` of the Service lint diagnostics (and of any error) of the inputs. */
function lint(objects: readonly Manifest[], options: LoadOptions = {}): string[] {
  const loaded = loadManifests(objects, options);
  const found: Diagnostic[] = [...loaded.diagnostics, ...resolve(loaded.program).diagnostics].filter((d) => d.code.startsWith('ir/service') || d.severity === 'error');
  return found.map((d) => `${d.code} ${d.target.kind === 'ref' ? d.target.path.slice(2).join('.') : ''}`);
}

const ingress80 = np('prod', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }] });
const nodePort = (extra: Record<string, unknown> = {}): Manifest =>
  service('prod', 'web', { type: 'NodePort', selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }], ...extra });
const ingressFrom = (peers: unknown[], ports?: unknown[]): Manifest =>
  np('prod', 'in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: peers, ...(ports ? { ports } : {}) }] });

describe('ir/service-port', () => {
  // Was a false warning: a headless Service (clusterIP: None) is not proxied, so there is no
  // DNAT from port to targetPort; clients resolve the pod IPs and connect to the port they use.
  // Kubernetes tolerates targetPort != port on headless Services (validation.go: "in the v1 API,
  // targetPorts on headless services were tolerated") and documents "kube-proxy does not handle
  // these Services, and there is no load balancing or proxying". service.ts/service-lint.ts build
  // a Forward for every port whatever clusterIP says.
  it('is silent for a headless Service (clusterIP None): nothing translates its port', () => {
    const headless = service('prod', 'web', { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    expect(lint([...cluster(), headless, ingress80])).toEqual([]);
  });

  // Was missed: SetDefaults_Service turns `protocol: ""` into TCP; servicePort()
  // (lower/service.ts) drops the port instead, so the forward 80 -> 8080 is never seen.
  it('reads protocol "" as TCP, as SetDefaults_Service does', () => {
    const s = service('prod', 'web', { selector: { app: 'web' }, ports: [{ port: 80, protocol: '', targetPort: 8080 }] });
    expect(lint([...cluster(), s, ingress80])).toEqual(['ir/service-port spec.ingress.0.ports.0']);
  });
});

describe('ir/service-masquerade', () => {
  // Was a false warning: with no Node object in the input (files holding only pods, Services
  // and policies; a --from-cluster role without nodes), node addresses are unknown, yet
  // masqueradeWarnings() reads "no node address known" as "the block holds none" and warns even
  // at 0.0.0.0/0, which holds every node address.
  it('does not claim 0.0.0.0/0 holds no node address when the input lists no Node', () => {
    expect(lint([...cluster(false), nodePort(), ingressFrom([{ ipBlock: { cidr: '0.0.0.0/0' } }])])).toEqual([]);
  });

  // Was missed: under ipblock-matches-nodes=false an ipBlock
  // matches no node address at all, so masqueraded clients (arriving from a node address) are
  // never admitted by any ipBlock; masqueradeWarnings() still suppresses the warning for a block
  // that merely *contains* a node address, ignoring program.semantics.ipBlockMatchesNodes.
  it('warns under ipblock-matches-nodes=false even when the block contains node addresses', () => {
    const found = lint([...cluster(), nodePort(), ingressFrom([{ ipBlock: { cidr: '0.0.0.0/0' } }])], { semantics: { ipBlockMatchesNodes: false } });
    expect(found).toEqual(['ir/service-masquerade spec.ingress.0.from.0']);
  });

  // Was a false warning: the warning ignores the rule's ports. A rule admitting a monitoring
  // network on 9090 says nothing about the Service's clients (port 80 -> 8080), yet every ingress
  // ipBlock of a policy on the Service's pods is flagged.
  it('is silent for an ipBlock rule whose ports do not include the Service target port', () => {
    expect(lint([...cluster(), nodePort(), ingressFrom([{ ipBlock: { cidr: '10.20.0.0/16' } }], [{ port: 9090 }])])).toEqual([]);
  });

  // Was a false warning: judged per peer, not per rule. The rule's 0.0.0.0/0 peer holds the
  // node address and admits the masqueraded clients; the ::/0 peer beside it (a dual-stack
  // "allow all") is flagged as if the clients were not allowed.
  it('is silent when another peer of the same rule holds the node addresses', () => {
    expect(lint([...cluster(), nodePort(), ingressFrom([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }])])).toEqual([]);
  });

  // Was missed: SetDefaults_Service defaults externalTrafficPolicy to Cluster for
  // every externally-accessible Service (service.ExternallyAccessible: NodePort, LoadBalancer, or
  // a ClusterIP Service with externalIPs), and kube-proxy masquerades external-IP clients the
  // same way; lowerService() only considers NodePort and LoadBalancer.
  it('warns for a ClusterIP Service with externalIPs (externally accessible, policy Cluster)', () => {
    const s = service('prod', 'web', { externalIPs: ['203.0.113.7'], selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] });
    expect(lint([...cluster(), s, ingressFrom([{ ipBlock: { cidr: '192.0.2.0/24' } }])])).toEqual(['ir/service-masquerade spec.ingress.0.from.0']);
  });
});

describe('ir/service-cluster-ip', () => {
  // Was a false warning: judged per peer. The rule also allows the Service's pods (by their
  // CIDR, or by selector), so connections through the ClusterIP are allowed; the message ("this
  // ipBlock does not allow connections to the Service (select its pods instead)") is wrong
  // advice on a correct policy.
  it('is silent when another peer of the same rule already allows the Service pods', () => {
    const s = service('prod', 'web', { clusterIP: '10.96.0.10', selector: { app: 'web' }, ports: [{ port: 80 }] });
    const out = (peer: unknown): Manifest => np('dev', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.96.0.0/12' } }, peer] }] });
    expect(lint([...cluster(), s, out({ ipBlock: { cidr: '198.18.0.0/16' } })])).toEqual([]);
    expect(lint([...cluster(), s, out({ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } })])).toEqual([]);
  });
});

describe('reading Services', () => {
  // Was an error: Services "never change a verdict" and one that cannot be read is "never
  // an error that would stop a compile" (lower/service.ts), but the same Service in two inputs
  // (a kubectl dump next to rendered charts) is now ir/duplicate-object, an error: validate and
  // compile exit 2 where they compiled before Services were read (load.ts `add(services, ...)`).
  it('a Service given twice is no error', () => {
    const s = service('prod', 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    const loaded = loadManifests([...cluster(), s, s]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([]);
  });
});

describe('Service ports as the API server defaults them', () => {
  it('reads an empty targetPort as the port (SetDefaults_Service), and names a port it refuses', () => {
    const svc = (ports: unknown[]): Manifest => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'x' }, spec: { clusterIP: '198.18.255.1', ports } }) as Manifest;
    const r = loadManifests([namespace('x'), svc([{ port: 80, targetPort: '' }, { port: 81, targetPort: 0 }, { port: 0.5 }, { port: 82, protocol: 'tcp' }])]);
    // Old code: targetPort "" was refused as a port the API server would not store.
    expect(r.program.inventory.services![0]!.ports.map((p) => p.targetPort)).toEqual([80, 81]);
    expect(r.diagnostics.filter((d) => d.code === 'ir/service-port-unread').map((d) => d.message)).toEqual([expect.stringContaining('port 2 '), expect.stringContaining('port 3 ')]);
  });
});
