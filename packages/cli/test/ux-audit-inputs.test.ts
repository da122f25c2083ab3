// The exploratory UX audit of the CLI (2026-12-01), continued from ux-audit.test.ts: outputs that
// replace files and inputs that are no plain YAML. Each comment says what a user saw before the
// fix; each test asserts what README.md / --help promise.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const root = new URL('../../..', import.meta.url).pathname;
const cluster = join(root, 'examples/cluster.yaml');
const policies = join(root, 'examples/policies');

const tmp = mkdtempSync(join(tmpdir(), 'netpolc-ux-audit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh directory under this file's temporary directory. */
let made = 0;
function sub(name: string): string {
  const dir = join(tmp, `${made++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// What a user sees: the inventory snapshot is kept private (`chmod 600 cluster.yaml`: pod IPs, labels,
// node addresses); `netpolc snapshot -o cluster.yaml --from-cluster` refreshing it leaves it 0644,
// readable by everyone (the new file, made with the umask, is renamed over the old one). `kubectl
// get ... > cluster.yaml`, `cp`, an editor keep the mode of the file they replace. The same for
// compile's files. What they should see: the replaced file keeps its mode (0600). Why: -o FILE is
// "the file to write"; an atomic replace should not widen access.
it('snapshot -o over an existing file keeps its permissions', async () => {
  const dir = sub('mode');
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, 'old\n');
  chmodSync(file, 0o600);
  const r = await cli(['snapshot', '-o', file, cluster]);
  expect(r.code).toBe(0);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

// What a user sees: `for p in a b c; do kubectl get ns $p -o json; done > ns.json` (three JSON
// objects one after the other, which kubectl apply -f reads as a stream) gives 34 errors such as
// "ns.json:9:17: error ir/syntax: Unexpected map-value-ind token in YAML stream: \":\"", each with a
// code frame: 17 per object after the first, one per JSON token (100 objects: some 1 700 errors and
// 5 000 lines), in YAML tokenizer words, for a .json file. The YAML analogue (documents run together
// without ---) is reported once per join since today. What they should see: the objects read (as
// kubectl reads such a stream), or one error per join saying that JSON documents follow one
// another (wrap them in a List: `kubectl get ns a b c -o json`). Why: README "Input: JSON ... kind:
// List (what kubectl get ... -o yaml|json prints)"; a flood of near-identical lines.
it('concatenated kubectl JSON objects give the objects or one message per join, not one YAML error per token', async () => {
  const dir = sub('json-stream');
  const obj = (name: string): string => `${JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, null, 4)}\n`;
  writeFileSync(join(dir, 'ns.json'), obj('a') + obj('b') + obj('c'));
  const r = await cli(['validate', join(dir, 'ns.json')]);
  expect(r.stderr).not.toMatch(/YAML stream/);
  expect((r.stderr.match(/ error /g) ?? []).length).toBeLessThanOrEqual(2);
});

// What a user sees: a JSON dump cut short (`kubectl get ... -o json > dump.json` on a full disk, an
// interrupted copy) prints three errors at the place it ends and then "failed: 6 errors, 0
// warnings" (a longer dump: three printed, "failed: 5 errors"); with --diagnostics-format json the
// array holds the same three. The count includes diagnostics that are printed once (README: "every
// diagnostic once") but counted twice. What they should see: the summary counting what it printed:
// "failed: 3 errors". Why: README "validate ... Diagnostics are printed ..."; a summary that
// disagrees with the list above it.
it('the "failed: N errors" summary counts the errors it printed (truncated JSON)', async () => {
  const dir = sub('truncated-count');
  // netpolc's own JSON snapshot (one item per line), cut after 300 bytes.
  expect((await cli(['snapshot', '-o', join(dir, 'full.json'), cluster])).code).toBe(0);
  writeFileSync(join(dir, 'dump.json'), readFileSync(join(dir, 'full.json')).subarray(0, 300));
  const r = await cli(['validate', join(dir, 'dump.json')]);
  expect(r.code).toBe(2);
  const printed = r.stderr.split('\n').filter((l) => / error /.test(l) && !l.startsWith(' ')).length;
  expect(r.stderr).toContain(`failed: ${printed} error${printed === 1 ? '' : 's'},`);
});

// What a user sees: the same truncated JSON dump is explained in YAML parser words: "error
// ir/syntax: Flow map in block collection must be sufficiently indented and end with a }", "Flow
// sequence in block collection must be sufficiently indented and end with a ]": advice about
// indentation, for a .json file whose only fault is that it stops in the middle. What they should
// see: that the JSON ends before its objects and arrays are closed (the file looks truncated).
// Why: README "Input: ... JSON"; a message that names the wrong thing.
it('a truncated JSON file is reported as ending early, not as a YAML indentation problem', async () => {
  const dir = sub('truncated-words');
  writeFileSync(join(dir, 'dump.json'), '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"');
  const r = await cli(['validate', join(dir, 'dump.json')]);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/indented|block collection/);
  expect(r.stderr).toMatch(/end|truncat/i);
});

// What a user sees: `netpolc compile -b calico --out-dir policies/ policies/` (the output directory
// one of the inputs, or under one) writes the Calico files among the sources without a word, and
// every later run reads them back as input: one "warning ir/other-policy-kind: skipped
// projectcalico.org/v3 NetworkPolicy api: netpolc reads networking.k8s.io/v1 NetworkPolicies only,
// so its verdicts and output leave this policy's rules out" per policy netpolc itself emitted (a
// thousand policies: a thousand warnings), and `kubectl apply -f policies/` applies both. What they
// should see: the first compile refusing an --out-dir inside the inputs (exit 2), or netpolc's own
// output (its managed-by label and first line, which compile already uses to recognise its files)
// not read back. Why: README "compile ... writes its files atomically into DIR"; a warning flood
// about the tool's own output.
it('compile --out-dir inside the input paths is refused, or its output is not read back as input', async () => {
  const dir = sub('out-in-input');
  mkdirSync(join(dir, 'policies'));
  for (const f of ['production-default-deny.yaml', 'production-three-tier.yaml']) copyFileSync(join(policies, f), join(dir, 'policies', f));
  const args = ['compile', '-b', 'calico', '--out-dir', join(dir, 'policies'), '--inventory', cluster, join(dir, 'policies')];
  const first = await cli(args);
  if (first.code === 2) return expect(first.stderr).toMatch(/--out-dir/);
  const second = await cli(args);
  expect(second.stderr).not.toMatch(/other-policy-kind/);
});

// What a user sees: `netpolc validate "$POLICY_DIR"` or `netpolc diff --base-ref main "$DIR"` with the
// variable unset or empty reads the working directory, recursively, as if "." was given: from a
// repository root, every YAML file of the repository (here: "ok: ..." for files never named; in
// this repository, duplicates between examples/policies and examples/policies-next). `-o ""` and
// `--out-dir ""` are already refused as missing. What they should see: a usage error naming the
// empty path, exit 2. Why: README "Paths are files, directories ... or - for stdin": an empty
// string is none of them (`cat ""`, `ls ""` fail).
it('an empty path argument is a usage error, not the working directory', async () => {
  const dir = sub('empty-path');
  copyFileSync(join(policies, 'production-dns.yaml'), join(dir, 'dns.yaml'));
  const r = await cli(['validate', ''], '', dir);
  expect(r.stdout).not.toMatch(/^ok:/);
  expect(r.code).toBe(2);
});

// What a user sees: `netpolc --verbose validate p/` or `netpolc --no-color diff a b` (global options
// first, as kubectl and git take them) gets 'netpolc: unknown command "--verbose"' and the whole
// general help: an option every command takes, called an unknown command, and no hint that it
// belongs after the command. What they should see: the command run with the option, or a usage
// error saying so: "options go after the command: netpolc validate --verbose ...". Why: README
// "Every command also takes ... --verbose ... --color / --no-color ... --diagnostics-format".
it('an option every command takes, given before the command, is not called an unknown command', async () => {
  const r = await cli(['--verbose', 'validate', ...['--inventory', 'examples/cluster.yaml', 'examples/policies']]);
  if (r.code === 0) return;
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/unknown command "--verbose"/);
  expect(r.stderr).toMatch(/validate --verbose|after the command/);
});

// An options audit: `netpolc --diagnostics-format json bogus` said 'unknown command
// "--diagnostics-format"' in text, and `netpolc --verbose bogus` named --verbose.
it('names the unknown command word, not an option before it, and writes JSON when asked; options alone are no command', async () => {
  const json = await cli(['--diagnostics-format', 'json', 'bogus']);
  expect([json.code, JSON.parse(json.stderr)]).toEqual([2, [{ severity: 'note', message: 'netpolc: unknown command "bogus"' }]]);
  const text = await cli(['--verbose', 'bogus']);
  expect([text.code, text.stderr.split('\n')[0]]).toEqual([2, 'netpolc: unknown command "bogus"']);
  const alone = await cli(['--verbose']);
  expect([alone.code, alone.stderr.split('\n')[0]]).toEqual([2, 'netpolc: no command given, only options (--verbose)']);
  const aloneJson = await cli(['--diagnostics-format', 'json']);
  expect([aloneJson.code, JSON.parse(aloneJson.stderr)]).toEqual([2, [{ severity: 'note', message: 'netpolc: no command given, only options (--diagnostics-format json)' }]]);
  const help = await cli(['--verbose', '--help']);
  expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^netpolc: compile Kubernetes NetworkPolicies/)]);
  expect((await cli(['--verbose', '--version'])).stdout).toMatch(/^netpolc \d/);
});
