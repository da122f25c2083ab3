// Audit: what a snapshot keeps and drops (docs/cluster.md "Snapshots") against what the compile
// reads: named ports (containers and native sidecars), podIPs of dual-stack pods, hostNetwork,
// phases, node addresses of every type, namespace labels. Compiling from the snapshot must equal
// compiling from the cluster, for every backend, byte for byte; and a restricted reader (403 on
// nodes) is exit 2, never a silent read without node addresses.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditDir, rawKubeconfig, recordingServer, type RecordingServer } from './audit-support.js';
import { runCli } from './support.js';

type Json = Record<string, unknown>;

/** Every file under `root`, by relative path, with its text. */
function tree(root: string, dir = root): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) Object.assign(out, tree(root, p));
    else out[relative(root, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

const ns = (name: string, labels: Json = {}): Json => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string, labels: Json, spec: Json, status: Json): Json => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels }, spec, status });
const running = (...ips: string[]): Json => ({ phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) });

const objects: Json[] = [
  ns('shop', { team: 'shop', 'pod-security.kubernetes.io/enforce': 'restricted' }),
  ns('ops', { team: 'ops' }),
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'z1' } },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.10.1' }, { type: 'InternalIP', address: 'fd00:10::1' }, { type: 'ExternalIP', address: '203.0.113.7' }, { type: 'Hostname', address: 'node-a' }] },
  },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.10.2' }] } },
  pod(
    'shop',
    'web',
    { app: 'web' },
    {
      nodeName: 'node-a',
      initContainers: [
        { name: 'migrate', image: 'm', ports: [{ name: 'ignored', containerPort: 9999 }] },
        { name: 'proxy', image: 'p', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 15090 }] },
      ],
      containers: [{ name: 'app', image: 'a', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'sig', containerPort: 3868, protocol: 'SCTP' }] }],
    },
    running('10.1.0.5', 'fd00:1::5'),
  ),
  pod('shop', 'db', { app: 'db' }, { nodeName: 'node-b', containers: [{ name: 'db', image: 'd', ports: [{ name: 'http', containerPort: 5432 }] }] }, running('10.1.1.9')),
  pod('shop', 'done', { app: 'web' }, { nodeName: 'node-b', containers: [{ name: 'c', image: 'c' }] }, { phase: 'Succeeded', podIP: '10.1.1.10', podIPs: [{ ip: '10.1.1.10' }] }),
  pod('shop', 'pending', { app: 'web' }, { containers: [{ name: 'c', image: 'c' }] }, { phase: 'Pending' }),
  pod('ops', 'agent', { app: 'agent' }, { nodeName: 'node-a', hostNetwork: true, containers: [{ name: 'c', image: 'c', ports: [{ name: 'http', containerPort: 9100 }] }] }, running('192.168.10.1')),
  pod('ops', 'prom', { app: 'prom' }, { nodeName: 'node-b', containers: [{ name: 'c', image: 'c' }] }, running('10.1.1.20', 'fd00:1::20')),
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'shop', name: 'web' },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'prom' } } }], ports: [{ port: 'metrics' }, { port: 'http' }] },
        { from: [{ ipBlock: { cidr: '192.168.10.0/24', except: ['192.168.10.2/32'] } }], ports: [{ port: 'dns', protocol: 'UDP' }, { port: 'sig', protocol: 'SCTP' }] },
      ],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'http' }] }],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'ops', name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['shop'] }] } }] }] },
  },
];

let server: RecordingServer;
let env: Record<string, string>;
beforeAll(async () => {
  server = await recordingServer({ objects, maxPage: 2 });
  env = { KUBECONFIG: rawKubeconfig(auditDir(), { server: server.url, user: 'token: netpolc-test-token' }) };
});
afterAll(() => server.close());

it('compiles a snapshot to the same bytes as the cluster it was taken from, for every backend', async () => {
  const dir = auditDir();
  const snap = await runCli(['snapshot', '--from-cluster', '-o', join(dir, 'snap.json')], env);
  expect(snap.stderr).toBe(`wrote ${objects.length} objects to ${join(dir, 'snap.json')}\n`);
  for (const backend of [['iptables'], ['nftables'], ['calico'], ['cilium']]) {
    const out = join(dir, backend[0]!);
    const live = await runCli(['compile', '--backend', ...backend, '--out-dir', join(out, 'live'), '--from-cluster'], env);
    const offline = await runCli(['compile', '--backend', ...backend, '--out-dir', join(out, 'offline'), join(dir, 'snap.json')], {});
    expect([backend[0], live.code]).toEqual([backend[0], 0]);
    expect(offline.code).toBe(0);
    // The same diagnostics, located in the snapshot instead of the cluster.
    const said = (t: string): string[] => t.split('\n').flatMap((l) => /\b((?:warning|error) \S+: .*)$/.exec(l)?.[1] ?? []);
    expect(said(offline.stderr)).toEqual(said(live.stderr));
    const files = tree(join(out, 'live'));
    expect(Object.keys(files).length).toBeGreaterThan(0);
    // The sidecar's named port and the pod's second family reached the output.
    const all = Object.values(files).join('\n');
    if (backend[0] === 'iptables' || backend[0] === 'nftables') expect([backend[0], all.includes('15090'), all.includes('fd00:1::')]).toEqual([backend[0], true, true]);
    expect(tree(join(out, 'offline'))).toEqual(files);
  }
  for (const args of [['--format', 'json'], ['--format', 'json', '--port', '15090'], ['--format', 'json', '--port', '3868', '--protocol', 'SCTP']]) {
    const live = await runCli(['matrix', ...args, '--from-cluster'], env);
    const offline = await runCli(['matrix', ...args, join(dir, 'snap.json')], {});
    expect(live.code).toBe(0);
    expect(offline.stdout).toBe(live.stdout);
  }
});

it('refuses to read without node addresses when nodes are forbidden (403): exit 2, not a silent partial read', async () => {
  const s = await recordingServer({ objects, forbid: ['nodes'] });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(auditDir(), { server: s.url, user: 'token: netpolc-test-token' }) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      `netpolc validate: context "ctx" (${s.url}) does not allow to list nodes at the cluster scope (403 Forbidden: ` +
        'nodes is forbidden: User "system:serviceaccount:ci:netpolc" cannot list resource "nodes" in API group "" at the cluster scope).',
    );
  } finally {
    await s.close();
  }
});

// Correct (lists at different resourceVersions): the four lists are separate reads, so a
// namespace created during the read can have pods while missing from the namespace list. Its
// labels are then unknown, and a selector such as `untrusted DoesNotExist` matches it; netpolc
// says so (ir/unknown-namespace) rather than using the namespace silently.
it('warns about a pod whose namespace is not in the namespace list (a namespace created during the read)', async () => {
  const lists: Record<string, unknown[]> = {
    namespaces: [{ metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } }],
    pods: [{ metadata: { name: 'x', namespace: 'sandbox', labels: { app: 'x' } }, spec: { nodeName: 'n', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '10.0.0.2', podIPs: [{ ip: '10.0.0.2' }] } }],
  };
  const s = await recordingServer({
    intercept: (_req, res, url) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: {}, items: lists[url.pathname.split('/').pop()!] ?? [] }));
      return true;
    },
  });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(auditDir(), { server: s.url, user: 'token: netpolc-test-token' }) });
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(
      'cluster:ctx/pods/sandbox:2:68: warning ir/unknown-namespace: namespace sandbox is not in the inventory; assuming it exists with no labels but kubernetes.io/metadata.name',
    );
  } finally {
    await s.close();
  }
});
