// `netpolc snapshot` and the shared corpus read through the API. No real kube-apiserver can run
// on these machines (toolchain.md §7): fake-api-server.ts serves the objects on 127.0.0.1 and
// the real @kubernetes/client-node reads them through a generated kubeconfig.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { casePorts, corpusCases, referenceMatrixText } from '@netpolc/ir/testing';
import { loadProgram } from '@netpolc/ir';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterOptions, clusterSources, readCluster } from '../../src/cluster/index.js';
import { cli } from '../run-cli.js';
import { startFakeApiServer, type FakeServer } from './fake-api-server.js';
import { readManifests, repoRoot, runCli, tempDir, testPki, writeKubeconfig } from './support.js';

const pki = testPki();
const tls = pki ? { tls: { key: pki.key, cert: pki.cert } } : {};
const exampleObjects = readManifests([join(repoRoot, 'examples/cluster.yaml'), join(repoRoot, 'examples/policies')]);
let server: FakeServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startFakeApiServer({ objects: exampleObjects, maxPage: 5, ...tls });
  env = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'fake', server: server.url, ...(pki ? { ca: pki.ca } : {}) }]) };
});
afterAll(() => server.close());

type Json = Record<string, unknown>;

it('snapshot then offline matrix equals matrix --from-cluster, byte for byte', async () => {
  const dir = tempDir();
  for (const file of ['snap.yaml', 'snap.json']) {
    const snap = await runCli(['snapshot', '--from-cluster', '-o', join(dir, file)], env);
    expect(snap.code).toBe(0);
    expect(snap.stderr).toBe(`wrote 23 objects to ${join(dir, file)}\n`);
    for (const args of [['--format', 'json'], ['--format', 'json', '--port', '8080'], ['--port', '5432']]) {
      const live = await runCli(['matrix', ...args, '--from-cluster'], env);
      const offline = await cli(['matrix', ...args, join(dir, file)]);
      expect(offline.stderr).toBe('');
      expect(offline.stdout).toBe(live.stdout);
    }
  }
});

it('writes the hand-checked example snapshot, identical on every run', async () => {
  const first = await runCli(['snapshot', '--from-cluster', '-o', '-'], env);
  const second = await runCli(['snapshot', '--from-cluster', '-o', '-'], env);
  expect(first.code).toBe(0);
  expect(second.stdout).toBe(first.stdout);
  await expect(first.stdout).toMatchFileSnapshot('golden/example-snapshot.yaml');
});

it('keeps only what netpolc reads: no managedFields, annotations or server bookkeeping; sorted by kind, namespace, name', async () => {
  const dir = tempDir();
  await runCli(['snapshot', '--from-cluster', '-o', join(dir, 's.json')], env);
  const list = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { apiVersion: string; kind: string; items: Json[] };
  expect([list.apiVersion, list.kind]).toEqual(['v1', 'List']);
  const noise = ['managedFields', 'annotations', 'uid', 'resourceVersion', 'creationTimestamp', 'ownerReferences', 'generation'];
  for (const item of list.items) {
    const meta = item['metadata'] as Json;
    expect(noise.filter((k) => k in meta)).toEqual([]);
    expect(typeof item['apiVersion'] === 'string' && typeof item['kind'] === 'string').toBe(true);
  }
  const order = ['Namespace', 'Node', 'Pod', 'NetworkPolicy'];
  const keys = list.items.map((i) => {
    const m = i['metadata'] as { name: string; namespace?: string };
    return [order.indexOf(i['kind'] as string), m.namespace ?? '', m.name] as const;
  });
  const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
  expect(keys).toEqual(sorted);
  // The pod spec keeps node, ports and IPs only; the server's defaults are gone.
  const pod = list.items.find((i) => (i['metadata'] as Json)['name'] === 'frontend-7d9f-abcde')!;
  expect(pod['spec']).toEqual({
    nodeName: 'node-1',
    containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9102, protocol: 'TCP' }] }],
  });
  expect(pod['status']).toEqual({ phase: 'Running', podIP: '198.18.1.10', podIPs: [{ ip: '198.18.1.10' }] });
});

it('writes the same data as YAML and JSON, and the YAML reads the same under YAML 1.1 (kubectl) and 1.2', async () => {
  const yaml = (await runCli(['snapshot', '--from-cluster', '-o', '-'], env)).stdout;
  const dir = tempDir();
  await runCli(['snapshot', '--from-cluster', '-o', join(dir, 's.json')], env);
  const json = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as unknown;
  expect(parse(yaml)).toEqual(json);
  expect(parse(yaml, { version: '1.1' })).toEqual(json);
});

it('writes the List of the files the cluster serves when given the files instead, and limits it to --namespace alike', async () => {
  const header = (t: string): string[] => t.split('\n').filter((l) => l.startsWith('#'));
  const body = (t: string): string => t.replace(/^(#.*\n)+/, '');
  const live = await runCli(['snapshot', '--from-cluster', '-o', '-'], env);
  const files = await cli(['snapshot', '-o', '-', '--inventory', 'examples/cluster.yaml', 'examples/policies']);
  expect(files.code).toBe(0);
  expect(header(files.stdout)[0]).toBe('# netpolc snapshot of examples/policies, examples/cluster.yaml.');
  expect(body(files.stdout)).toBe(body(live.stdout));
  const liveProd = await runCli(['snapshot', '--from-cluster', '-n', 'production', '-o', '-'], env);
  const filesProd = await cli(['snapshot', '-n', 'production', '-o', '-', '--inventory', 'examples/cluster.yaml', 'examples/policies']);
  expect(header(filesProd.stdout)[0]).toBe('# netpolc snapshot of examples/policies, examples/cluster.yaml; NetworkPolicies of namespace production only.');
  expect(body(filesProd.stdout)).toBe(body(liveProd.stdout));
  expect(body(filesProd.stdout).length).toBeLessThan(body(files.stdout).length);
});

it('with --from-cluster and PATHs, writes the cluster with the files applied, and needs -o', async () => {
  const dir = tempDir();
  // A policy of the cluster changed, and a pod the cluster does not have.
  const live = parse((await runCli(['snapshot', '--from-cluster', '-o', '-'], env)).stdout) as { items: Json[] };
  const policy = live.items.find((i) => i['kind'] === 'NetworkPolicy')!;
  const changed = { ...policy, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const extra = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'zz-new', namespace: 'production' }, spec: { nodeName: 'node-1' }, status: { phase: 'Running', podIP: '198.18.9.9', podIPs: [{ ip: '198.18.9.9' }] } };
  writeFileSync(join(dir, 'local.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [changed, extra] }));
  const r = await runCli(['snapshot', '--from-cluster', '-o', '-', join(dir, 'local.json')], env);
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')[0]).toBe(`# netpolc snapshot of context fake with ${join(dir, 'local.json')} applied.`);
  const id = (i: Json): string => `${i['kind']}/${(i['metadata'] as Json)['namespace'] ?? ''}/${(i['metadata'] as Json)['name']}`;
  const expected = new Map(live.items.map((i) => [id(i), i]));
  expected.set(id(changed), changed);
  expected.set(id(extra), extra);
  const got = (parse(r.stdout) as { items: Json[] }).items;
  expect(new Map(got.map((i) => [id(i), i]))).toEqual(expected);
  const o = await runCli(['snapshot', '--from-cluster'], env);
  expect(o.stderr.split('\n')[0]).toBe('netpolc snapshot: -o FILE is required (or -o - for standard output)');
});

const cases = corpusCases();
/** A case's input files (not case.json, which is not a Kubernetes object). */
const inputs = (c: (typeof cases)[number]): string[] => c.sources().map((src) => join(c.dir, src.path));

it('serves every corpus case through the API: same matrix JSON on port 80 as the files, same truth tables as matrix.txt', async () => {
  expect(cases.filter((c) => !c.expectError).length).toBeGreaterThan(5);
  for (const c of cases.filter((k) => !k.expectError)) {
    const s = await startFakeApiServer({ objects: readManifests(inputs(c)), maxPage: 3, ...tls });
    try {
      const caseEnv = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: c.name, server: s.url, ...(pki ? { ca: pki.ca } : {}) }]) };
      const files = await cli(['matrix', '--format', 'json', '--port', '80', ...inputs(c)]);
      const live = await runCli(['matrix', '--format', 'json', '--port', '80', '--from-cluster'], caseEnv);
      expect(files.code).toBe(0);
      expect({ case: c.name, code: live.code, out: live.stdout }).toEqual({ case: c.name, code: files.code, out: files.stdout });
      // The upstream-style truth tables of every port of the case, from the objects read.
      const io = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, cwd: repoRoot, env: caseEnv, readStdin: async () => new Uint8Array() };
      const read = await readCluster(clusterOptions({ 'from-cluster': true }), io);
      const program = loadProgram(clusterSources(read.context, read.objects)).program;
      expect({ case: c.name, matrix: referenceMatrixText(program, casePorts(c.config)) }).toEqual({ case: c.name, matrix: readFileSync(join(c.dir, 'matrix.txt'), 'utf8') });
    } finally {
      await s.close();
    }
  }
});

it('reports the same problems for the error corpus read through the API as from files', async () => {
  const errorCases = cases.filter((c) => c.expectError);
  expect(errorCases.length).toBeGreaterThan(0);
  for (const c of errorCases) {
    const s = await startFakeApiServer({ objects: readManifests(inputs(c)), ...tls });
    try {
      const caseEnv = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'err', server: s.url, ...(pki ? { ca: pki.ca } : {}) }]) };
      const codes = (r: { stderr: string }): string[] => (JSON.parse(r.stderr) as { code: string }[]).map((d) => d.code).sort();
      const files = await cli(['validate', '--diagnostics-format', 'json', ...inputs(c)]);
      const live = await runCli(['validate', '--diagnostics-format', 'json', '--from-cluster'], caseEnv);
      expect(live.code).toBe(2);
      expect({ case: c.name, codes: codes(live) }).toEqual({ case: c.name, codes: codes(files) });
    } finally {
      await s.close();
    }
  }
});

it('reads Services from the cluster for the Service warnings, and a snapshot keeps them (defaults filled in) for offline runs', async () => {
  // A pod serving 8080 (named http), a Service forwarding 80 there, and a policy on port 80 with
  // an egress ipBlock around the ClusterIP.
  const input = join(tempDir(), 'in.yaml');
  writeFileSync(
    input,
    [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: prod, labels: {app: web}}\nspec: {nodeName: n1, containers: [{name: main, ports: [{name: http, containerPort: 8080}]}]}\nstatus: {phase: Running, podIP: 198.18.0.10}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec: {selector: {app: web}, clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: http}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-web, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress, Egress], ingress: [{ports: [{port: 80}]}], egress: [{to: [{ipBlock: {cidr: 10.96.0.0/12}}]}]}',
    ].join('\n---\n'),
  );
  const svcObjects = readManifests([input]);
  const s = await startFakeApiServer({ objects: svcObjects });
  try {
    const svcEnv = { KUBECONFIG: writeKubeconfig(tempDir(), [{ name: 'svc', server: s.url }]) };
    const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => / warning ir\/service-/.test(l)).map((l) => l.replace(/^.*?: warning /, '').split(':')[0]!);
    const live = await runCli(['validate', '--from-cluster'], svcEnv);
    expect(live.code).toBe(0);
    expect(warnings(live.stderr)).toEqual(['ir/service-port', 'ir/service-cluster-ip']);
    const file = join(tempDir(), 'snap.yaml');
    expect((await runCli(['snapshot', '--from-cluster', '-o', file], svcEnv)).code).toBe(0);
    const items = (parse(readFileSync(file, 'utf8')) as { items: Json[] }).items;
    const service = items.find((i) => i['kind'] === 'Service')!;
    expect(service['spec']).toEqual({ type: 'ClusterIP', selector: { app: 'web' }, clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ protocol: 'TCP', port: 80, targetPort: 'http' }] });
    const offline = await cli(['validate', file]);
    expect(warnings(offline.stderr)).toEqual(['ir/service-port', 'ir/service-cluster-ip']);
    expect(offline.stdout).toBe('ok: 1 policy, 1 namespace, 1 pod, 0 nodes, 1 Service; 0 errors, 2 warnings\n');
    // A local Service replaces the cluster's of the same namespace and name: its port is the pod's.
    const local = join(tempDir(), 'svc.yaml');
    writeFileSync(local, 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec: {selector: {app: web}, clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 80}]}\n');
    expect(warnings((await runCli(['validate', '--from-cluster', local], svcEnv)).stderr)).toEqual(['ir/service-cluster-ip']);
  } finally {
    await s.close();
  }
});
