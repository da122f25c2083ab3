// Credentials netpolc handles itself (exec plugins, impersonation, the service account behind an
// empty kubeconfig) and the transport's gzip decoding, beyond what the audit tests cover.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clusterOptions, readCluster } from '../../src/cluster/index.js';
import { runExecPlugin } from '../../src/cluster/exec-plugin.js';
import { impersonationHeaders } from '../../src/cluster/user-auth.js';
import { auditDir, clientCertificate, exampleObjects, exampleOk, rawKubeconfig, recordingServer, type RecordingServer } from './audit-support.js';
import { startFakeApiServer } from './fake-api-server.js';
import { repoRoot, runCli, testPki } from './support.js';

const pki = testPki();
let server: RecordingServer;
beforeAll(async () => {
  server = await recordingServer();
});
afterAll(() => server.close());

/** A plugin script: `body` runs, then `print` (a shell command) prints the credential; each run appends a line to `runs`. */
function script(dir: string, body: string): { path: string; runs: string } {
  mkdirSync(dir, { recursive: true });
  const runs = join(dir, 'runs');
  const path = join(dir, 'plugin');
  writeFileSync(path, ['#!/bin/sh', `echo run >> '${runs}'`, body, ''].join('\n'));
  chmodSync(path, 0o755);
  return { path, runs };
}

const execUser = (command: string, apiVersion = 'client.authentication.k8s.io/v1', mode = 'Never'): string =>
  ['exec:', `  apiVersion: ${apiVersion}`, `  command: "${command}"`, `  interactiveMode: ${mode}`].join('\n');
const credential = (apiVersion: string, status: object): string => `printf '%s' '${JSON.stringify({ apiVersion, kind: 'ExecCredential', status })}'`;
const runs = (file: string): number => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length;

it('runs the plugin again once when the API server rejects its token (401)', async () => {
  const dir = auditDir();
  const count = join(dir, 'count');
  // The first run prints a stale token, later runs the right one.
  const body = `if [ -f '${count}' ]; then ${credential('client.authentication.k8s.io/v1', { token: 'netpolc-test-token' })}; else touch '${count}'; ${credential('client.authentication.k8s.io/v1', { token: 'stale' })}; fi`;
  const plugin = script(dir, body);
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(dir, { server: server.url, user: execUser(plugin.path) }) });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(exampleOk);
  expect(runs(plugin.runs)).toBe(2);
});

it.skipIf(!pki)('authenticates with the client certificate a v1beta1 plugin returns', async () => {
  const dir = auditDir();
  const client = clientCertificate(join(dir, 'certs'));
  const s = await startFakeApiServer({ objects: exampleObjects, tls: { key: pki!.key, cert: pki!.cert, clientCa: client.ca } });
  try {
    const status = { clientCertificateData: readFileSync(client.certFile, 'utf8'), clientKeyData: readFileSync(client.keyFile, 'utf8') };
    writeFileSync(join(dir, 'cred.json'), JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status }));
    const plugin = script(dir, `cat '${join(dir, 'cred.json')}'`);
    const ca = `certificate-authority-data: ${Buffer.from(pki!.ca).toString('base64')}`;
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(dir, { server: s.url, cluster: ca, user: execUser(plugin.path, 'client.authentication.k8s.io/v1beta1') }) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(exampleOk);
    expect(runs(plugin.runs)).toBe(1);
  } finally {
    await s.close();
  }
});

it.skipIf(isatty(0))('refuses interactiveMode Always without a terminal on standard input, as client-go does', async () => {
  const dir = auditDir();
  const plugin = script(dir, credential('client.authentication.k8s.io/v1', { token: 'netpolc-test-token' }));
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(dir, { server: server.url, user: execUser(plugin.path, undefined, 'Always') }) });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('its interactiveMode is Always, but standard input is not a terminal');
});

it('reports a plugin that fails, or prints something that is not a credential (exit 2)', async () => {
  const dir = auditDir();
  const failing = script(join(dir, 'a'), 'exit 3');
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(dir, { server: server.url, user: execUser(failing.path) }) });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`the exec credential plugin ${failing.path} for context "ctx" (${server.url}) failed with exit code 3`);
  const other = script(join(dir, 'b'), credential('client.authentication.k8s.io/v1beta1', { token: 't' }));
  const r2 = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(dir, { server: server.url, user: execUser(other.path) }) });
  expect(r2.code).toBe(2);
  expect(r2.stderr).toContain('is configured to use API version client.authentication.k8s.io/v1, but printed an ExecCredential of version "client.authentication.k8s.io/v1beta1"');
});

it('stops a plugin that does not finish in time', async () => {
  const plugin = script(auditDir(), 'sleep 5');
  const io = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, cwd: repoRoot, env: {}, readStdin: async () => new Uint8Array() };
  const config = { command: plugin.path, args: [], env: [], apiVersion: 'client.authentication.k8s.io/v1' as const, installHint: undefined, provideClusterInfo: false, interactiveMode: 'Never' as const };
  await expect(runExecPlugin(config, undefined, io, 'a test', 200)).rejects.toThrow('did not finish within 0.2s; netpolc stopped it');
});

it('sends as-user-extra as Impersonate-Extra headers, one line per value, keys escaped as client-go does', () => {
  const h = impersonationHeaders({ user: 'alice', uid: undefined, groups: [], extra: { 'scopes.example.com/a b%': ['x', 'y'], empty: [] } });
  expect(h).toEqual({ 'Impersonate-User': 'alice', 'Impersonate-Extra-scopes.example.com%2Fa%20b%25': ['x', 'y'] });
});

it.skipIf(!pki)('uses the service account in a pod when ~/.kube/config is empty', async () => {
  const s = await startFakeApiServer({ objects: exampleObjects, tls: { key: pki!.key, cert: pki!.cert } });
  try {
    const sa = auditDir();
    writeFileSync(join(sa, 'token'), 'netpolc-test-token');
    writeFileSync(join(sa, 'ca.crt'), pki!.ca);
    const home = auditDir();
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), '');
    const io = {
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      cwd: repoRoot,
      env: { HOME: home, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(s.url).port },
      readStdin: async () => new Uint8Array(),
    };
    const read = await readCluster(clusterOptions({ 'from-cluster': true }), io, { serviceAccountDir: sa });
    expect(read.context).toBe('in-cluster');
  } finally {
    await s.close();
  }
});

it('reads a gzip-encoded answer, which it asks for as Go clients do', async () => {
  const nodes = exampleObjects.filter((o) => o['kind'] === 'Node').map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  const s = await recordingServer({
    intercept: (req, res, url) => {
      if (url.pathname !== '/api/v1/nodes' || !String(req.headers['accept-encoding']).includes('gzip')) return false;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: nodes })));
      return true;
    },
  });
  try {
    const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: rawKubeconfig(auditDir(), { server: s.url, user: 'token: netpolc-test-token' }) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(exampleOk);
  } finally {
    await s.close();
  }
});
