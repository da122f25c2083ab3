// Every way reading a cluster fails: a clear message naming the kubeconfig, context and server,
// exit code 2, nothing on stdout and no output file. No real kube-apiserver can run on these
// machines (toolchain.md §7); fake-api-server.ts plays it on 127.0.0.1.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterOptions, readerClusterRole } from '../../src/cluster/index.js';
import { startFakeApiServer, type FakeServer, type FakeServerOptions } from './fake-api-server.js';
import { readManifests, repoRoot, runCli, tempDir, testPki, writeKubeconfig } from './support.js';

const pki = testPki();
const objects = readManifests([join(repoRoot, 'examples/cluster.yaml'), join(repoRoot, 'examples/policies')]);
const servers: FakeServer[] = [];

async function fake(options: Partial<FakeServerOptions> = {}, ca = pki?.ca): Promise<{ server: FakeServer; env: Record<string, string> }> {
  const server = await startFakeApiServer({ objects, ...(pki ? { tls: { key: pki.key, cert: pki.cert } } : {}), ...options });
  servers.push(server);
  const env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'fake', server: server.url, ...(ca && server.url.startsWith('https') ? { ca } : {}) }]) };
  return { server, env };
}

let plain: { server: FakeServer; env: Record<string, string> };
beforeAll(async () => {
  plain = await fake();
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** Asserts a failed run: exit 2, no stdout, and returns stderr. */
function failed(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
  return r.stderr;
}

it('explains that there is no kubeconfig', async () => {
  const home = tempDir();
  const err = failed(await runCli(['validate', '--from-cluster'], { HOME: home }));
  expect(err).toBe(
    `netpolc validate: no kubeconfig: KUBECONFIG is not set, ${home}/.kube/config does not exist, and this is not a pod with a service account ` +
      '(KUBERNETES_SERVICE_HOST and /var/run/secrets/kubernetes.io/serviceaccount/token). Pass --kubeconfig FILE or set KUBECONFIG.\n',
  );
});

it('names the KUBECONFIG or --kubeconfig file that does not exist', async () => {
  expect(failed(await runCli(['validate', '--from-cluster'], { KUBECONFIG: '/nonexistent/a:/nonexistent/b' }))).toBe(
    'netpolc validate: cannot read the kubeconfig: KUBECONFIG=/nonexistent/a:/nonexistent/b names no existing file\n',
  );
  expect(failed(await runCli(['validate', '--from-cluster', '--kubeconfig', 'nope.yaml'], {}))).toBe(
    'netpolc validate: cannot read the kubeconfig nope.yaml (--kubeconfig): no such file\n',
  );
  const dir = tempDir();
  expect(failed(await runCli(['validate', '--from-cluster', '--kubeconfig', dir], {}))).toBe(`netpolc validate: cannot read the kubeconfig ${dir} (--kubeconfig): a directory, not a file\n`);
});

it('reads a --kubeconfig that is a pipe, as kubectl reads `--kubeconfig <(...)`', async () => {
  // It was refused as "no such file".
  const fifo = join(tempDir(), 'kubeconfig.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', plain.env['KUBECONFIG']!, fifo]);
  const r = await runCli(['validate', '--from-cluster', '--kubeconfig', fifo], {});
  writer.kill();
  expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^ok: /)]);
});

it('reports a kubeconfig that is not valid', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config'), 'apiVersion: v1\nclusters:\n- name: c\n  cluster: {}\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n');
  expect(failed(await runCli(['validate', '--from-cluster'], { KUBECONFIG: join(dir, 'config') }))).toBe(
    `netpolc validate: context "x" names cluster "c", which is not defined in the kubeconfig ${join(dir, 'config')} (an entry of the kubeconfig is invalid and was skipped: ${join(dir, 'config')}: clusters[0].cluster.server is missing)\n`,
  );
  writeFileSync(join(dir, 'broken'), 'clusters: [\n');
  expect(failed(await runCli(['validate', '--from-cluster'], { KUBECONFIG: join(dir, 'broken') }))).toMatch(
    new RegExp(`^netpolc validate: cannot read the kubeconfig ${join(dir, 'broken')}: unexpected end of the stream`),
  );
});

it('lists the contexts when --context names none of them, or there is no current-context', async () => {
  const env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'alpha', server: plain.server.url }, { name: 'beta', server: plain.server.url }], null) };
  expect(failed(await runCli(['validate', '--from-cluster', '--context', 'gamma'], env))).toBe(
    `netpolc validate: context "gamma" is not defined in the kubeconfig ${env.KUBECONFIG} (contexts: alpha, beta)\n`,
  );
  expect(failed(await runCli(['validate', '--from-cluster'], env))).toBe(
    `netpolc validate: the kubeconfig ${env.KUBECONFIG} has no current-context; pass --context NAME (contexts: alpha, beta)\n`,
  );
});

it('says the server is unreachable when nothing listens (connection refused)', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'down', server: `https://127.0.0.1:${port}`, ...(pki ? { ca: pki.ca } : {}) }]) };
  expect(failed(await runCli(['matrix', '--from-cluster'], env))).toBe(
    `netpolc matrix: cannot reach context "down" (https://127.0.0.1:${port}): connection refused; is the cluster running and is the address right? [ECONNREFUSED]\n`,
  );
});

it.skipIf(!pki)('reports a TLS failure when the kubeconfig trusts another CA', async () => {
  const { server, env } = await fake({}, pki?.otherCa);
  expect(failed(await runCli(['validate', '--from-cluster'], env))).toBe(
    `netpolc validate: TLS verification of context "fake" (${server.url}) failed: unable to verify the first certificate [UNABLE_TO_VERIFY_LEAF_SIGNATURE]; ` +
      `the server certificate is not signed by the certificate-authority(-data) of cluster "fake-cluster" in ${env.KUBECONFIG}\n`,
  );
});

it('reports an https URL that reaches a plain-http server', async () => {
  const server = await startFakeApiServer({ objects });
  servers.push(server);
  const url = server.url.replace('http:', 'https:');
  const env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'mixed', server: url, ...(pki ? { ca: pki.ca } : {}) }]) };
  expect(failed(await runCli(['validate', '--from-cluster'], env))).toMatch(
    new RegExp(`^netpolc validate: TLS verification of context "mixed" \\(${url.replaceAll('.', '\\.')}\\) failed: .* \\[EPROTO\\]; the server did not answer with TLS; is the URL scheme \\(https\\) right\\?\\n$`),
  );
});

it('explains a 401: the credentials are wrong or expired', async () => {
  const { server, env } = await fake({ token: 'another-token' });
  expect(failed(await runCli(['validate', '--from-cluster'], env))).toBe(
    `netpolc validate: context "fake" (${server.url}) rejected the credentials of the kubeconfig ${env.KUBECONFIG} (401 Unauthorized: Unauthorized) for GET /api/v1/namespaces?limit=500. ` +
      "The token or client certificate is missing, wrong or expired; refresh the kubeconfig (for example with your provider's get-credentials command).\n",
  );
});

it('explains a 403 with the verb and resource, and prints a ClusterRole that grants them', async () => {
  const { server, env } = await fake({ forbid: ['networkpolicies'] });
  const err = failed(await runCli(['validate', '--from-cluster'], env));
  const [head, ...rest] = err.split('\n');
  expect(head).toBe(
    `netpolc validate: context "fake" (${server.url}) does not allow to list networkpolicies.networking.k8s.io at the cluster scope (403 Forbidden: ` +
      'networkpolicies.networking.k8s.io is forbidden: User "system:serviceaccount:ci:netpolc" cannot list resource "networkpolicies" in API group "networking.k8s.io" at the cluster scope).',
  );
  expect(rest.slice(-2)).toEqual(['  kubectl create clusterrolebinding netpolc-reader --clusterrole=netpolc-reader --serviceaccount=ci:netpolc', '']);
  // The printed role is the documented one, and it grants list on all five resources.
  expect(err).toContain(`\n\n${readerClusterRole}\n\n`);
  const role = parse(readerClusterRole) as { kind: string; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  expect(role.kind).toBe('ClusterRole');
  const granted = role.rules.flatMap((r) => r.resources.flatMap((res) => r.apiGroups.map((g) => `${g}/${res}:${[...r.verbs].sort().join(',')}`)));
  expect(granted.sort()).toEqual(['/namespaces:get,list', '/nodes:get,list', '/pods:get,list', '/services:get,list', 'networking.k8s.io/networkpolicies:get,list']);
});

it('reads on without Services when their list is forbidden (they only feed warnings), saying so once', async () => {
  const { server, env } = await fake({ forbid: ['services'] });
  const r = await runCli(['validate', '--from-cluster', '-n', 'production', '-n', 'monitoring'], env);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(
    `netpolc: warning: context "fake" (${server.url}) does not let netpolc list /api/v1/services (403): no warnings about policies written against Services (ir/service-port, ir/service-cluster-ip, ir/service-masquerade)\n`,
  );
  expect(server.requests.filter((q) => q.includes('/services')).length).toBe(1);
});

it('names the namespace of a namespaced 403', async () => {
  const { server, env } = await fake({ forbid: ['networkpolicies'] });
  const head = failed(await runCli(['validate', '--from-cluster', '-n', 'production'], env)).split('\n')[0];
  expect(head).toBe(
    `netpolc validate: context "fake" (${server.url}) does not allow to list networkpolicies.networking.k8s.io in namespace production (403 Forbidden: ` +
      'networkpolicies.networking.k8s.io is forbidden: User "system:serviceaccount:ci:netpolc" cannot list resource "networkpolicies" in API group "networking.k8s.io" in the namespace "production").',
  );
});

it('explains a 404: the server does not serve the list', async () => {
  const { server, env } = await fake({ missing: ['networkpolicies'] });
  expect(failed(await runCli(['validate', '--from-cluster'], env))).toBe(
    `netpolc validate: context "fake" (${server.url}) does not serve /apis/networking.k8s.io/v1/networkpolicies (404 Not Found: the server could not find the requested resource); ` +
      `is ${server.url} a Kubernetes API server, with the networking.k8s.io API group?\n`,
  );
});

it('gives up on a slow server after --request-timeout', async () => {
  const { server, env } = await fake({ delayMs: 3000 });
  const started = performance.now();
  const err = failed(await runCli(['validate', '--from-cluster', '--request-timeout', '300ms'], env));
  expect(performance.now() - started).toBeLessThan(2500);
  expect(err).toBe(`netpolc validate: context "fake" (${server.url}) did not answer GET /api/v1/namespaces?limit=500 within 300ms (--request-timeout); the API server is slow or unreachable\n`);
});

it('retries a 503 three times, then reports it', async () => {
  const { server, env } = await fake({ unavailable: 10 });
  expect(failed(await runCli(['validate', '--from-cluster'], env))).toBe(
    `netpolc validate: context "fake" (${server.url}) answered GET /api/v1/namespaces?limit=500 with 503 Service Unavailable: the server is currently unable to handle the request\n`,
  );
  expect(server.requests.length).toBe(4);
});

it('writes no output file when the read fails (snapshot, compile)', async () => {
  const { env } = await fake({ forbid: ['pods'] });
  const dir = tempDir();
  const r = await runCli(['snapshot', '--from-cluster', '-o', join(dir, 'snap.yaml')], env);
  expect(r.code).toBe(2);
  const c = await runCli(['compile', '--backend', 'calico', '--out-dir', join(dir, 'out'), '--from-cluster'], env);
  expect(c.code).toBe(2);
  expect(readdirSync(dir)).toEqual([]);
  expect(existsSync(join(dir, 'out'))).toBe(false);
});

it('rejects cluster flags without --from-cluster, and bad durations', async () => {
  const r = await runCli(['validate', '--context', 'x', 'examples/policies'], {});
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('netpolc validate: --context needs --from-cluster\nRun `netpolc validate --help` for usage.\n');
  const t = await runCli(['validate', '--from-cluster', '--request-timeout', 'soon'], {});
  expect(t.stderr).toBe('netpolc validate: --request-timeout soon: expected seconds or a duration such as 500ms, 30s, 2m\nRun `netpolc validate --help` for usage.\n');
  // Past Node's longest timer (2^31-1 ms) every request timed out at once, with a Node warning
  // in front of --diagnostics-format json's array.
  for (const long of ['600h', '2147484']) {
    const l = await runCli(['validate', '--from-cluster', '--request-timeout', long], {});
    expect([l.code, l.stderr.split('\n')[0]]).toEqual([2, `netpolc validate: --request-timeout ${long}: at most 2147483s (about 24 days); 0 for none`]);
  }
  expect(clusterOptions({ 'request-timeout': '2147483' }, true).requestTimeoutMs).toBe(2147483000);
});

it('reports a --namespace that does not exist in the cluster', async () => {
  expect(failed(await runCli(['validate', '--from-cluster', '-n', 'nope'], plain.env))).toBe(
    `netpolc validate: namespace nope (--namespace) does not exist in context "fake" (${plain.server.url})\n`,
  );
});
