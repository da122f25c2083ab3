// `netpolc diff --from-cluster --base cluster --head DIR`: what applying a directory would change.
// No real kube-apiserver can run on these machines (toolchain.md §7): the cluster is the loopback
// fake-api-server.ts serving the example, read through the real @kubernetes/client-node.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeApiServer, type FakeServer } from './fake-api-server.js';
import { readManifests, repoRoot, runCli, tempDir, testPki, writeKubeconfig } from './support.js';

const pki = testPki();
let server: FakeServer;
let env: Record<string, string>;

beforeAll(async () => {
  const objects = readManifests([join(repoRoot, 'examples/cluster.yaml'), join(repoRoot, 'examples/policies')]);
  server = await startFakeApiServer({ objects, ...(pki ? { tls: { key: pki.key, cert: pki.cert } } : {}) });
  env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'fake', server: server.url, ...(pki ? { ca: pki.ca } : {}) }]) };
});
afterAll(() => server.close());

interface Json {
  summary: { added: number; removed: number };
  added: { from: string; to: string }[];
}

it('shows what applying the next policies would change, against the live cluster', async () => {
  const live = await runCli(['diff', '--from-cluster', '--base', 'cluster', '--head', 'examples/policies-next', '--format', 'json'], env, { cwd: repoRoot });
  expect(live.stderr).toBe('');
  expect(live.code).toBe(1);
  const files = await runCli(['diff', '--inventory', 'examples/cluster.yaml', 'examples/policies', 'examples/policies-next', '--format', 'json'], {}, { cwd: repoRoot });
  const strip = (t: string): Json => {
    const j = JSON.parse(t) as Json & { scope?: string };
    delete j.scope;
    return j;
  };
  expect(strip(live.stdout)).toEqual(strip(files.stdout));
});

it('keeps live policies that the applied directory does not replace', async () => {
  // Applying only the DNS change: the three-tier policies stay live, so only TCP 53 is removed.
  const dir = tempDir();
  const { copyFileSync } = await import('node:fs');
  copyFileSync(join(repoRoot, 'examples/policies-next/production-dns.yaml'), join(dir, 'dns.yaml'));
  const r = await runCli(['diff', '--from-cluster', '--base', 'cluster', '--head', dir, '--format', 'json'], env, { cwd: repoRoot });
  expect(r.code).toBe(1);
  const j = JSON.parse(r.stdout) as Json;
  expect(j.summary).toEqual({ added: 0, removed: 10 });
});

it('finds no change between the cluster and the policies it was loaded from', async () => {
  const r = await runCli(['diff', '--from-cluster', '--base', 'cluster', '--head', 'examples/policies'], env, { cwd: repoRoot });
  expect(r.code).toBe(0);
});
