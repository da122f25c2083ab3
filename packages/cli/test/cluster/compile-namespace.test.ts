// `compile --from-cluster --namespace NS` compiles NS's policies, but their peers live in every
// namespace: an audit found that reading NS's pods alone made the Cilium output wider (an ipBlock
// around NS's pods read as "every pod", so every namespace was admitted) and a named port resolve
// to NS's number only. Pods and Services are read everywhere for a compile; a host firewall
// backend, whose ruleset covers every pod of a node, refuses --namespace.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeApiServer, type FakeServer } from './fake-api-server.js';
import { runCli, tempDir, writeKubeconfig } from './support.js';

type Json = Record<string, unknown>;

const pod = (ns: string, name: string, app: string, ip: string, node: string, http: number): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app } },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: http, protocol: 'TCP' }] }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
const objects: Json[] = [
  ...['ns-a', 'ns-b'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } })),
  ...[1, 2].map((i) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` }, status: { addresses: [{ type: 'InternalIP', address: `198.19.0.${i}` }] } })),
  pod('ns-a', 'web', 'web', '198.18.0.10', 'node-1', 80),
  pod('ns-a', 'api', 'api', '198.18.0.11', 'node-1', 80),
  pod('ns-b', 'other', 'other', '198.18.1.10', 'node-2', 9090),
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-a-range', namespace: 'ns-a' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/24' } }] }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'egress-named-port', namespace: 'ns-a' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny', namespace: 'ns-b' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  },
];

let server: FakeServer;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startFakeApiServer({ objects });
  env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'fake', server: server.url }]) };
});
afterAll(() => server.close());

it('compiles a namespace\'s policies against the pods of every namespace, as a whole-cluster compile does', async () => {
  for (const backend of ['cilium', 'calico']) {
    const dir = tempDir();
    const whole = await runCli(['compile', '--backend', backend, '--out-dir', join(dir, 'whole'), '--from-cluster'], env);
    expect(whole.code, whole.stderr).toBe(0);
    server.requests.length = 0;
    const limited = await runCli(['compile', '--backend', backend, '--out-dir', join(dir, 'limited'), '--from-cluster', '-n', 'ns-a'], env);
    expect(limited.code, limited.stderr).toBe(0);
    // Byte for byte the namespace's file of the whole compile; ns-b's policies were not read.
    const file = backend === 'cilium' ? 'ns-a.yaml' : 'namespace-ns-a.yaml';
    expect(readdirSync(join(dir, 'limited'))).toEqual([file]);
    expect(readFileSync(join(dir, 'limited', file), 'utf8')).toBe(readFileSync(join(dir, 'whole', file), 'utf8'));
    const listed = server.requests.map((r) => r.split('?')[0]);
    expect(listed).toContain('GET /api/v1/pods');
    expect(listed).toContain('GET /apis/networking.k8s.io/v1/namespaces/ns-a/networkpolicies');
    expect(listed).not.toContain('GET /apis/networking.k8s.io/v1/networkpolicies');
  }
});

it('refuses --namespace for host firewalls, whose node rulesets cover every pod of the node', async () => {
  for (const backend of ['iptables', 'nftables']) {
    const r = await runCli(['compile', '--backend', backend, '--out-dir', join(tempDir(), 'out'), '--from-cluster', '-n', 'ns-a'], env);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, `netpolc compile: --namespace does not apply to ${backend}: a node's ruleset covers every pod of the node, whatever its namespace (--node limits a compile to nodes)`]);
  }
});

it('refuses diff --backend with --namespace, whose read would hold the selected namespaces\' pods only', async () => {
  const r = await runCli(['diff', '--base', 'cluster', '--head', 'cluster', '-n', 'ns-a', '--backend', 'cilium'], env);
  expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'netpolc diff: --backend cannot be combined with --namespace: compiled output names peers in every namespace, and --namespace reads the pods of those namespaces only']);
  // Without --backend the connections between ns-a's pods are diffed as before.
  expect((await runCli(['diff', '--base', 'cluster', '--head', 'cluster', '-n', 'ns-a'], env)).code).toBe(0);
});
