import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { countChanges, unifiedDiff } from '../src/diff/unified-diff.js';

const change = ['diff', '--inventory', 'examples/cluster.yaml', 'examples/policies', 'examples/policies-next'];

it('reports the example change as text (golden, checked by hand): API opened to grafana, DNS over TCP removed', async () => {
  const r = await cli(change);
  expect(r.code).toBe(1);
  await expect(r.stdout).toMatchFileSnapshot('golden/example-diff.txt');
});

it('reports the example change as markdown for a pull-request comment (golden)', async () => {
  const r = await cli([...change, '--format', 'markdown']);
  expect(r.code).toBe(1);
  await expect(r.stdout).toMatchFileSnapshot('golden/example-diff.md');
});

it('lists one JSON item per pair and protocol, ungrouped', async () => {
  const r = await cli([...change, '--format', 'json']);
  const json = JSON.parse(r.stdout) as { added: { from: string; to: string; protocol: string; ports: string[] }[]; removed: { from: string; to: string; protocol: string; ports: string[] }[] };
  expect(json.added).toEqual([
    { from: 'monitoring/grafana-6f8d-uvwxy', to: 'production/api-5c6b-klmno', protocol: 'TCP', ports: ['8080'] },
    { from: 'monitoring/grafana-6f8d-uvwxy', to: 'production/api-5c6b-pqrst', protocol: 'TCP', ports: ['8080'] },
  ]);
  expect(json.removed).toHaveLength(10);
  expect(new Set(json.removed.map((c) => `${c.protocol} ${c.ports.join()}`))).toEqual(new Set(['TCP 53']));
});

it('lists external CIDRs in address order in text, markdown and JSON alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-diff-'));
  try {
    cpSync(new URL('../../../examples/policies', import.meta.url).pathname, dir, { recursive: true });
    // Eight CIDRs in 8.8.8.0/24 and 9.0.0.0/8, 10.9.0.0/16: as text, 8.8.8.16/28 came before 8.8.8.9/32 and 10.x before 9.x.
    writeFileSync(
      join(dir, 'egress-ext.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ext, namespace: production}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.9.0.0/16}}, {ipBlock: {cidr: 8.8.8.0/24, except: [8.8.8.8/32]}}, {ipBlock: {cidr: 9.0.0.0/8}}]\n    ports: [{port: 443}]\n',
    );
    const args = ['diff', '--inventory', 'examples/cluster.yaml', 'examples/policies', dir];
    const shown = '8.8.8.0/29, 8.8.8.9/32, 8.8.8.10/31, 8.8.8.12/30 and 6 more CIDRs';
    expect((await cli(args)).stdout).toContain(`+ production/db-0 -> ${shown}: TCP 443`);
    expect((await cli([...args, '--format', 'markdown'])).stdout).toContain(`| production/db-0 | ${shown} | TCP 443 |`);
    const json = JSON.parse((await cli([...args, '--format', 'json'])).stdout) as { added: { to: string }[] };
    expect(json.added.map((c) => c.to)).toEqual(['8.8.8.0/29', '8.8.8.9/32', '8.8.8.10/31', '8.8.8.12/30', '8.8.8.16/28', '8.8.8.32/27', '8.8.8.64/26', '8.8.8.128/25', '9.0.0.0/8', '10.9.0.0/16']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('restricts to one port with --port/--protocol and honours --fail-on', async () => {
  const udp = await cli([...change, '--port', '53', '--protocol', 'UDP', '--format', 'json']);
  expect(udp.code).toBe(0);
  expect(JSON.parse(udp.stdout).summary).toEqual({ added: 0, removed: 0 });
  expect((await cli([...change, '--fail-on', 'none'])).code).toBe(0);
  expect((await cli([...change, '--fail-on', 'added'])).code).toBe(1);
  const tcp8080 = await cli([...change, '--port', '8080', '--fail-on', 'removed']);
  expect(tcp8080.code).toBe(0);
});

it('sees a relabelled pod through --head-inventory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-diff-'));
  try {
    // grafana relabelled app=prometheus: it gains the scrape rule on every production metrics port.
    const { readFileSync } = await import('node:fs');
    const inv = readFileSync(new URL('../../../examples/cluster.yaml', import.meta.url), 'utf8').replace('app: grafana', 'app: prometheus');
    writeFileSync(join(dir, 'head.yaml'), inv);
    const root = new URL('../../..', import.meta.url).pathname;
    const r = await cli(['diff', '--base-inventory', 'examples/cluster.yaml', '--head-inventory', join(dir, 'head.yaml'), '--format', 'json', 'examples/policies', 'examples/policies'], '', root);
    const json = JSON.parse(r.stdout) as { added: { from: string; to: string; ports: string[] }[]; removed: unknown[] };
    expect(json.removed).toEqual([]);
    expect(json.added.map((c) => `${c.from} ${c.to} ${c.ports.join()}`).sort()).toEqual([
      'monitoring/grafana-6f8d-uvwxy production/api-5c6b-klmno 9090',
      'monitoring/grafana-6f8d-uvwxy production/api-5c6b-pqrst 9090',
      'monitoring/grafana-6f8d-uvwxy production/db-0 9187',
      'monitoring/grafana-6f8d-uvwxy production/frontend-7d9f-abcde 9102',
      'monitoring/grafana-6f8d-uvwxy production/frontend-7d9f-fghij 9102',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reads BASE from git with --base-ref (the CI form)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-git-'));
  try {
    const root = new URL('../../..', import.meta.url).pathname;
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    cpSync(join(root, 'examples/cluster.yaml'), join(dir, 'cluster.yaml'));
    cpSync(join(root, 'examples/policies'), join(dir, 'policies'), { recursive: true });
    git('add', '.');
    git('commit', '-qm', 'base');
    cpSync(join(root, 'examples/policies-next'), join(dir, 'policies'), { recursive: true });
    const r = await cli(['diff', '--base-ref', 'HEAD', '--inventory', 'cluster.yaml', '--format', 'json', 'policies'], '', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { summary: { added: number; removed: number } };
    expect(json.summary).toEqual({ added: 2, removed: 10 });
    const unknown = await cli(['diff', '--base-ref', 'no-such-ref', 'policies'], '', dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--base-ref no-such-ref names no commit of the git repository /);
    // From outside the repository, with absolute paths: the paths' repository is read (old code:
    // "not a git repository", as git ran in the working directory).
    const outside = await cli(['diff', '--base-ref', 'HEAD', '--inventory', join(dir, 'cluster.yaml'), '--format', 'json', join(dir, 'policies')], '', tmpdir());
    expect(outside.stderr).toBe('');
    expect((JSON.parse(outside.stdout) as { summary: unknown }).summary).toEqual({ added: 2, removed: 10 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('exits 2 on bad usage', async () => {
  expect((await cli(['diff', 'examples/policies'])).code).toBe(2);
  expect((await cli([...change, '--backend', 'nope'])).code).toBe(2);
  expect((await cli([...change, '--format', 'xml'])).code).toBe(2);
});

it('produces minimal unified diffs (Myers) that apply back', () => {
  const a = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const b = a.replace('line 50\n', 'line 50 changed\n').replace('line 150\n', '');
  const d = unifiedDiff('f', a, b);
  expect(countChanges(d)).toEqual({ added: 1, removed: 2 });
  expect(d.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -48,7 +48,7 @@', '@@ -148,7 +148,6 @@']);
  expect(unifiedDiff('f', a, a)).toBe('');
  expect(countChanges(unifiedDiff('f', undefined, 'x\ny\n'))).toEqual({ added: 2, removed: 0 });
});

/** Applies a unified diff (as unifiedDiff writes it) to `before`: the text it says comes after. */
function applyDiff(before: string | undefined, diff: string): string {
  const old = before === undefined ? [] : before.split('\n');
  const out: string[] = [];
  let at = 0;
  const lines = diff.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(lines[i]!);
    if (!hunk) continue;
    const start = Number(hunk[1]) - (hunk[2] === '0' ? 0 : 1);
    while (at < start) out.push(old[at++]!);
    for (i++; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
      const l = lines[i]!;
      if (l.startsWith(' ')) out.push(old[at++]!);
      else if (l.startsWith('-')) at++;
      else if (l.startsWith('+')) out.push(l.slice(1));
    }
    i--;
  }
  while (at < old.length) out.push(old[at++]!);
  return out.join('\n');
}

it('diffs every backend\'s artifacts: exactly the files whose compiles differ, each diff taking BASE\'s file to HEAD\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-artifacts-'));
  try {
    // HEAD: the next policies without monitoring's, so that files go as well as change.
    cpSync(new URL('../../../examples/policies-next', import.meta.url).pathname, join(dir, 'head'), { recursive: true });
    rmSync(join(dir, 'head', 'monitoring-same-namespace.yaml'));
    const head = join(dir, 'head');
    const r = await cli(['diff', '--inventory', 'examples/cluster.yaml', '--backend', 'all', '--format', 'json', 'examples/policies', head]);
    expect(r.code).toBe(1);
    const artifacts = (JSON.parse(r.stdout) as { artifacts: { backend: string; files: { path: string; status: string; diff: string; added: number; removed: number }[] }[] }).artifacts;
    expect(artifacts.map((a) => a.backend)).toEqual(['iptables', 'nftables', 'calico', 'cilium']);
    for (const a of artifacts) {
      const files = async (side: string, policies: string): Promise<Map<string, string>> => {
        const out = join(dir, `${a.backend}-${side}`);
        expect((await cli(['compile', '--backend', a.backend, '--out-dir', out, '--inventory', 'examples/cluster.yaml', policies])).code).toBe(0);
        return new Map(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
      };
      const before = await files('base', 'examples/policies');
      const after = await files('head', head);
      const differing = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();
      expect({ backend: a.backend, paths: a.files.map((f) => f.path) }).toEqual({ backend: a.backend, paths: differing });
      for (const f of a.files) {
        const status = !before.has(f.path) ? 'added' : !after.has(f.path) ? 'removed' : 'modified';
        expect({ path: f.path, status: f.status }).toEqual({ path: f.path, status });
        expect({ path: f.path, text: applyDiff(before.get(f.path), f.diff) }).toEqual({ path: f.path, text: after.get(f.path) ?? '' });
      }
    }
    expect(artifacts.flatMap((a) => a.files.filter((f) => f.status === 'removed').map((f) => f.path)).sort()).toEqual(['monitoring.yaml', 'namespace-monitoring.yaml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
