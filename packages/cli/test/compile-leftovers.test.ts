// Compiling again into a directory leaves it as a fresh compile would, plus the files netpolc
// does not own: a node's IPv6 rules or a namespace's policies that no longer follow from the
// input must not wait there for the next reload or `kubectl apply -f DIR`.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { scratchPerTest } from './scratch.js';

let dir = '';
scratchPerTest('netpolc-leftovers-', (d) => (dir = d));

const root = new URL('../../..', import.meta.url).pathname;
const corpus = (c: string): string[] => [`${root}packages/ir/corpus/${c}/inventory.yaml`, `${root}packages/ir/corpus/${c}/policies.yaml`];

/** The files of a directory, name to content. */
function contents(d: string): Map<string, string> {
  return new Map(
    readdirSync(d)
      .sort()
      .map((f) => [f, readFileSync(join(d, f), 'utf8')]),
  );
}

async function compile(backend: string, out: string, args: readonly string[]): Promise<string> {
  const r = await cli(['compile', '--backend', backend, '--out-dir', out, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

/** Compiles `before` then `after` into one directory holding the user's files; it must end as a fresh compile of `after` plus those. */
async function recompile(backend: string, before: readonly string[], after: readonly string[], user: Record<string, string>): Promise<{ stderr: string; first: Map<string, string> }> {
  const out = join(dir, 'out');
  mkdirSync(out);
  for (const [name, text] of Object.entries(user)) writeFileSync(join(out, name), text);
  await compile(backend, out, before);
  const first = contents(out);
  const stderr = await compile(backend, out, after);
  await compile(backend, join(dir, 'fresh'), after);
  const expected = contents(join(dir, 'fresh'));
  for (const [name, text] of Object.entries(user)) expected.set(name, text);
  expect(contents(out)).toEqual(new Map([...expected].sort(([a], [b]) => (a < b ? -1 : 1))));
  return { stderr, first };
}

it('iptables: a node that lost its IPv6 pods loses its ip6tables file; files of other nodes and the user stay', async () => {
  const v4only = join(dir, 'inventory.yaml');
  writeFileSync(v4only, readFileSync(corpus('dual-stack')[0]!, 'utf8').replace(/^ +- ip: 2001:db8:.*\n/gm, ''));
  const user = {
    'README': 'deployed by hand\n',
    // Named like an output, but not written by netpolc: not ours to remove.
    'node-1.ip6tables.orig': '# netpolc iptables backend: node node-1, IPv6\n',
    // Of a node this inventory does not have.
    'node-9.ip6tables': '# netpolc iptables backend: node node-9, IPv6\n*filter\nCOMMIT\n',
  };
  const { stderr, first } = await recompile('iptables', corpus('dual-stack'), [v4only, corpus('dual-stack')[1]!], user);
  expect([...first.keys()].filter((f) => f.endsWith('.ip6tables'))).toEqual(['node-1.ip6tables', 'node-2.ip6tables', 'node-9.ip6tables']);
  expect(stderr).toContain('removed 2 files of an earlier compile that no longer follow from the policies: node-1.ip6tables, node-2.ip6tables\n');
});

it('iptables --node: only the compiled node answers for its files', async () => {
  const out = join(dir, 'out');
  await compile('iptables', out, corpus('dual-stack'));
  const v4only = join(dir, 'inventory.yaml');
  writeFileSync(v4only, readFileSync(corpus('dual-stack')[0]!, 'utf8').replace(/^ +- ip: 2001:db8:.*\n/gm, ''));
  await compile('iptables', out, ['--node', 'node-1', v4only, corpus('dual-stack')[1]!]);
  expect([...contents(out).keys()].filter((f) => f.endsWith('.ip6tables'))).toEqual(['node-2.ip6tables']);
});

it('iptables: a file the user changed is theirs, whatever its name', async () => {
  const out = join(dir, 'out');
  await compile('iptables', out, corpus('dual-stack'));
  writeFileSync(join(out, 'node-1.ip6tables'), '# my own rules\n');
  const v4only = join(dir, 'inventory.yaml');
  writeFileSync(v4only, readFileSync(corpus('dual-stack')[0]!, 'utf8').replace(/^ +- ip: 2001:db8:.*\n/gm, ''));
  await compile('iptables', out, [v4only, corpus('dual-stack')[1]!]);
  expect(readFileSync(join(out, 'node-1.ip6tables'), 'utf8')).toBe('# my own rules\n');
  expect(existsIn(out, 'node-2.ip6tables')).toBe(false);
});

function existsIn(d: string, name: string): boolean {
  return readdirSync(d).includes(name);
}

const example = [`${root}examples/cluster.yaml`, `${root}examples/policies`];

/** The example without the monitoring namespace's policy: its namespace keeps no file. */
function productionOnly(): string[] {
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  for (const f of readdirSync(`${root}examples/policies`).filter((n) => n.startsWith('production-'))) copyFileSync(`${root}examples/policies/${f}`, join(policies, f));
  return [`${root}examples/cluster.yaml`, policies];
}

it('calico: a namespace that lost its policies loses its file; a cluster.yaml of the user stays', async () => {
  const { stderr } = await recompile('calico', example, productionOnly(), {
    'cluster.yaml': readFileSync(`${root}examples/cluster.yaml`, 'utf8'),
    'namespace-kube-system.yaml': 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: mine\n',
  });
  expect(stderr).toContain('removed 1 file of an earlier compile that no longer follows from the policies: namespace-monitoring.yaml\n');
});

it('calico: the Tier file of an earlier compile with --tier goes', async () => {
  const out = join(dir, 'out');
  await compile('calico', out, ['--tier', 'netpolc', ...example]);
  expect(existsIn(out, 'cluster.yaml')).toBe(true);
  await compile('calico', out, example);
  expect(contents(out)).toEqual(await (async () => (await compile('calico', join(dir, 'fresh'), example), contents(join(dir, 'fresh'))))());
});

it('cilium: a namespace that lost its policies loses its file; YAML of the user stays', async () => {
  const { stderr } = await recompile('cilium', example, productionOnly(), {
    'kustomization.yaml': 'resources: [production.yaml]\n',
    'kube-system.yaml': '# mine\n',
  });
  expect(stderr).toContain('removed 1 file of an earlier compile that no longer follows from the policies: monitoring.yaml\n');
});

it('nftables: files of nodes not compiled, and of the user, stay', async () => {
  const out = join(dir, 'out');
  mkdirSync(out);
  const user = {
    'node-3.nft': '#!/usr/sbin/nft -f\n# netpolc: NetworkPolicy ruleset of node node-3. Generated; do not edit.\n',
    'node-1.nft.bak': 'old\n',
  };
  for (const [name, text] of Object.entries(user)) writeFileSync(join(out, name), text);
  await compile('nftables', out, example);
  const stderr = await compile('nftables', out, ['--node', 'node-1', ...example]);
  expect(stderr).not.toContain('removed');
  expect([...contents(out).keys()]).toEqual(['node-1.nft', 'node-1.nft.bak', 'node-2.nft', 'node-3.nft']);
});

it('calico and cilium without an inventory answer for every namespace: one whose policies were all deleted loses its file', async () => {
  // Old code: only the namespaces of the policies compiled were known, so the file of a
  // namespace that lost all its policies stayed, and `kubectl apply -f DIR` restored them.
  for (const backend of ['calico', 'cilium']) {
    const policies = productionOnly().slice(1);
    const stale = backend === 'calico' ? 'namespace-monitoring.yaml' : 'monitoring.yaml';
    const { stderr } = await recompile(backend, [`${root}examples/policies`], policies, { 'notes.yaml': '# mine\n', 'namespace-mine.yaml': 'kind: List\n' });
    expect(stderr).toContain(`removed 1 file of an earlier compile that no longer follows from the policies: ${stale}\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  }
});

it('every backend owns each file it writes, for what it compiled, by name and first bytes, and nothing else', async () => {
  const { loadProgram, resolve } = await import('@netpolc/ir');
  const { backends, backendNames } = await import('../src/backends.js');
  const read = (f: string): { path: string; content: string } => ({ path: f, content: readFileSync(f, 'utf8') });
  const sources = [read(`${root}examples/cluster.yaml`), ...readdirSync(`${root}examples/policies`).map((f) => read(`${root}examples/policies/${f}`))];
  const program = loadProgram(sources).program;
  const input = { program, resolved: resolve(program) };
  for (const name of backendNames) {
    const backend = backends[name];
    const emitted = backend.emit(input, backend.parseOptions({ 'out-dir': 'out' }).options as never);
    expect(emitted.files.length, name).toBeGreaterThan(1);
    for (const f of emitted.files) {
      const head = Buffer.from(f.content).subarray(0, 512).toString('utf8');
      expect({ name, path: f.path, owned: emitted.owns?.(f.path, () => head) }).toEqual({ name, path: f.path, owned: true });
      expect({ name, path: f.path, owned: emitted.owns?.(f.path, () => `# edited\n${head}`) }).toEqual({ name, path: f.path, owned: false });
      // No node or namespace has this name (an underscore).
      expect({ name, path: f.path, owned: emitted.owns?.(`x_${f.path}`, () => head) }).toEqual({ name, path: f.path, owned: false });
    }
    // A file of another name is not even read (Calico and Cilium answer for every namespace, so
    // `notes.yaml` could be Cilium's file of namespace notes: its first line decides).
    const unread = (): string => {
      throw new Error(`${name} read a file it does not own`);
    };
    expect(['README', 'Notes.yaml', 'node-1.txt', 'a_b.yaml'].map((p) => emitted.owns?.(p, unread))).toEqual([false, false, false, false]);
  }
});

it('calico and cilium answer for every namespace, whatever the inventory lists, and for only those of --namespace when it limits the compile', async () => {
  const { loadProgram, resolve } = await import('@netpolc/ir');
  const { backends } = await import('../src/backends.js');
  const read = (f: string): { path: string; content: string } => ({ path: f, content: readFileSync(f, 'utf8') });
  // One Namespace object in the input no longer turns it off (it did: only the listed ones were answered for).
  const sources = [{ path: 'ns.yaml', content: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: production}\n' }, ...readdirSync(`${root}examples/policies`).map((f) => read(`${root}examples/policies/${f}`))];
  const program = loadProgram(sources).program;
  const resolved = resolve(program);
  for (const [name, file] of [['calico', (ns: string) => `namespace-${ns}.yaml`], ['cilium', (ns: string) => `${ns}.yaml`]] as const) {
    const backend = backends[name];
    const options = backend.parseOptions({ 'out-dir': 'out' }).options as never;
    const every = backend.emit({ program, resolved }, options);
    const head = Buffer.from(every.files.find((f) => f.path !== 'cluster.yaml')!.content).subarray(0, 512).toString('utf8');
    expect(every.owns?.(file('team-gone'), () => head), name).toBe(true);
    const limited = backend.emit({ program, resolved, namespaces: ['production'] }, options);
    expect([file('production'), file('team-gone')].map((p) => limited.owns?.(p, () => head)), name).toEqual([true, false]);
  }
});

it('a compile without files removes the last ones of an earlier compile, and needs no directory', async () => {
  const out = join(dir, 'out');
  await compile('cilium', out, example);
  expect([...contents(out).keys()]).toEqual(['monitoring.yaml', 'production.yaml']);
  // The cluster without any policy: every namespace's file goes.
  expect(await compile('cilium', out, [`${root}examples/cluster.yaml`])).toContain('removed 2 files');
  expect([...contents(out).keys()]).toEqual([]);
  expect(await compile('calico', join(dir, 'new'), [`${root}examples/cluster.yaml`])).toBe('wrote 0 files to ' + join(dir, 'new') + '\n');
});
