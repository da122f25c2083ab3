// How input paths are expanded: directories (links to directories included, each once), files
// reached twice, and entries that are no files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { realPath, realPaths } from '../src/inputs.js';
import { cli } from './run-cli.js';
import { scratchPerTest } from './scratch.js';

let dir = '';
scratchPerTest('netpolc-paths-', (d) => (dir = d));

const root = new URL('../../..', import.meta.url).pathname;
const cluster = join(root, 'examples/cluster.yaml');
const policies = join(root, 'examples/policies');

it('follows a link to a directory, as it follows a link to a file', async () => {
  // Old code: the linked directory was skipped without a word ("ok: 0 policies").
  mkdirSync(join(dir, 'in'));
  symlinkSync(policies, join(dir, 'in', 'pol'));
  const linked = await cli(['validate', '-i', cluster, 'in'], '', dir);
  const direct = await cli(['validate', '-i', cluster, policies], '', dir);
  expect(linked.code).toBe(0);
  expect(linked.stdout).toBe(direct.stdout);
  expect(linked.stdout).toMatch(/^ok: 7 policies/);
});

it('reads each directory and file once, through link loops and a file named twice', async () => {
  mkdirSync(join(dir, 'in'));
  copyFileSync(join(policies, 'production-dns.yaml'), join(dir, 'in', 'dns.yaml'));
  symlinkSync('.', join(dir, 'in', 'self'));
  symlinkSync('loop.yaml', join(dir, 'in', 'loop.yaml'));
  symlinkSync(join(dir, 'in', 'dns.yaml'), join(dir, 'dns-link.yaml'));
  // The self-link to a file is named like an input: reading it says what is wrong.
  const looped = await cli(['validate', '-i', cluster, 'in'], '', dir);
  expect(looped.code).toBe(2);
  expect(looped.stderr).toMatch(/cannot read in\/loop\.yaml: .*ELOOP/);
  // Old code: the file and a link to it were two files, every object a duplicate.
  const twice = await cli(['validate', '-i', cluster, join(dir, 'in', 'dns.yaml'), 'dns-link.yaml'], '', dir);
  expect(twice.code).toBe(0);
  expect(twice.stdout).toMatch(/^ok: 1 policy/);
});

it('leaves out, and names, an entry that is no file (a FIFO would block the read forever)', async () => {
  mkdirSync(join(dir, 'in'));
  copyFileSync(join(policies, 'production-dns.yaml'), join(dir, 'in', 'dns.yaml'));
  execFileSync('mkfifo', [join(dir, 'in', 'pipe.yaml')]);
  const r = await cli(['validate', '-i', cluster, 'in'], '', dir);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('netpolc: skipped in/pipe.yaml: not a regular file\n');
  expect(r.stdout).toMatch(/^ok: 1 policy/);
});

it('reports an unreadable input as an input error, without pointing at the usage', async () => {
  // Old code: the path's error was a usage error, followed by "Run `netpolc validate --help`".
  const missing = await cli(['validate', '-i', cluster, 'nowhere.yaml'], '', dir);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toBe('netpolc validate: cannot read nowhere.yaml: no such file or directory\n');
  const usage = await cli(['validate', '-i', cluster, '--diagnostics-format', 'xml', policies], '', dir);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/Run `netpolc validate --help` for usage\.\n$/);
});

it('realPaths gives what realPath gives for each path: files, links to files and directories, missing names, paths through a link and under a file', () => {
  mkdirSync(join(dir, 'real', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'real', 'f.yaml'), 'x');
  writeFileSync(join(dir, 'real', 'sub', 'g.yaml'), 'x');
  symlinkSync('real', join(dir, 'linked'));
  symlinkSync('real/f.yaml', join(dir, 'f-link.yaml'));
  symlinkSync('nowhere', join(dir, 'dangling.yaml'));
  symlinkSync('loop', join(dir, 'loop'));
  const paths = ['real/f.yaml', 'real/missing.yaml', 'linked/f.yaml', 'linked/sub/g.yaml', 'linked/sub/missing', 'f-link.yaml', 'dangling.yaml', 'loop', 'loop/x', 'real/f.yaml/x', 'new/dir/file', '.', ''].map((p) => join(dir, p));
  expect(realPaths([...paths, '/'])).toEqual([...paths, '/'].map(realPath));
});
