import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { matrixLimits } from '../src/commands/matrix.js';
import { cli, example } from './run-cli.js';
import { jsonChunks, tableLines } from '../src/commands/matrix-view.js';

it('prints the example truth table on TCP/8080 (golden, checked by hand against the policies)', async () => {
  const r = await cli(['matrix', '--port', '8080', ...example]);
  expect(r.code).toBe(0);
  await expect(r.stdout).toMatchFileSnapshot('golden/example-matrix-8080.txt');
});

it('prints the example port summary table (golden)', async () => {
  const r = await cli(['matrix', ...example]);
  expect(r.code).toBe(0);
  await expect(r.stdout).toMatchFileSnapshot('golden/example-matrix-all.txt');
});

it('prints JSON whose allowed key maps each pod to the pods it reaches', async () => {
  const r = await cli(['matrix', '--port', '53', '--protocol', 'UDP', '--format', 'json', ...example]);
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout) as { allowed: Record<string, string[]>; protocol: string; port: number };
  expect(json.protocol).toBe('UDP');
  expect(json.port).toBe(53);
  // production pods may resolve names through kube-dns only (allow-dns-egress).
  expect(json.allowed['production/api-5c6b-klmno']).toEqual([
    'kube-system/coredns-5d78-aaaaa',
    'kube-system/coredns-5d78-bbbbb',
    'production/api-5c6b-klmno',
  ]);
  // kube-system egress is open, but monitoring admits only its own namespace and production
  // admits nothing on UDP/53.
  expect(json.allowed['kube-system/coredns-5d78-aaaaa']).toEqual(['kube-system/coredns-5d78-aaaaa', 'kube-system/coredns-5d78-bbbbb']);
  expect(Object.keys(json.allowed)).toHaveLength(9);
});

it('restricts rows and columns to --namespace', async () => {
  const r = await cli(['matrix', '--port', '80', '--format', 'json', '--namespace', 'monitoring', ...example]);
  const json = JSON.parse(r.stdout) as { pods: string[] };
  expect(json.pods).toEqual(['monitoring/grafana-6f8d-uvwxy', 'monitoring/prometheus-0']);
});

it('renders markdown with one row per pod', async () => {
  const r = await cli(['matrix', '--port', '8080', '--format', 'markdown', '--namespace', 'production', ...example]);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| `'));
  expect(rows).toHaveLength(5);
});

it('groups pods with identical rows and columns', async () => {
  const r = await cli(['matrix', '--port', '8080', '--group', 'always', ...example]);
  expect(r.code).toBe(0);
  const groups = r.stdout.split('\n').filter((l) => /^ {2}G\d+ \(/.test(l));
  // coredns x2, monitoring x2, api x2 and frontend x2 share rows and columns on 8080; db is alone.
  expect(groups.map((g) => g.replace(/^ {2}G\d+ \((\d+)\).*/, '$1')).sort()).toEqual(['1', '2', '2', '2', '2']);
});

/** `n` running pods in namespace a, the first `isolated` of them behind a deny-all ingress policy. */
function pods(n: number, isolated: number): string {
  const docs = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: a}'];
  for (let i = 0; i < n; i++) {
    const ip = `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`;
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: a, labels: {lock: "${i < isolated}"}}\nspec: {containers: [{name: c, image: x}]}\nstatus: {phase: Running, podIP: ${ip}, podIPs: [{ip: ${ip}}]}`);
  }
  docs.push('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: lock, namespace: a}\nspec: {podSelector: {matchLabels: {lock: "true"}}, policyTypes: [Ingress]}');
  return docs.join('\n---\n') + '\n';
}

it('groups the markdown table as the plain one: --group always, and auto above 40 pods only', async () => {
  const always = await cli(['matrix', '--port', '8080', '--format', 'markdown', '--group', 'always', ...example]);
  expect(always.code).toBe(0);
  expect(always.stdout.split('\n').filter((l) => /^\| G\d+ \|/.test(l))).toHaveLength(5);
  const legend = always.stdout.split('\n').filter((l) => /^\| G\d+ \(\d+\) \|/.test(l));
  expect(legend).toContain('| G4 (1) | `production/db-0` |');
  expect(legend.map((l) => l.replace(/^\| G\d+ \((\d+)\).*/, '$1')).sort()).toEqual(['1', '2', '2', '2', '2']);
  // The example has 9 pods: auto leaves it ungrouped, one row per pod.
  const auto = await cli(['matrix', '--port', '8080', '--format', 'markdown', ...example]);
  expect(auto.stdout).toBe((await cli(['matrix', '--port', '8080', '--format', 'markdown', '--group', 'never', ...example])).stdout);
  expect(auto.stdout.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(9);
  // 41 pods, 3 behind a deny-all policy: two groups by default, in both formats; 40 pods, none.
  for (const format of ['markdown', 'table']) {
    const big = await cli(['matrix', '--port', '80', '--format', format, '-'], pods(41, 3));
    expect(big.code).toBe(0);
    expect(big.stdout).toMatch(/G\d \(38\)/);
    expect(big.stdout).toMatch(/G\d \(3\)/);
    const small = await cli(['matrix', '--port', '80', '--format', format, '-'], pods(40, 3));
    expect(small.stdout).not.toMatch(/G1/);
  }
  const never = await cli(['matrix', '--port', '80', '--format', 'markdown', '--group', 'never', '-'], pods(41, 3));
  expect(never.stdout.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(41);
});

it('keeps JSON ungrouped, as documented, and says so when --group always asks otherwise', async () => {
  const r = await cli(['matrix', '--port', '80', '--format', 'json', '--group', 'always', '-'], pods(41, 3));
  expect(r.code).toBe(0);
  expect(Object.keys((JSON.parse(r.stdout) as { allowed: object }).allowed)).toHaveLength(41);
  expect(r.stderr).toContain('note: --group does not apply to --format json, which lists every pod\n');
  const auto = await cli(['matrix', '--port', '80', '--format', 'json', '-'], pods(41, 3));
  expect(auto.stdout).toBe(r.stdout);
  expect(auto.stderr).not.toContain('--group');
});

it('shows for two groups the cell all their pairs share, a group against itself without self pairs', () => {
  // Pods 0 and 1 form G1 (their own cells X, between them '.'), pod 2 is G2 (its own cell X).
  const view = {
    title: 'TCP/80',
    labels: ['a/p', 'a/q', 'b/r'],
    cells: [
      ['X', '.', '.'],
      ['.', 'X', 'X'],
      ['.', '.', 'X'],
    ],
    ports: undefined,
    legend: '',
  };
  const grid = tableLines(view, [[0, 1], [2]]).slice(1, 4).map((l) => l.split(/\s+/));
  expect(grid).toEqual([
    ['', 'G1', 'G2'],
    ['G1', '.', '~'],
    ['G2', '.', 'X'],
  ]);
});

it('rejects a bad port with exit code 2', async () => {
  const r = await cli(['matrix', '--port', '70000', ...example]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--port must be an integer between 1 and 65535');
});

it('reads stdin for -', async () => {
  const input = readFileSync(new URL('../../../examples/cluster.yaml', import.meta.url), 'utf8');
  const r = await cli(['matrix', '--port', '80', '--format', 'json', '-'], input);
  expect(r.code).toBe(0);
  expect(Object.keys(JSON.parse(r.stdout).allowed)).toHaveLength(9);
});

it('writes the JSON form in pieces that join to exactly what JSON.stringify prints', () => {
  const labels = ['a/x', 'a/y', 'b/z'];
  const cells = [
    ['.', 'X', '~'],
    ['X', 'X', 'X'],
    ['.', '.', '.'],
  ];
  const ports = [
    ['', '', 'TCP:80'],
    ['', '', ''],
    ['any', 'any', 'any'],
  ];
  for (const view of [
    { title: 't', labels, cells, ports: undefined, legend: '' },
    { title: 't', labels, cells, ports, legend: '' },
    { title: 't', labels: [], cells: [], ports: [], legend: '' },
  ]) {
    const allowed = Object.fromEntries(view.labels.map((s, i) => [s, view.labels.filter((_, j) => view.cells[i]![j] !== 'X')]));
    const denied = Object.fromEntries(view.labels.map((s, i) => [s, view.labels.filter((_, j) => view.cells[i]![j] === 'X')]));
    const nAllowed = Object.values(allowed).reduce((n, l) => n + l.length, 0);
    const body: Record<string, unknown> = { protocol: 'TCP', port: null, pods: view.labels, allowed, denied, summary: { pods: view.labels.length, allowed: nAllowed, denied: view.labels.length ** 2 - nAllowed } };
    if (view.ports) body['ports'] = Object.fromEntries(view.labels.map((s, i) => [s, Object.fromEntries(view.labels.flatMap((d, j) => (view.ports![i]![j] ? [[d, view.ports![i]![j]]] : [])))]));
    expect([...jsonChunks(view, 'TCP', null)].join('')).toBe(JSON.stringify(body, null, 2) + '\n');
  }
});

it('refuses a matrix over its pod limit before building it, and says how to narrow it', async () => {
  const saved = matrixLimits.maxPods;
  matrixLimits.maxPods = 5;
  try {
    const r = await cli(['matrix', '--port', '80', ...example]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      'netpolc matrix: 9 pods would make a matrix of 81 cells; netpolc builds one for at most 5 pods. Pick namespaces with --namespace, ask about one connection with explain, or compare two policy sets with diff',
    );
    const narrowed = await cli(['matrix', '--port', '80', '--namespace', 'monitoring', ...example]);
    matrixLimits.maxPods = saved;
    const unlimited = await cli(['matrix', '--port', '80', '--namespace', 'monitoring', ...example]);
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).toBe(unlimited.stdout);
  } finally {
    matrixLimits.maxPods = saved;
  }
});

it('says when the pods lack the address family asked for, and when a namespace asked for is unknown', async () => {
  // Old code: a table of X, the diagonal included, and an empty table, without a word.
  const six = await cli(['matrix', '--family', '6', ...example]);
  expect(six.code).toBe(0);
  expect(six.stderr).toContain('note: no selected pod has an IPv6 address: every cell reads X, as there is no such connection\n');
  const nope = await cli(['matrix', '--namespace', 'nope', ...example]);
  expect(nope.stderr).toContain('note: namespace nope is not in the inventory\n');
  const typo = await cli(['matrix', '--namespace', 'productoin', '--namespace', 'monitoring', ...example]);
  expect(typo.stderr).toBe('note: namespace productoin is not in the inventory (did you mean production?)\n');
});
