// `compile --from-cluster --namespace NS` compiles NS's policies, but their peers live in every
// namespace: an audit found that reading NS's pods alone made the Cilium output wider (an ipBlock
// around NS's pods read as "every pod", so every namespace was admitted) and a named port resolve
// to NS's number only. Pods and Services are read everywhere for a compile; a host firewall
// backend, whose ruleset covers every pod of a node, refuses --namespace.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  pod('ns-b', 'open', 'open', '198.18.1.11', 'node-2', 9090),
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
    spec: { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Ingress'] },
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

it('snapshots a namespace with the pods of every namespace, so that an offline compile of it says what a live one does', async () => {
  // A snapshot of ns-a's pods alone compiled offline into the widened Cilium policy.
  const dir = tempDir();
  expect((await runCli(['snapshot', '--from-cluster', '-n', 'ns-a', '-o', join(dir, 'snap.yaml')], env)).code).toBe(0);
  const offline = await runCli(['compile', '--backend', 'cilium', '--out-dir', join(dir, 'offline'), join(dir, 'snap.yaml')], {});
  const live = await runCli(['compile', '--backend', 'cilium', '--out-dir', join(dir, 'live'), '--from-cluster', '-n', 'ns-a'], env);
  expect([offline.code, live.code]).toEqual([0, 0]);
  expect(readFileSync(join(dir, 'offline', 'ns-a.yaml'), 'utf8')).toBe(readFileSync(join(dir, 'live', 'ns-a.yaml'), 'utf8'));
});

it('refuses --namespace for host firewalls, whose node rulesets cover every pod of the node', async () => {
  for (const backend of ['iptables', 'nftables']) {
    const r = await runCli(['compile', '--backend', backend, '--out-dir', join(tempDir(), 'out'), '--from-cluster', '-n', 'ns-a'], env);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, `netpolc compile: --namespace does not apply to ${backend}: a node's ruleset covers every pod of the node, whatever its namespace (--node limits a compile to nodes)`]);
  }
});

it('explains a connection with an endpoint of another namespace, given by IP, as that pod, refusing it as its policies were not read', async () => {
  // ns-b/other (198.18.1.10) is isolated for ingress by ns-b/deny; read alone, ns-a's pods made
  // its address an outside one, and the connection was explained as allowed.
  const r = await runCli(['explain', '--from-cluster', '-n', 'ns-a', '--from', '198.18.0.11', '--to', '198.18.1.10', '--port', '9090'], env);
  expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'netpolc explain: 198.18.1.10 is the pod ns-b/other, whose namespace\'s NetworkPolicies were not read (--namespace ns-a); add -n ns-b']);
  const both = await runCli(['explain', '--from-cluster', '-n', 'ns-a', '-n', 'ns-b', '--from', '198.18.0.11', '--to', '198.18.1.10', '--port', '9090'], env);
  expect([both.code, both.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/: DENIED$/)]);
  // Between ns-a's pods, -n ns-a is enough.
  expect((await runCli(['explain', '--from-cluster', '-n', 'ns-a', '--from', 'ns-a/api', '--to', 'ns-a/web', '--port', '80'], env)).code).toBe(0);
});

it('diffs with --namespace the connections of its pods, with pods and policies elsewhere read', async () => {
  // HEAD drops ns-a/api's egress on its named port: connections to ns-a and ns-b pods alike.
  const head = join(tempDir(), 'head.yaml');
  writeFileSync(head, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress-named-port, namespace: ns-a}\nspec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Egress]}\n');
  const whole = await runCli(['diff', '--format', 'json', '--base', 'cluster', '--head', head], env);
  const limited = await runCli(['diff', '--format', 'json', '-n', 'ns-a', '--base', 'cluster', '--head', head], env);
  expect([whole.code, limited.code]).toEqual([1, 1]);
  const removed = (out: string): string[] => (JSON.parse(out) as { removed: { from: string; to: string }[] }).removed.map((c) => `${c.from} -> ${c.to}`).sort();
  // ns-b/open's side admits the connection, ns-b/other's (ns-b/deny) never did: known only from
  // ns-b's pods and policies, which a read of ns-a alone left out ("no change" for ns-b/open).
  expect(removed(limited.stdout)).toEqual(['ns-a/api -> ns-a/web', 'ns-a/api -> ns-b/open']);
  expect(removed(limited.stdout)).toEqual(removed(whole.stdout));
  // The artifacts of a backend may be diffed too.
  expect((await runCli(['diff', '-n', 'ns-a', '--base', 'cluster', '--head', head, '--backend', 'cilium'], env)).code).toBe(1);
});
