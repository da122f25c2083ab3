// Reading a live cluster with --from-cluster. No real kube-apiserver can run on these machines
// (toolchain.md §7): the cluster is fake-api-server.ts, an HTTPS server on 127.0.0.1 with a
// self-signed CA (plain HTTP if openssl is missing) speaking the Kubernetes list API, and the
// real @kubernetes/client-node talks to it through a generated kubeconfig.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clusterOptions, readCluster } from '../../src/cluster/index.js';
import { cli, example } from '../run-cli.js';
import { startFakeApiServer, type FakeServer } from './fake-api-server.js';
import { readManifests, repoRoot, runCli, tempDir, testPki, writeKubeconfig } from './support.js';

const pki = testPki();
const exampleObjects = readManifests([join(repoRoot, 'examples/cluster.yaml'), join(repoRoot, 'examples/policies')]);
let server: FakeServer;
let kubeconfig: string;
let env: Record<string, string>;

beforeAll(async () => {
  // At most four items per page, so the lists of the example take several pages.
  server = await startFakeApiServer({ objects: exampleObjects, maxPage: 4, ...(pki ? { tls: { key: pki.key, cert: pki.cert } } : {}) });
  kubeconfig = writeKubeconfig(tempDir(), [{ name: 'fake', server: server.url, ...(pki ? { ca: pki.ca } : {}) }]);
  env = { KUBECONFIG: kubeconfig };
});
afterAll(() => server.close());

it('validates the example read from the cluster with the same counts as from files', async () => {
  const r = await runCli(['validate', '--from-cluster'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('ok: 7 policies, 3 namespaces, 11 pods, 2 nodes; 0 errors, 0 warnings\n');
});

it('gives the same matrix as the example files, table and JSON', async () => {
  for (const args of [['--port', '8080'], ['--format', 'json'], ['--format', 'json', '--port', '53', '--protocol', 'UDP']]) {
    const files = await cli(['matrix', ...args, ...example]);
    const live = await runCli(['matrix', ...args, '--from-cluster'], env);
    expect(live.code).toBe(0);
    expect(live.stdout).toBe(files.stdout);
  }
});

it('reads every list in pages of at most 500, following metadata.continue', async () => {
  server.requests.length = 0;
  await runCli(['validate', '--from-cluster'], env);
  const pods = server.requests.filter((r) => r.startsWith('GET /api/v1/pods'));
  // 11 pods at 4 per page: 3 requests, the first without a continue token.
  expect(pods.length).toBe(3);
  expect(pods[0]).toBe('GET /api/v1/pods?limit=500');
  expect(pods.slice(1).every((r) => /^GET \/api\/v1\/pods\?limit=500&continue=[A-Za-z0-9%=]+$/.test(r))).toBe(true);
  const paths = new Set(server.requests.map((r) => r.split('?')[0]));
  expect([...paths].sort()).toEqual(['GET /api/v1/namespaces', 'GET /api/v1/nodes', 'GET /api/v1/pods', 'GET /api/v1/services', 'GET /apis/networking.k8s.io/v1/networkpolicies']);
});

it('reads only the policies of --namespace, pods of every namespace, and its matrix equals the files\'', async () => {
  server.requests.length = 0;
  const live = await runCli(['matrix', '--format', 'json', '--namespace', 'production', '--from-cluster'], env);
  const files = await cli(['matrix', '--format', 'json', '--namespace', 'production', ...example]);
  expect(live.code).toBe(0);
  expect(live.stdout).toBe(files.stdout);
  const paths = new Set(server.requests.map((r) => r.split('?')[0]));
  expect([...paths].sort()).toEqual([
    'GET /api/v1/namespaces',
    'GET /api/v1/nodes',
    'GET /api/v1/pods',
    'GET /api/v1/services',
    'GET /apis/networking.k8s.io/v1/namespaces/production/networkpolicies',
  ]);
  const validate = await runCli(['validate', '-n', 'production', '--from-cluster'], env);
  expect(validate.stdout).toBe('ok: 6 policies, 3 namespaces, 11 pods, 2 nodes; 0 errors, 0 warnings\n');
});

it('lets local files replace cluster objects of the same kind, namespace and name', async () => {
  const dir = tempDir();
  // The cluster's monitoring/allow-same-namespace, replaced by one that selects no pod.
  writeFileSync(
    join(dir, 'replace.yaml'),
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-same-namespace, namespace: monitoring}\nspec:\n  podSelector: {matchLabels: {none: none}}\n',
  );
  const r = await runCli(['validate', '--from-cluster', join(dir, 'replace.yaml')], env);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('ok: 7 policies, 3 namespaces, 11 pods, 2 nodes; 0 errors, 0 warnings\n');
  const query = ['explain', '--from', 'kube-system/coredns-5d78-aaaaa', '--to', 'monitoring/grafana-6f8d-uvwxy', '--port', '3000', '--format', 'json', '--from-cluster'];
  const before = await runCli(query, env);
  const after = await runCli([...query, join(dir, 'replace.yaml')], env);
  expect((JSON.parse(before.stdout) as { allowed: boolean }).allowed).toBe(false);
  expect((JSON.parse(after.stdout) as { allowed: boolean }).allowed).toBe(true);
});

it('locates diagnostics in the cluster object they are about', async () => {
  const bad = [
    ...exampleObjects,
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'twin', namespace: 'production' }, spec: { nodeName: 'node-1' }, status: { phase: 'Running', podIP: '198.18.1.10' } },
  ];
  const s = await startFakeApiServer({ objects: bad });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'dup', server: s.url }]) });
    expect(r.code).toBe(0);
    const first = r.stderr.split('\n')[0]!;
    expect(first).toMatch(/^cluster:dup\/pods\/production:\d+:1: warning ir\/duplicate-ip: /);
  } finally {
    await s.close();
  }
});

it('shows progress on a terminal and erases it, then a summary; nothing on a pipe', async () => {
  const tty = await runCli(['validate', '--from-cluster'], env, { tty: true });
  expect(tty.code).toBe(0);
  const lines = tty.stderr.split('\r\u001b[K');
  expect(lines[1]).toBe('reading context fake: 0 namespaces, 0 nodes, 0 pods, 0 NetworkPolicies…');
  expect(tty.stderr).toMatch(/\r\u001b\[Knetpolc: read 3 namespaces, 2 nodes, 11 pods, 7 NetworkPolicies from context "fake" \(https?:\/\/127\.0\.0\.1:\d+\) in \d+\.\d s\n$/);
  const pipe = await runCli(['validate', '--from-cluster'], env);
  expect(pipe.stderr).toBe('');
});

it('merges the files of KUBECONFIG (first wins) and selects --context', async () => {
  const dir = tempDir();
  const first = writeKubeconfig(dir, [{ name: 'other', server: 'https://127.0.0.1:1' }], 'other', 'first');
  const second = writeKubeconfig(dir, [{ name: 'fake', server: server.url, ...(pki ? { ca: pki.ca } : {}) }], 'fake', 'second');
  const r = await runCli(['validate', '--from-cluster', '--context', 'fake'], { KUBECONFIG: `${first}:${join(dir, 'missing')}:${second}` });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // The first file's current-context wins: "other", which is unreachable.
  const current = await runCli(['validate', '--from-cluster', '--request-timeout', '5s'], { KUBECONFIG: `${first}:${second}` });
  expect(current.code).toBe(2);
  expect(current.stderr).toContain('context "other"');
});

it('reads ~/.kube/config when KUBECONFIG is unset, and --kubeconfig before both', async () => {
  const home = tempDir();
  writeKubeconfig(join(home, '.kube'), [{ name: 'fake', server: server.url, ...(pki ? { ca: pki.ca } : {}) }]);
  const r = await runCli(['validate', '--from-cluster'], { HOME: home });
  expect(r.code).toBe(0);
  const explicit = await runCli(['validate', '--from-cluster', '--kubeconfig', kubeconfig], { HOME: tempDir(), KUBECONFIG: '/nonexistent' });
  expect(explicit.code).toBe(0);
});

it('uses the pod\'s service account when there is no kubeconfig (in-cluster)', async () => {
  const sa = tempDir();
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), 'netpolc-test-token');
  writeFileSync(join(sa, 'ca.crt'), pki?.ca ?? '');
  const port = new URL(server.url).port;
  const io = {
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
    cwd: repoRoot,
    env: { HOME: tempDir(), KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
    readStdin: async () => new Uint8Array(),
  };
  if (!pki) return; // in-cluster configuration is always https
  const read = await readCluster(clusterOptions({ 'from-cluster': true }), io, { serviceAccountDir: sa });
  expect(read.context).toBe('in-cluster');
  expect(read.server).toBe(`https://127.0.0.1:${port}`);
  expect(read.objects.map((o) => o.kind).filter((k) => k === 'Pod').length).toBe(11);
});

it('accepts a plain-http server (kubectl proxy) without insecure-skip-tls-verify', async () => {
  const s = await startFakeApiServer({ objects: exampleObjects });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'proxy', server: s.url }]) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  } finally {
    await s.close();
  }
});

it('retries 503 answers and reads a list whose continue token expired (410) whole, as client-go\'s pager does', async () => {
  const s = await startFakeApiServer({ objects: exampleObjects, maxPage: 4, unavailable: 2, expireContinueOf: 'pods' });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'flaky', server: s.url }]) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok: 7 policies, 3 namespaces, 11 pods, 2 nodes; 0 errors, 0 warnings\n');
    const pods = s.requests.filter((q) => q.startsWith('GET /api/v1/pods'));
    // first page, expired second page, then the whole list in one request without limit.
    expect(pods).toEqual(['GET /api/v1/pods?limit=500', expect.stringMatching(/^GET \/api\/v1\/pods\?limit=500&continue=/), 'GET /api/v1/pods']);
  } finally {
    await s.close();
  }
});

it('tolerates a server without nodes (404) with a warning', async () => {
  const s = await startFakeApiServer({ objects: exampleObjects, missing: ['nodes'] });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'nonodes', server: s.url }]) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^netpolc: warning: context "nonodes" \(http:\/\/127\.0\.0\.1:\d+\) does not serve \/api\/v1\/nodes \(404\): node addresses are unknown\n/);
    expect(r.stdout).toBe('ok: 7 policies, 3 namespaces, 11 pods, 0 nodes; 0 errors, 0 warnings\n');
  } finally {
    await s.close();
  }
});

it('reads as an anonymous user when the context names no user', async () => {
  const dir = tempDir();
  const config = ['apiVersion: v1', 'clusters:', `- name: c`, `  cluster: {server: "${server.url}"${pki ? `, certificate-authority-data: ${Buffer.from(pki.ca).toString('base64')}` : ''}}`, 'contexts:', '- name: anon', '  context: {cluster: c}', 'current-context: anon', ''];
  writeFileSync(join(dir, 'config'), config.join('\n'));
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: join(dir, 'config') });
  // The fake server wants a token: the request went out, without credentials.
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^netpolc validate: context "anon" \(https?:\/\/127\.0\.0\.1:\d+\) rejected the credentials .*\(401 Unauthorized: Unauthorized\)/);
});
