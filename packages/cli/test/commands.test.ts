import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { useColor } from '../src/load.js';
import { run } from '../src/main.js';
import { cli, example } from './run-cli.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-cli-'));
  made.push(dir);
  return dir;
}

function tempFile(name: string, text: string | Uint8Array): string {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

it('validates the example: no errors, exit 0, a summary on stdout', async () => {
  const r = await cli(['validate', ...example]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('ok: 7 policies, 3 namespaces, 11 pods, 2 nodes; 0 errors, 0 warnings\n');
});

it('prints located errors with a code frame and exits 2', async () => {
  const file = tempFile(
    'bad.yaml',
    ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: p, namespace: x}', 'spec:', '  podSelector: {}', '  ingress:', '  - from:', '    - ipBlock: {cidr: 10.0.0.0/33}', ''].join('\n'),
  );
  const r = await cli(['validate', file], '', '/');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${file.slice(1)}:8:23: error ir/invalid-cidr: "10.0.0.0/33" is not a valid CIDR\n`);
  expect(r.stderr).toContain('  8 |     - ipBlock: {cidr: 10.0.0.0/33}\n    |                       ^^^^^^^^^^^\n');
});

it('prints diagnostics as JSON with --diagnostics-format json', async () => {
  const file = tempFile('typo.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelecter: {}\n');
  const r = await cli(['validate', '--diagnostics-format', 'json', file]);
  // kubectl apply refuses an unknown field (strict field validation): an error, exit 2.
  expect(r.code).toBe(2);
  const entries = JSON.parse(r.stderr) as { code?: string; line: number; column: number; severity: string; message: string }[];
  expect(entries.filter((d) => d.code).map((d) => [d.code, d.line, d.column])).toEqual([
    ['ir/unknown-field', 5, 3],
    ['ir/default-pod-selector', 5, 3],
  ]);
  expect(entries.at(-1)).toEqual({ severity: 'note', message: 'failed: 1 error, 1 warning' });
  // With nothing to say, still one array: a consumer parses stderr without checking it is empty.
  const clean = await cli(['matrix', '--diagnostics-format', 'json', '--port', '80', '--inventory', 'examples/cluster.yaml', 'examples/policies']);
  expect(clean.code).toBe(0);
  expect(JSON.parse(clean.stderr)).toEqual([]);
});

it('explains an allowed connection with the rule that allows each side', async () => {
  const r = await cli(['explain', '--from', 'production/frontend-7d9f-abcde', '--to', 'production/api-5c6b-pqrst', '--port', '8080', '--format', 'json', ...example]);
  expect(r.code).toBe(0);
  const v = JSON.parse(r.stdout) as { allowed: boolean; egress: { allowedBy: { policy: string; rule: number }[] }; ingress: { allowedBy: { policy: string; at: string }[] } };
  expect(v.allowed).toBe(true);
  expect(v.egress.allowedBy.map((m) => [m.policy, m.rule])).toEqual([['production/frontend', 0]]);
  expect(v.ingress.allowedBy.map((m) => m.policy)).toEqual(['production/api']);
  expect(v.ingress.allowedBy[0]!.at).toBe('examples/policies/production-three-tier.yaml:46:7');
});

it('explains a connection to a named port of the destination pod, as a policy names it (--port http was refused)', async () => {
  const ask = (port: string, ...more: string[]) => cli(['explain', '--from', 'production/frontend-7d9f-abcde', '--to', 'production/api-5c6b-pqrst', '--port', port, ...more, ...example]);
  const [named, numbered] = [await ask('http', '-f', 'json'), await ask('8080', '-f', 'json')];
  expect(JSON.parse(named.stdout)).toEqual({ ...JSON.parse(numbered.stdout), portName: 'http' });
  expect((await ask('metrics')).stdout.split('\n')[0]).toMatch(/ on TCP\/9090 \(metrics\): DENIED$/);
  const problems = await Promise.all([ask('htp'), ask('http', '--protocol', 'UDP')]);
  expect(problems.map((r) => [r.code, r.stderr.split('\n')[0]])).toEqual([
    [2, 'netpolc explain: pod production/api-5c6b-pqrst has no container port named htp (its named ports: http (TCP/8080), metrics (TCP/9090))'],
    [2, 'netpolc explain: pod production/api-5c6b-pqrst names port http for TCP, not UDP'],
  ]);
  const external = await cli(['explain', '--from', 'production/frontend-7d9f-abcde', '--to', '8.8.8.8', '--port', 'dns', ...example]);
  expect([external.code, external.stderr.split('\n')[0]]).toEqual([2, 'netpolc explain: --port dns is a port name, and 8.8.8.8 is no pod\'s address to look it up on: give a number']);
});

it('explains a denied external connection (the except of the ipBlock)', async () => {
  const r = await cli(['explain', '--from', '203.0.113.7', '--to', 'production/frontend-7d9f-abcde', '--port', '8080', ...example]);
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')[0]).toBe('203.0.113.7 (outside the cluster\'s pods) -> pod production/frontend-7d9f-abcde (198.18.1.10) on TCP/8080: DENIED');
});

/** Dual-stack pods x/a and x/b, and a policy letting into x/b only what comes over IPv6. */
function dualStackPair(): string {
  const pods = ['a', 'b'].map(
    (n, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: x, labels: {app: ${n}}}\nspec: {nodeName: n1}\nstatus: {podIPs: [{ip: 198.18.0.${i + 1}}, {ip: "2001:db8::${i + 1}"}]}\n`,
  );
  const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: v6-only, namespace: x}\nspec: {podSelector: {matchLabels: {app: b}}, ingress: [{from: [{ipBlock: {cidr: "2001:db8::/64"}}]}]}\n';
  return tempFile('dual.yaml', [...pods, policy].join('---\n'));
}

it('explains the IPv6 side of a dual-stack pod named with ns/pod@IPv6', async () => {
  const inventory = dualStackPair();
  const ask = (from: string) => cli(['explain', '--from', from, '--to', 'x/b', '--port', '80', '--format', 'json', inventory]);
  const v6 = await ask('x/a@2001:db8::1');
  expect(v6.code).toBe(0);
  expect((JSON.parse(v6.stdout) as { allowed: boolean }).allowed).toBe(true);
  const v4 = await ask('x/a@198.18.0.1');
  expect((JSON.parse(v4.stdout) as { allowed: boolean }).allowed).toBe(false);
  expect((await ask('x/a@2001:db8::9')).code).toBe(2);
});

it('matrix --family 6 shows the IPv6 connections of dual-stack pods, and says which family the default shows', async () => {
  const file = dualStackPair();
  const allowed = async (extra: string[]) => {
    const r = await cli(['matrix', '--port', '80', '--format', 'json', ...extra, file]);
    expect(r.code).toBe(0);
    return { allowed: (JSON.parse(r.stdout) as { allowed: Record<string, string[]> }).allowed['x/a'], stderr: r.stderr };
  };
  const byDefault = await allowed([]);
  expect(byDefault.allowed).toEqual(['x/a']);
  expect(byDefault.stderr).toContain('2 dual-stack pods');
  expect((await allowed(['--family', '6'])).allowed).toEqual(['x/a', 'x/b']);
  expect((await allowed(['--family', '4'])).stderr).toBe('');
  expect((await cli(['matrix', '--family', '5', file])).code).toBe(2);
});

it('rejects an unknown pod in explain with exit 2', async () => {
  const r = await cli(['explain', '--from', 'production/nope', '--to', '8.8.8.8', '--port', '53', ...example]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('pod production/nope is not in the inventory');
});

it('names the nearest command or option for an unknown one', async () => {
  // Old code: parseArgs's own text, on how to pass a positional argument that starts with '-'.
  expect((await cli(['matrx'])).stderr).toMatch(/^netpolc: unknown command "matrx" \(did you mean matrix\?\)\n/);
  // Old code: an internal error, Object's own properties taken for commands.
  for (const name of ['constructor', '__proto__', 'toString']) expect((await cli([name])).code, name).toBe(2);
  expect((await cli(['validate', '--semantics', 'constructor=true', ...example])).code).toBe(2);
  const option = await cli(['compile', '--backend', 'nftables', '--nod', 'node-1', '--out-dir', '-', ...example]);
  expect(option.code).toBe(2);
  expect(option.stderr).toBe('netpolc compile: unknown option --nod (did you mean --node?)\nRun `netpolc compile --help` for usage.\n');
  expect((await cli(['validate', '--invetory', 'x'])).stderr).toContain('unknown option --invetory (did you mean --inventory?)');
  expect((await cli(['validate', '--zzzzzz', 'x'])).stderr).toContain('netpolc validate: unknown option --zzzzzz\n');
  expect((await cli(['validate', '-x'])).stderr).toContain("unknown option -x (a path that starts with '-' goes after '--')");
});

it('exits 2 on unknown commands, unknown flags and missing paths', async () => {
  expect((await cli(['frobnicate'])).code).toBe(2);
  expect((await cli(['matrix', '--bogus', 'examples'])).code).toBe(2);
  expect((await cli(['matrix', 'no/such/path.yaml'])).code).toBe(2);
  expect((await cli(['matrix'])).code).toBe(2);
});

it('prints the version and help', async () => {
  const v = await cli(['--version']);
  expect(v.code).toBe(0);
  expect(v.stdout).toMatch(/^netpolc \d+\.\d+\.\d+\n$/);
  const h = await cli(['matrix', '--help']);
  expect(h.code).toBe(0);
  expect(h.stdout).toContain('--inventory PATH');
});

it('reports binary garbage as a located error, not a crash', async () => {
  const file = tempFile('garbage.yaml', new Uint8Array([0xff, 0xfe, 0x00, 0x13, 0x37, 0xc3, 0x28]));
  const r = await cli(['validate', file]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('error ir/binary-input');
});

it('runs through the committed launcher as a real process', () => {
  const bin = new URL('../bin/netpolc.js', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, 'validate', ...example], { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('ok: 7 policies');
});

it('exits 2 with a message when standard output cannot be written, and stops quietly when its reader goes away', () => {
  // Old code: Node's unhandled 'error' event and exit 1, which diff gives to "changes found".
  const bin = new URL('../bin/netpolc.js', import.meta.url).pathname;
  const cwd = new URL('../../..', import.meta.url).pathname;
  if (existsSync('/dev/full')) {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['diff', ...example, 'examples/policies'], ['validate', ...example]]) {
        const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', full, 'pipe'] });
        expect(r.status, args[0]).toBe(2);
        expect(r.stderr).toMatch(/^netpolc: could not write to standard output: ENOSPC/);
      }
    } finally {
      closeSync(full);
    }
  }
  // A reader that stops after a few bytes of a snapshot far larger than a pipe holds: the rest is
  // dropped, with no trace and the command's own exit code.
  const pods = Array.from({ length: 3000 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: x, labels: {app: a${i}}}\nspec: {nodeName: n1}\nstatus: {podIP: 198.18.${i >> 8}.${i & 255}}\n`);
  const file = tempFile('pods.yaml', new TextEncoder().encode(pods.join('')));
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" snapshot -o - "${file}" | head -c 10 >/dev/null`], { cwd, encoding: 'utf8' });
  expect(r.stderr).toBe('');
});

it('compile says when it removes the temporary files an interrupted compile left in its directory', async () => {
  const out = tempDir();
  const gone = spawnSync('true').pid!;
  writeFileSync(join(out, `node-1.nft.netpolc-tmp-${gone}-1700000000000`), 'half a ruleset');
  const r = await cli(['compile', '--backend', 'nftables', '--out-dir', out, ...example]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(`wrote 2 files to ${out}\nremoved 1 temporary file that an interrupted compile had left there\n`);
  expect(readdirSync(out).sort()).toEqual(['node-1.nft', 'node-2.nft']);
});

it('snapshot refuses -o naming a directory, before reading anything (it was an internal error)', async () => {
  const dir = tempDir();
  for (const output of [dir, `${dir}/`, 'not-yet-made/']) {
    const r = await cli(['snapshot', '-o', output, 'examples/cluster.yaml']);
    expect(r.code, output).toBe(2);
    expect(r.stderr).toContain(`-o ${output} is a directory; give a file, such as ${output.replace(/\/$/, '')}/snapshot.yaml`);
  }
  expect(existsSync(new URL('../../../not-yet-made', import.meta.url).pathname)).toBe(false);
});

it('snapshot refuses -o under a file, through a link loop or with a name too long as an output error, exit 2 (it was an internal error)', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'afile'), 'x');
  symlinkSync('loop', join(dir, 'loop'));
  for (const [output, reason] of [
    [join(dir, 'afile', 'x'), 'ENOTDIR'],
    [join(dir, 'loop'), 'ELOOP'],
    [join(dir, 'a'.repeat(300)), 'ENAMETOOLONG'],
  ] as const) {
    const r = await cli(['snapshot', '-o', output, 'examples/cluster.yaml']);
    expect(r.code, output).toBe(2);
    expect(r.stderr).toContain(`could not write ${output}: ${reason}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
  expect(readdirSync(dir).sort()).toEqual(['afile', 'loop']);
});

it('compile refuses to replace an input file in the output directory with an output of the same name, and writes nothing (the inventory was overwritten by the Tier)', async () => {
  const out = tempDir();
  const inventory = readFileSync(new URL('../../../examples/cluster.yaml', import.meta.url), 'utf8');
  writeFileSync(join(out, 'cluster.yaml'), inventory);
  const r = await cli(['compile', '--backend', 'calico', '--tier', 'netpolc', '--out-dir', out, '--inventory', join(out, 'cluster.yaml'), 'examples/policies']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${join(out, 'cluster.yaml')} is an input of this compile, and the calico output has a file of that name`);
  expect(readdirSync(out)).toEqual(['cluster.yaml']);
  expect(readFileSync(join(out, 'cluster.yaml'), 'utf8')).toBe(inventory);
  // An input elsewhere in the directory, under no output's name, is no obstacle.
  rmSync(join(out, 'cluster.yaml'));
  writeFileSync(join(out, 'inventory.yaml'), inventory);
  const ok = await cli(['compile', '--backend', 'calico', '--tier', 'netpolc', '--out-dir', out, '--inventory', join(out, 'inventory.yaml'), 'examples/policies']);
  expect(ok.code).toBe(0);
  expect(readFileSync(join(out, 'inventory.yaml'), 'utf8')).toBe(inventory);
});

it('validate counts in the singular where there is one', async () => {
  const r = await cli(['validate', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: x}\nspec: {podSelector: {}}\n');
  expect(r.stdout).toBe('ok: 1 policy, 1 namespace, 0 pods, 0 nodes; 0 errors, 0 warnings\n');
});

it('writes --diagnostics-format json as one array on stderr, each diagnostic once, other lines as notes', async () => {
  // Old code: an array per printing (load, emit; each side of diff), then plain lines.
  const inventory = tempFile('cluster.yaml', 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {addresses: [{type: InternalIP, address: 198.19.0.1}]}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {nodeName: ghost}\nstatus: {podIP: 198.18.0.1}\n');
  const policy = tempFile('p.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n');
  const out = join(tempDir(), 'out');
  const compiled = await cli(['compile', '-b', 'iptables', '-o', out, '--diagnostics-format', 'json', '-i', inventory, policy]);
  expect(compiled.code).toBe(0);
  const entries = JSON.parse(compiled.stderr) as { code?: string; severity: string; message: string }[];
  expect(entries.map((e) => e.code ?? e.severity)).toEqual(['ir/unknown-node', 'backend-iptables/pod-not-enforced', 'note']);
  expect(entries[2]!.message).toMatch(/^wrote \d+ files? to /);
  // diff loads the shared inventory for both sides: its diagnostics are printed once.
  for (const format of ['json', 'text']) {
    const diffed = await cli(['diff', '--diagnostics-format', format, '-i', inventory, policy, policy]);
    expect(diffed.code).toBe(0);
    const text = format === 'json' ? JSON.stringify(JSON.parse(diffed.stderr)) : diffed.stderr;
    expect(text.split('ir/unknown-node').length - 1, format).toBe(1);
  }
});

it('validate reports what only resolving against the inventory shows, as every other command does', async () => {
  // Old code: validate only loaded, so a CI gate on it missed the named-port warnings compile printed.
  const policy = tempFile('ipb.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ipb, namespace: production}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 8.8.8.0/24}}]\n    ports: [{port: https}]\n');
  const r = await cli(['validate', '--inventory', 'examples/cluster.yaml', policy]);
  expect(r.code).toBe(0);
  expect(r.stderr.match(/warning ir\/unresolved-named-port/g)).toHaveLength(2);
  expect(r.stdout).toMatch(/; 0 errors, 2 warnings\n$/);
});

it('refuses a flag given twice unless it is repeatable, and a --semantics value with more than one =', async () => {
  // Old code: the last one won quietly (`-b calico -b cilium` compiled for Cilium only), and
  // `allow-self=false=oops` read as allow-self=false.
  const twice = await cli(['compile', '-b', 'calico', '-b', 'cilium', '-o', '-', ...example]);
  expect(twice.code).toBe(2);
  expect(twice.stderr).toMatch(/^netpolc compile: --backend is given more than once/);
  const repeatable = await cli(['validate', '-i', 'examples/cluster.yaml', '--semantics', 'allow-self=true', '--semantics', 'node-local-ingress=true', 'examples/policies']);
  expect(repeatable.code).toBe(0);
  const odd = await cli(['validate', '--semantics', 'allow-self=false=oops', ...example]);
  expect(odd.code).toBe(2);
  expect(odd.stderr).toMatch(/--semantics allow-self=false=oops: expected one of/);
  // One knob twice: the last value won quietly (allow-self=false, an error for Cilium, then =true).
  const knobTwice = await cli(['compile', '-b', 'cilium', '-o', '-', '--semantics', 'allow-self=false', '--semantics', 'allow-self=true', ...example]);
  expect([knobTwice.code, knobTwice.stderr.split('\n')[0]]).toEqual([2, 'netpolc compile: --semantics allow-self is given more than once']);
});

it('prints diagnostics in file, line and column order, whatever the order of the paths and of the checks', async () => {
  // Old code: in the order the checks ran (line 11, then 14, then 13) and of the paths given.
  const dir = tempDir();
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.yaml');
  writeFileSync(a, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/33\n    ports:\n    - port: 0\n      protocol: tcp\n');
  writeFileSync(b, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: x}\nspec: {podSelector: {}, policyTypes: [ingress]}\n');
  const forward = await cli(['validate', a, b]);
  const backward = await cli(['validate', b, a]);
  expect(forward.code).toBe(2);
  expect(backward.stderr).toBe(forward.stderr);
  const places = [...forward.stderr.matchAll(/^(\S+\.yaml):(\d+):(\d+): /gm)].map((m) => [m[1]!.endsWith('a.yaml') ? 'a' : 'b', Number(m[2]), Number(m[3])]);
  expect(places).toEqual([['a', 9, 15], ['a', 11, 13], ['a', 12, 17], ['b', 4, 39]]);
});

it('colors as no-color.org asks: --color and --no-color win over NO_COLOR, which wins over a terminal', async () => {
  const decide = (flags: Record<string, boolean>, env: Record<string, string>, isTTY: boolean): boolean =>
    useColor(flags, { isTTY }, { env } as unknown as Parameters<typeof useColor>[2]);
  for (const isTTY of [false, true]) {
    for (const env of [{}, { NO_COLOR: '1' }, { NO_COLOR: '' }] as Record<string, string>[]) {
      expect(decide({ color: true }, env, isTTY)).toBe(true);
      expect(decide({ 'no-color': true }, env, isTTY)).toBe(false);
      expect(decide({ color: true, 'no-color': true }, env, isTTY)).toBe(false);
      // Without a flag: NO_COLOR when non-empty, else the terminal.
      expect(decide({}, env, isTTY)).toBe(isTTY && !env['NO_COLOR']);
    }
  }
  // End to end: `NO_COLOR=1 netpolc explain --color` prints escapes; on a terminal without --color, none.
  const explain = async (argv: readonly string[], isTTY: boolean): Promise<string> => {
    let stdout = '';
    const code = await run(['explain', '--from', 'monitoring/prometheus-0', '--to', 'production/api-5c6b-klmno', '--port', '9090', ...argv, ...example], {
      stdout: { write: (t: string) => void (stdout += t), isTTY },
      stderr: { write: () => undefined, isTTY },
      cwd: new URL('../../..', import.meta.url).pathname,
      env: { NO_COLOR: '1' },
      readStdin: async () => new Uint8Array(),
    });
    expect(code).toBe(0);
    return stdout;
  };
  expect(await explain(['--color'], false)).toContain('\x1b[');
  expect(await explain([], true)).not.toContain('\x1b[');
  expect(await explain(['--no-color'], true)).not.toContain('\x1b[');
});

it('takes `help COMMAND` as git does, -o x.JSON as JSON, and TERM=dumb as a terminal without color', async () => {
  // Old code: `help diff` printed the general help; `.JSON` wrote YAML; TERM=dumb got colors.
  const help = await cli(['help', 'diff']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: netpolc diff /);
  const out = join(tempDir(), 'snap.JSON');
  expect((await cli(['snapshot', '-o', out, 'examples/cluster.yaml'])).code).toBe(0);
  expect(() => JSON.parse(readFileSync(out, 'utf8')) as unknown).not.toThrow();
  expect(useColor({}, { isTTY: true }, { env: { TERM: 'dumb' } } as never)).toBe(false);
  expect(useColor({}, { isTTY: true }, { env: { TERM: 'xterm' } } as never)).toBe(true);
});
