// Audit: exec credential plugins (users[].user.exec) against what kubectl (client-go) does with
// them. netpolc hands credentials to @kubernetes/client-node 1.4 (docs/cluster.md "Where the
// connection comes from"), whose ExecAuth (dist/exec_auth.js) differs from client-go's
// k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go (Authenticator.refreshCredsLocked,
// getCreds, credsExpired) in the ways the failing tests below show.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditDir, exampleOk, execPlugin, rawKubeconfig, recordingServer, type RecordingServer } from './audit-support.js';
import { runCli } from './support.js';

let server: RecordingServer;
beforeAll(async () => {
  server = await recordingServer();
});
afterAll(() => server.close());

/** A kubeconfig whose user runs `command` (exec, client.authentication.k8s.io/v1, interactiveMode Never). */
function execKubeconfig(dir: string, command: string, extra = ''): string {
  return rawKubeconfig(dir, {
    server: server.url,
    user: ['exec:', '  apiVersion: client.authentication.k8s.io/v1', `  command: "${command}"`, '  interactiveMode: Never', ...(extra ? [`  ${extra}`] : [])].join('\n'),
  });
}

const runsOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');

it('reads the cluster with the token an exec plugin prints', async () => {
  const dir = auditDir();
  const plugin = execPlugin(dir, 'plugin', { expiration: later });
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: execKubeconfig(dir, plugin.path) });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(exampleOk);
  expect(server.headers.at(-1)?.['authorization']).toBe('Bearer netpolc-test-token');
});

// DEFECT: a credential without status.expirationTimestamp is re-requested for every HTTP request
// (every page of every list: 300 runs for a 150,000-pod cluster). client-go caches it until a
// 401: exec.go credsExpired() returns false when the expiry is zero, and getCreds() reuses
// cachedCreds. client-node's ExecAuth.getCredential caches only when Date.parse(expiration) is in
// the future (NaN otherwise), so the plugin (often a cloud CLI taking a second) runs per request.
it('runs a plugin whose credential has no expirationTimestamp once per command, as client-go caches it', async () => {
  const dir = auditDir();
  const plugin = execPlugin(dir, 'plugin');
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: execKubeconfig(dir, plugin.path) });
  expect(r.stdout).toBe(exampleOk);
  expect(runsOf(plugin.runs)).toHaveLength(1);
});

// DEFECT: client-go always gives the plugin KUBERNETES_EXEC_INFO, an ExecCredential whose
// spec.interactive says whether it may prompt and, with provideClusterInfo: true, whose
// spec.cluster carries the server, CA and the cluster's exec extension (exec.go
// refreshCredsLocked: `env = append(env, execInfoEnv=...)`; documented in
// kubernetes.io/docs/reference/access-authn-authz/authentication/#input-and-output-formats and
// client-go tools/auth/exec LoadExecCredentialFromEnv, which plugins use to find their cluster).
// client-node never sets the variable, so a plugin that needs the cluster cannot work.
it('passes KUBERNETES_EXEC_INFO to the plugin, with spec.cluster when provideClusterInfo is true', async () => {
  const dir = auditDir();
  const plugin = execPlugin(dir, 'plugin', { expiration: later });
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: execKubeconfig(dir, plugin.path, 'provideClusterInfo: true') });
  expect(r.stdout).toBe(exampleOk);
  const info = JSON.parse(runsOf(plugin.runs)[0]!) as { apiVersion: string; kind: string; spec: { interactive: boolean; cluster?: { server: string } } };
  expect(info.apiVersion).toBe('client.authentication.k8s.io/v1');
  expect(info.kind).toBe('ExecCredential');
  expect(info.spec.interactive).toBe(false);
  expect(info.spec.cluster?.server).toBe(server.url);
});

// DEFECT: with interactiveMode Never (or IfAvailable without a terminal) client-go runs the
// plugin with no standard input (exec.go refreshCredsLocked sets cmd.Stdin only when
// interactive), so a plugin that would prompt reads end-of-file at once and goes on or fails.
// client-node spawns it with stdin an open pipe that nobody writes or closes: a plugin that reads
// stdin waits forever, and since --request-timeout only starts after the credentials,
// netpolc hangs with no message (reproduced: `netpolc validate --from-cluster --request-timeout
// 2s </dev/null` with such a plugin never returns). Here the plugin gives up reading after 2 s.
it('gives the plugin no standard input (end-of-file at once) when interactiveMode is Never', async () => {
  const dir = auditDir();
  const plugin = execPlugin(dir, 'plugin', { expiration: later, body: 'timeout 2 cat > /dev/null || true' });
  const started = performance.now();
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: execKubeconfig(dir, plugin.path) });
  expect(r.stdout).toBe(exampleOk);
  expect(performance.now() - started).toBeLessThan(1500);
}, 20_000);

// DEFECT: client-go connects the plugin's standard error to the user's (exec.go: cmd.Stderr =
// a.stderr, os.Stderr), so device-code prompts ("open https://... and enter the code") and
// warnings reach the user. client-node collects stderr and shows it only if the plugin fails:
// a device-code login (kubelogin, az) waits for a code the user never sees.
it("shows the plugin's standard error, as kubectl does", async () => {
  const dir = auditDir();
  const plugin = execPlugin(dir, 'plugin', { expiration: later, body: "echo 'To sign in, open https://login.example/device and enter ABCD-1234' >&2" });
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: execKubeconfig(dir, plugin.path) });
  expect(r.stdout).toBe(exampleOk);
  expect(r.stderr).toContain('enter ABCD-1234');
});

// DEFECT: client-go resolves an exec command that contains a path separator against the
// directory of the kubeconfig that defines it (tools/clientcmd/loader.go
// GetAuthInfoFileReferences: "Only resolve exec command if it isn't PATH based", then
// ResolveLocalPaths). client-node's makePathsAbsolute resolves only certificate files, so
// `command: ./bin/plugin` runs relative to the working directory: spawn ./bin/plugin ENOENT.
it('runs a relative exec command (./bin/plugin) from the directory of its kubeconfig', async () => {
  const dir = auditDir();
  execPlugin(join(dir, 'bin'), 'plugin', { expiration: later });
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: execKubeconfig(dir, './bin/plugin') }, { cwd: auditDir() });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(exampleOk);
});

// DEFECT (message): when the plugin is not installed, kubectl prints the kubeconfig's
// installHint, which cloud providers fill with how to install their plugin (client-go exec.go:
// installHintVerboseHelp, "It looks like you are trying to use a client-go credential plugin that
// is not installed", followed by config.InstallHint). netpolc says only
// `spawn gke-gcloud-auth-plugin ENOENT`.
it("prints the exec installHint when the plugin is not installed, as kubectl does", async () => {
  const kc = execKubeconfig(auditDir(), 'netpolc-no-such-plugin', 'installHint: "Install netpolc-no-such-plugin by following https://example.com/install"');
  const r = await runCli(['validate', '--from-cluster'], { KUBECONFIG: kc });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('Install netpolc-no-such-plugin by following https://example.com/install');
});
