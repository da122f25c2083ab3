// `netpolc diff --base-ref`: BASE must read the paths at the ref exactly as HEAD reads them in the
// working tree (hidden names skipped, links judged by their own name and followed through any part
// of a path), so that a tree unchanged since the ref shows no change. Cases from an audit of
// 2026-12-03, each checked against a checkout of the ref (`git worktree add`) diffed as two
// directories.
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { scratchPerTest } from './scratch.js';
import { git, policyRepo, summaryOf } from './support/ci-audit.js';

let dir = '';
scratchPerTest('netpolc-git-base-ref-', (d) => (dir = d));

const jsonDiff = (...paths: string[]) => cli(['diff', '--base-ref', 'HEAD', '--inventory', join(dir, 'cluster.yaml'), '--format', 'json', ...paths], '', dir);
/** The same diff against a checkout of HEAD, as two directories: the oracle. */
async function checkoutDiff(...paths: string[]): Promise<unknown> {
  const wt = join(dir, '..', `${dir.split('/').pop()}-wt`);
  git(dir, 'worktree', 'add', '-q', '--detach', wt, 'HEAD');
  try {
    const r = await cli(['diff', '--inventory', join(dir, 'cluster.yaml'), '--format', 'json', ...paths.map((p) => join(wt, p)), ...paths], '', dir);
    return summaryOf(r);
  } finally {
    git(dir, 'worktree', 'remove', '--force', wt);
  }
}
const commit = (message: string): void => {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
};
const unchanged = { code: 0, added: 0, removed: 0 };

it('skips names starting with a dot under the compared paths on BASE too (they were read at the ref only)', async () => {
  policyRepo(dir);
  mkdirSync(join(dir, 'policies', '.old'));
  git(dir, 'mv', 'policies/production-dns.yaml', 'policies/.old/production-dns.yaml');
  commit('archive one policy in a hidden directory');
  expect(summaryOf(await jsonDiff('policies'))).toEqual(unchanged);
  expect(await checkoutDiff('policies')).toEqual(unchanged);
});

it('judges a link by its own name, as the working tree does (one without an extension was read at the ref only)', async () => {
  policyRepo(dir);
  mkdirSync(join(dir, 'shared'));
  git(dir, 'mv', 'policies/production-dns.yaml', 'shared/dns.yaml');
  symlinkSync('../shared/dns.yaml', join(dir, 'policies', 'dns'));
  commit('a link named without an extension');
  // Neither side reads `dns` (BASE did, and reported its 10 connections removed).
  expect(summaryOf(await jsonDiff('policies'))).toEqual(unchanged);
  expect(await checkoutDiff('policies')).toEqual(unchanged);
});

it('follows a link to a link, and a link through a linked directory, at the ref (one read the link text as YAML, the other read nothing)', async () => {
  policyRepo(dir);
  symlinkSync('production-dns.yaml', join(dir, 'policies', 'a.yaml'));
  symlinkSync('a.yaml', join(dir, 'policies', 'b.yaml'));
  mkdirSync(join(dir, 'shared'));
  git(dir, 'mv', 'policies/production-monitoring.yaml', 'shared/monitoring.yaml');
  symlinkSync('shared', join(dir, 'conf'));
  symlinkSync('../conf/monitoring.yaml', join(dir, 'policies', 'monitoring.yaml'));
  commit('chains of links');
  const r = await jsonDiff('policies');
  expect(r.stderr).not.toContain('error');
  expect(summaryOf(r)).toEqual(await checkoutDiff('policies'));
});

it('reads a compared path that is a link as it was at the ref, not where it leads now (a removal was missed)', async () => {
  policyRepo(dir);
  mkdirSync(join(dir, 'releases'));
  cpSync(join(dir, 'policies'), join(dir, 'releases', 'v1'), { recursive: true });
  cpSync(join(dir, 'policies'), join(dir, 'releases', 'v2'), { recursive: true });
  rmSync(join(dir, 'releases', 'v2', 'production-dns.yaml'));
  symlinkSync('releases/v1', join(dir, 'current'));
  commit('current is v1');
  expect(summaryOf(await jsonDiff('current'))).toEqual(unchanged);
  rmSync(join(dir, 'current'));
  symlinkSync('releases/v2', join(dir, 'current'));
  expect(summaryOf(await jsonDiff('current'))).toEqual({ code: 1, added: 0, removed: 10 });
});

it('reads a path whose name starts with a colon literally (git took it for pathspec magic and read nothing)', async () => {
  policyRepo(dir, ':policies');
  expect(summaryOf(await jsonDiff(':policies'))).toEqual(unchanged);
});

it('ignores a committed link out of the repository that the working tree would not read either (it was an error)', async () => {
  policyRepo(dir);
  symlinkSync('/etc/hostname', join(dir, 'policies', 'HOSTNAME.txt'));
  commit('a link out, not an input');
  expect(summaryOf(await jsonDiff('policies'))).toEqual(unchanged);
  symlinkSync('/etc/hostname', join(dir, 'policies', 'host.yaml'));
  commit('a link out named as an input');
  const r = await jsonDiff('policies');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('HEAD:policies/host.yaml is a link to /etc/hostname, outside the git repository');
});

it('reads files through their smudge filters at the ref, as the working tree has them (git-crypt, Git LFS: BASE read the stored form)', async () => {
  policyRepo(dir);
  // A reversible filter: the repository stores base64, the working tree the YAML.
  git(dir, 'config', 'filter.b64.clean', 'base64');
  git(dir, 'config', 'filter.b64.smudge', 'base64 -d');
  writeFileSync(join(dir, '.gitattributes'), 'policies/production-*.yaml filter=b64\n');
  git(dir, 'add', '--renormalize', '.');
  commit('store the production policies encoded');
  expect(git(dir, 'cat-file', '-p', 'HEAD:policies/production-dns.yaml')).not.toMatch(/NetworkPolicy/);
  expect(summaryOf(await jsonDiff('policies'))).toEqual(unchanged);
  expect(await checkoutDiff('policies')).toEqual(unchanged);
  // A change in a filtered file is seen as such: the working tree's is one policy fewer.
  rmSync(join(dir, 'policies', 'production-dns.yaml'));
  const changed = summaryOf(await jsonDiff('policies'));
  expect(changed).toEqual(await checkoutDiff('policies'));
  expect(changed).toMatchObject({ code: 1 });
});

it('reads a submodule under the compared paths at the commit the ref records, from its own repository (BASE read nothing there)', async () => {
  policyRepo(dir);
  const sub = join(dir, '..', `${dir.split('/').pop()}-sub`);
  mkdirSync(sub);
  try {
    git(sub, 'init', '-q');
    cpSync(join(dir, 'policies', 'production-dns.yaml'), join(sub, 'dns.yaml'));
    git(sub, 'add', '-A');
    git(sub, 'commit', '-qm', 'dns');
    git(dir, 'rm', '-q', 'policies/production-dns.yaml');
    git(dir, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'policies/shared');
    commit('the DNS policy comes from a submodule');
    expect(summaryOf(await jsonDiff('policies'))).toEqual(unchanged);
    // The submodule's working tree is HEAD's side: a change there is a change.
    rmSync(join(dir, 'policies', 'shared', 'dns.yaml'));
    expect(summaryOf(await jsonDiff('policies'))).toMatchObject({ code: 1, added: 0 });
    // A ref whose submodule commit the submodule's repository lacks is an error naming it.
    git(join(dir, 'policies', 'shared'), 'checkout', '-q', '--', 'dns.yaml');
    git(dir, 'update-index', '--cacheinfo', `160000,${'1'.repeat(40)},policies/shared`);
    git(dir, 'commit', '-qm', 'point the submodule at a commit nobody fetched');
    const r = await jsonDiff('policies');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/submodule policies\/shared is at 1{40} in HEAD, which its repository .* does not have/);
  } finally {
    rmSync(sub, { recursive: true, force: true });
  }
});

it('reads a path below a submodule, also as the first path, at the commit the superproject records; a submodule removed since the ref is an error (it read as no change)', async () => {
  policyRepo(dir);
  const sub = join(dir, '..', `${dir.split('/').pop()}-sub2`);
  mkdirSync(join(sub, 'net'), { recursive: true });
  try {
    git(sub, 'init', '-q');
    cpSync(join(dir, 'policies', 'production-dns.yaml'), join(sub, 'net', 'dns.yaml'));
    writeFileSync(join(sub, 'net', 'README.txt'), 'network policies\n');
    git(sub, 'add', '-A');
    git(sub, 'commit', '-qm', 'dns');
    git(dir, 'rm', '-q', 'policies/production-dns.yaml');
    git(dir, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'team');
    commit('the DNS policy comes from a submodule');
    expect(summaryOf(await jsonDiff('policies', 'team/net'))).toEqual(unchanged);
    expect(summaryOf(await jsonDiff('team/net', 'policies'))).toEqual(unchanged);
    // A commit inside the submodule that the superproject does not record yet is HEAD's side.
    git(join(dir, 'team'), 'rm', '-q', 'net/dns.yaml');
    git(join(dir, 'team'), 'commit', '-qm', 'drop dns');
    expect(summaryOf(await jsonDiff('team/net', 'policies'))).toMatchObject({ code: 1, added: 0 });
    // Run inside the submodule, the ref is the submodule's own, as for git: its tree is clean.
    const inside = await cli(['diff', '--base-ref', 'HEAD', '--inventory', join(dir, 'cluster.yaml'), '--format', 'json', 'net'], '', join(dir, 'team'));
    expect(summaryOf(inside)).toEqual(unchanged);
    git(join(dir, 'team'), 'reset', '-q', '--hard', 'HEAD~1');
    // Removed since the ref: BASE cannot read it here, and says so.
    git(dir, 'rm', '-q', 'team');
    const r = await jsonDiff('.');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/submodule team that HEAD records is not checked out at team/);
  } finally {
    rmSync(sub, { recursive: true, force: true });
  }
});
