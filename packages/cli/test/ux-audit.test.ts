// Exploratory UX audit of the netpolc CLI (2026-12-01), one test per defect found, each asserting
// the behaviour README.md / --help promise. Each comment says what a user saw before the fix.
// `it` tests are fixed; `it.fails` ones are still open (the fix turns them green, and the
// `.fails` must then be dropped).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, copyFileSync, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeApiServer, type FakeServer } from './cluster/fake-api-server.js';
import { readManifests, runCli, writeKubeconfig } from './cluster/support.js';
import { cli } from './run-cli.js';

const root = new URL('../../..', import.meta.url).pathname;
const bin = new URL('../bin/netpolc.js', import.meta.url).pathname;
const cluster = join(root, 'examples/cluster.yaml');
const policies = join(root, 'examples/policies');

let tmp = '';
let server: FakeServer;
let env: Record<string, string> = {};
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'netpolc-ux-audit-'));
  // The example cluster (inventory and policies) behind a fake API server, for --from-cluster.
  server = await startFakeApiServer({ objects: readManifests([cluster, policies]) });
  env = { KUBECONFIG: writeKubeconfig(join(tmp, 'kube'), [{ name: 'fake', server: server.url }]) };
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory under this file's temporary directory. */
let made = 0;
function sub(name: string): string {
  const dir = join(tmp, `${made++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A git repository with cluster.yaml and policies/ (the example's) committed at HEAD. */
function exampleRepo(name: string): string {
  const repo = sub(name);
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  copyFileSync(cluster, join(repo, 'cluster.yaml'));
  mkdirSync(join(repo, 'policies'));
  for (const f of ['production-default-deny.yaml', 'production-dns.yaml', 'production-three-tier.yaml']) copyFileSync(join(policies, f), join(repo, 'policies', f));
  git('add', '.');
  git('-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-qm', 'base');
  return repo;
}

const nsLess = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}}\n';

// What a user sees: `netpolc compile -b calico --out-dir out --default-namespace ../../../x p.yaml` (p.yaml
// a policy without metadata.namespace) prints "netpolc: unexpected error: Error: refusing to write
// outside the output directory: namespace-../../../x.yaml", a JavaScript stack and "This is a bug in
// netpolc", exit 3. `--default-namespace a/b` silently writes a subdirectory `namespace-a/b.yaml`,
// and `Production` or `my ns` give objects that kubectl apply refuses. What they should see: exit 2,
// "--default-namespace ../../../x is not a valid namespace name (RFC 1123 label)", as the same name in
// metadata.namespace already gets (ir/invalid-name). Why: README, exit codes ("3 internal error"),
// and "Validation and defaulting follow the API server"; the flag is kubectl's context namespace.
it('--default-namespace with an invalid name is a usage error (exit 2), not an internal error with a stack', async () => {
  const dir = sub('default-ns');
  writeFileSync(join(dir, 'p.yaml'), nsLess);
  const r = await cli(['compile', '-b', 'calico', '--out-dir', join(dir, 'out'), '--default-namespace', '../../../x', join(dir, 'p.yaml')]);
  expect(r.stderr).not.toMatch(/unexpected error|at StagedWriter/);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--default-namespace/);
  const slash = await cli(['validate', '--default-namespace', 'a/b', join(dir, 'p.yaml')]);
  expect(slash.code).toBe(2);
});

// What a user sees: with standard error on a pipe whose reader has gone (`netpolc diff ... 2>&1 |
// head -n 20`, a log shipper that stopped), a usage or input error exits 1, the code `diff` gives
// to "changes found" (docs/ci.md's shell example then prints the report instead of "invalid
// input"; a GitHub step posts an empty comment). Standard output already has this handled (EPIPE
// keeps the command's code, see bin.ts); standard error does not. What they should see: exit 2.
// Why: README "Exit codes: ... 2 bad input or usage".
it('keeps its exit code (2) when the reader of standard error goes away', () => {
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" diff --fail-on bogus examples/policies examples/policies-next 2>&1 >/dev/null | true`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(2);
});

// What a user sees: a pull request deletes policies/old.yaml (or a whole directory); `netpolc diff
// --base-ref main policies/old.yaml` says "cannot read policies/old.yaml: no such file or
// directory", exit 2, so CI fails as for invalid input instead of showing the connections the
// deletion opens. What they should see: the diff (HEAD has nothing at that path), exit 1 — the
// mirror of a path missing at BASE, which "contributes nothing (everything in HEAD is then new)".
// Why: README "diff ... compares ... the same paths at a git ref"; --help "--base-ref: the same
// paths at this ref; HEAD is the working tree".
it('diff --base-ref of a path deleted in the working tree shows what the deletion changes', async () => {
  const repo = exampleRepo('deleted');
  unlinkSync(join(repo, 'policies', 'production-dns.yaml'));
  const r = await cli(['diff', '--base-ref', 'HEAD', '--inventory', 'cluster.yaml', 'policies/production-dns.yaml'], '', repo);
  expect(r.stderr).not.toMatch(/cannot read/);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/[1-9]\d* added/);
});

// What a user sees: the checkout is reached through a symbolic link (a home directory on another
// disk, `/tmp` -> `/private/tmp` on macOS, a CI workspace path); `netpolc diff --base-ref HEAD
// --inventory cluster.yaml "$PWD/policies"` says "/…/link/policies is outside the git repository
// /…/repo", exit 2, though it is that very repository. The same relative path works. What they
// should see: the diff (here: no change, exit 0). Why: README "--base-ref GIT_REF PATH..." takes
// paths; the repository is found from the path (git-source.ts) but compared with its real path.
it('diff --base-ref accepts a path into the repository reached through a symbolic link', async () => {
  const repo = exampleRepo('linked');
  const link = join(tmp, `${made++}-link`);
  symlinkSync(repo, link);
  const r = await cli(['diff', '--base-ref', 'HEAD', '--inventory', 'cluster.yaml', join(link, 'policies')], '', repo);
  expect(r.stderr).not.toMatch(/outside the git repository/);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/0 added, 0 removed/);
});

// What a user sees: `netpolc diff examples/policies examples/policies-next` (the --inventory
// forgotten, or an inventory path that holds no pods) prints "0 added, 0 removed connections",
// exit 0, with nothing on stderr: in CI, a change that cuts off every pod passes as "no change".
// With no pods no connection can change, whatever the policies. What they should see: the same
// result plus a warning that the inputs hold no pods (give --inventory). Why: README "diff compares
// two policy sets ... against the inventory"; docs/ci.md "0 no change".
it('diff warns when the inputs hold no pods, instead of a silent "0 added, 0 removed"', async () => {
  const r = await cli(['diff', 'examples/policies', 'examples/policies-next']);
  expect(r.stdout).toMatch(/0 added, 0 removed/);
  expect(r.stderr).toMatch(/no pods?|--inventory/i);
});

// What a user sees: a directory holding a broken link named like an input (an editor's or a
// deployment tool's leftover: `old.yaml -> gone.yaml`) stops every command with "cannot read
// d/old.yaml: ENOENT: no such file or directory, open '/abs/d/old.yaml'": Node's errno text, about
// a file `ls` shows, and no word of the link or of where it points. (`--base-ref` skips such a link
// at BASE: "a dangling link, as on the working tree: nothing to read".) What they should see: a
// message that it is a broken link to gone.yaml (or a skip note, as for a FIFO). Why: README
// "directories (... following links ...)"; a message that names the wrong thing.
it('a broken link in an input directory is reported as a broken link, naming its target', async () => {
  const dir = sub('dangling');
  copyFileSync(join(policies, 'production-dns.yaml'), join(dir, 'dns.yaml'));
  symlinkSync('gone.yaml', join(dir, 'old.yaml'));
  const r = await cli(['validate', '--inventory', cluster, dir]);
  expect(r.stderr).not.toMatch(/ENOENT/);
  expect(r.stderr).toMatch(/gone\.yaml/);
});

// What a user sees: `netpolc compile -b iptables --out-dir rules.yaml ...` where rules.yaml is a file
// says "could not write the output files: EEXIST: file already exists, mkdir '/abs/rules.yaml'
// (nothing was written)": errno text about a mkdir the user never asked for. `snapshot -o DIR` got
// a plain message today ("-o DIR is a directory; give a file"). What they should see: "--out-dir
// rules.yaml is a file, not a directory", exit 2. Why: --help "--out-dir DIR".
it('compile --out-dir naming an existing file says it is not a directory', async () => {
  const dir = sub('outdir-file');
  writeFileSync(join(dir, 'rules.yaml'), 'keep me\n');
  const r = await cli(['compile', '-b', 'iptables', '--out-dir', join(dir, 'rules.yaml'), '--inventory', cluster, policies]);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/EEXIST|mkdir/);
  expect(r.stderr).toMatch(/not a directory|is a file/);
});

// What a user sees: `netpolc diff --base-ref main /elsewhere/policies` run from inside a repository,
// with the path in no repository, says "git rev-parse --show-toplevel failed: fatal: not a git
// repository (or any of the parent directories): .git": git's text, naming neither the path nor
// --base-ref, though the working directory IS a repository. What they should see: "/elsewhere/
// policies is not in a git repository: --base-ref reads paths from git history". Why: README
// "--base-ref ... a link out of it is an error: it has no history"; the message names the wrong
// thing.
it('diff --base-ref with a path in no git repository names the path', async () => {
  const repo = exampleRepo('outside');
  const outside = sub('not-a-repo');
  copyFileSync(join(policies, 'production-dns.yaml'), join(outside, 'dns.yaml'));
  const r = await cli(['diff', '--base-ref', 'HEAD', '--inventory', 'cluster.yaml', outside], '', repo);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/rev-parse|fatal:/);
  expect(r.stderr).toContain(outside);
});

// What a user sees: `netpolc validate --diagnostics-format json /abs/dir` with a FIFO (or a broken
// link) in the directory names it "../../tmp/…/dir/fifo.yaml": a path relative to the working
// directory that the user never wrote, while the diagnostics of the same run name the files
// "/tmp/…/dir/…". What they should see: the path as given (absolute here). Why: inputs.ts's own
// contract, "Paths in messages stay as the user wrote them"; tools that match paths across
// messages (editors, CI annotations) see two names for one directory.
it('notes about skipped entries name them as the user wrote the directory (absolute stays absolute)', async () => {
  const dir = sub('fifo');
  copyFileSync(join(policies, 'production-dns.yaml'), join(dir, 'dns.yaml'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  const r = await cli(['validate', '--inventory', cluster, dir]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`skipped ${join(dir, 'fifo.yaml')}`);
  expect(r.stderr).not.toMatch(/\.\.\//);
});

// What a user sees: `netpolc validat --diagnostics-format json p.yaml` (a typo of the command, in a CI
// wrapper that parses stderr as JSON) gets a text message and the whole general help on stderr:
// the parser fails. Every other early failure (unknown option, bad --port, missing -o) is one JSON
// array. What they should see: `[{"severity":"note","message":"netpolc: unknown command
// \"validat\" (did you mean validate?)"}, ...]`. Why: README "--diagnostics-format json: stderr is
// one JSON array written at the end ... and the command's other stderr lines as notes".
it('an unknown command with --diagnostics-format json still writes one JSON array on stderr', async () => {
  const r = await cli(['validat', '--diagnostics-format', 'json', 'examples/policies']);
  expect(r.code).toBe(2);
  expect(() => JSON.parse(r.stderr) as unknown).not.toThrow();
});

// What a user sees: a Latin-1 file (`name: café` on line 4) gets "p.yaml:1:1: error
// ir/binary-input: file is not UTF-8 text (invalid UTF-8)": the location points at the first byte,
// not at the offending one, so in a long kubectl dump the user must hunt for it. What they should
// see: the line and column of the first invalid byte (4:9). Why: README "Diagnostics are printed as
// file:line:col".
it('a non-UTF-8 byte is reported at its own line and column, not at 1:1', async () => {
  const dir = sub('latin1');
  writeFileSync(join(dir, 'p.yaml'), Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf\xe9\n', 'latin1'));
  const r = await cli(['validate', join(dir, 'p.yaml')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${join(dir, 'p.yaml')}:4:`);
});

// What a user sees: `netpolc diff --from-cluster --inventory cluster.yaml policies/ policies-next/`
// (or `--base cluster --head ./policies`, or `--head-inventory relabeled.yaml` to see what a relabel
// does to the live cluster) stops with 16 "error ir/duplicate-object: duplicate Namespace production
// (also defined at cluster:fake/namespaces:4:1)", exit 2. validate, matrix, explain and snapshot
// with the same --from-cluster --inventory apply the file over the cluster. What they should see:
// the diff, the local inventory replacing the cluster's objects of the same kind, namespace and
// name (here: 2 added, 10 removed, exit 1). Why: README "Live cluster": "Every command takes
// --from-cluster ... Local PATHs given with it replace the cluster's objects ... as kubectl apply
// would"; docs/ci.md's relabel recipe (--base-inventory/--head-inventory).
it('diff --from-cluster applies --inventory over the cluster, as the other commands do', async () => {
  const r = await runCli(['diff', '--from-cluster', '--inventory', 'examples/cluster.yaml', 'examples/policies', 'examples/policies-next'], env);
  expect(r.stderr).not.toMatch(/duplicate-object/);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/2 added, 10 removed/);
});

// What a user sees: `netpolc explain --from-cluster -n production --from production/db-0 --to
// monitoring/prometheus-0 --port 9090` says "pod monitoring/prometheus-0 is not in the inventory,
// which has no pods in namespace monitoring": the namespace exists and has pods in the cluster;
// only the --namespace given on the same line kept them from being read, and the message does not
// say so. What they should see: the message naming --namespace production as the reason (add -n
// monitoring, or drop -n). Why: --help "-n: --from-cluster reads only its pods and
// NetworkPolicies"; a message with no way out where one is obvious.
it('explain --from-cluster -n NS names --namespace when an endpoint lies outside NS', async () => {
  const r = await runCli(['explain', '--from-cluster', '-n', 'production', '--from', 'production/db-0', '--to', 'monitoring/prometheus-0', '--port', '9090'], env);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--namespace|-n /);
});

// What a user sees: `kubectl get netpol -A -o yaml | netpolc diff --inventory cluster.yaml - -` (or
// `--base - --head -`) prints "netpolc diff (- -> -, all ports): 951 added, 0 removed connections",
// exit 1 ("changes found"): standard input is consumed by BASE, HEAD reads nothing (a bare
// "<stdin>:1:1: warning ir/empty-file") and the diff claims that every policy was deleted. With
// `--inventory - - policies/` it is "error ir/no-objects: no Kubernetes objects found in the
// inputs", though stdin held the whole inventory. What they should see: the same input on both
// sides, so no change (exit 0), or a usage error (exit 2) that standard input can be read only
// once. Why: README "Paths are files, directories ... or - for stdin"; identical sides are "no
// change" (exit 0). Spawned: the in-process runner hands out a fresh stdin on every read.
it('diff with standard input as both BASE and HEAD does not report every policy as removed', () => {
  const all = readManifestsText([policies]);
  const r = spawnSync(process.execPath, [bin, 'diff', '--inventory', 'examples/cluster.yaml', '-', '-'], { cwd: root, input: all, encoding: 'utf8', timeout: 30_000 });
  expect(r.stdout).not.toMatch(/[1-9]\d* added/);
  expect(r.status === 0 || (r.status === 2 && /standard input/.test(r.stderr))).toBe(true);
});

/** The YAML files under `paths`, as one multi-document stream. */
function readManifestsText(paths: readonly string[]): string {
  return readManifests(paths)
    .map((o) => `---\n${JSON.stringify(o)}\n`)
    .join('');
}

// What a user sees: docs/ci.md gives the inventory as "what `kubectl get namespaces,pods,nodes -A -o
// yaml` prints (or `netpolc snapshot --from-cluster -o cluster.yaml`, which strips managed fields
// and noise)". The snapshot also holds the cluster's NetworkPolicies, so with the policies of the
// repository applied in the cluster, the recipe `netpolc diff --base-ref origin/main --inventory
// cluster.yaml policies/` stops with one "error ir/duplicate-object: duplicate NetworkPolicy
// production/api (also defined at policies/...)" per policy, exit 2, which the workflow treats as
// invalid policies, on every pull request. What they should see: the diff of the policies, the
// inventory's own NetworkPolicies not counted twice (here: 2 added, 10 removed, exit 1), or at
// least a message that the inventory file holds NetworkPolicies and a way to leave them out. Why:
// docs/ci.md "Keeping the inventory snapshot current"; README "snapshot ... writes the inventory
// and policies".
it('diff with a netpolc snapshot as --inventory (the docs/ci.md recipe) compares the policies instead of failing on duplicates', async () => {
  const dir = sub('snapshot-inventory');
  const snap = await cli(['snapshot', '-o', join(dir, 'cluster.yaml'), cluster, policies]);
  expect(snap.code).toBe(0);
  const r = await cli(['diff', '--inventory', join(dir, 'cluster.yaml'), 'examples/policies', 'examples/policies-next']);
  expect(r.stderr).not.toMatch(/duplicate-object/);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/2 added, 10 removed/);
});

// What a user sees: `netpolc snapshot -o /dev/stdout ...` (a user who does not know `-o -`), run as
// root as in most CI containers, replaces the /dev/stdout symbolic link with a regular file (the
// output is renamed over the link; "wrote 16 objects to /dev/stdout", exit 0), and every later
// program of that container writing /dev/stdout writes into that file. The same with any link to a
// device or FIFO; a target that IS a device or FIFO is refused ("something other than a file is
// there"), a link to one is not (staged-writer.ts accepts every symbolic link). Reproduced here with
// a link to a FIFO in a temporary directory, never with /dev. What they should see: the link kept:
// the output written through it (to the FIFO), or a refusal, exit 2. Why: README "snapshot -o
// FILE|-"; --help "-o FILE: file to write"; the message for a device already says a non-file target
// is refused.
it('snapshot -o through a symbolic link to a FIFO (as /dev/stdout is) does not replace the link with a file', async () => {
  const dir = sub('link-to-fifo');
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  symlinkSync(fifo, join(dir, 'stdout'));
  // A reader, so that writing through the link (a right fix) cannot block.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const r = await cli(['snapshot', '-o', join(dir, 'stdout'), cluster]);
    expect(lstatSync(join(dir, 'stdout')).isSymbolicLink()).toBe(true);
    expect([0, 2]).toContain(r.code);
  } finally {
    closeSync(reader);
  }
});

// What a user sees: `netpolc compile -b calico -n monitoring --out-dir out --inventory cluster.yaml
// policies/` (no --from-cluster) writes the policies of every namespace, production's included,
// without a word (`kubectl apply -f out` then applies them all); `diff -n monitoring` likewise
// reports production's connections. Offline, `snapshot -n` and `matrix -n` do keep one namespace,
// and `--request-timeout` without --from-cluster is refused ("needs --from-cluster"). What they
// should see: only monitoring's output, or a usage error (exit 2) that --namespace has no effect
// here. Why: --help "-n, --namespace NS: only this namespace"; an option silently ignored.
it('compile -n NS without --from-cluster does not silently emit every namespace', async () => {
  const r = await cli(['compile', '-b', 'calico', '-n', 'monitoring', '--out-dir', '-', '--inventory', cluster, policies]);
  if (r.code === 2) expect(r.stderr).toMatch(/--namespace|-n\b/);
  else {
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/namespace: production/);
  }
});

// The same for diff, which reads the cluster for --from-cluster and for a side given as `cluster`.
it('diff -n NS is a usage error unless the cluster is read, where it limits what is read', async () => {
  const offline = await cli(['diff', '-n', 'monitoring', '--inventory', cluster, policies, policies]);
  expect([offline.code, offline.stderr.split('\n')[0]]).toEqual([2, 'netpolc diff: --namespace needs --from-cluster here: it says which namespaces to read from the cluster (local files are read whole)']);
  // Against the live policies of monitoring alone, the repository's adds production's policies:
  // an inventory without production's pods leaves them nothing to change.
  const live = await runCli(['diff', '-n', 'monitoring', '--base', 'cluster', '--head', policies], env);
  expect([live.code, live.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/: 0 added, 0 removed connections$/)]);
});
