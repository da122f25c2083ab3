// Goldens (checked by hand) for every corpus case and for examples/, with orphan detection, and
// for each corpus case the Calico evaluator's truth tables over the emitted YAML equal the
// reference evaluator's (pods x pods x the case's ports, plus external addresses both ways).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, hasErrors, type Connection, type Program, type RawOptions } from '@netpolc/ir';
import { casePorts, corpusCases } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { calicoBackend } from '../src/index.js';
import { exampleSources, examplesProgram } from './support/examples.js';
import { calicoVerdicts, emit } from './support/harness.js';
import { loadProgram, resolve } from '@netpolc/ir';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const cases = corpusCases();

function goldenFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? goldenFiles(join(dir, f)) : [relative(goldenDir, join(dir, f))]));
}

it('has a golden for every corpus case and no golden without a case', () => {
  const expected = cases.map((c) => `${c.name}.yaml`).sort();
  const actual = goldenFiles(goldenDir).filter((f) => !f.startsWith('examples/')).sort();
  expect(actual).toEqual(expected);
});

for (const c of cases) {
  it(`${c.name}: golden output`, async () => {
    // Error cases: the output for the valid part of the input (the CLI writes nothing for them).
    const { text } = emit(c.load().program);
    await expect(text).toMatchFileSnapshot(join(goldenDir, `${c.name}.yaml`));
  });
}

function agreement(program: Program, ports: readonly { protocol: Connection['protocol']; port: number }[], raw: RawOptions): string[] {
  const calico = calicoVerdicts(program, emit(program, raw).objects);
  const pods = program.inventory.pods.filter((p) => p.actionable);
  const externals = ['203.0.113.9', '198.18.0.99', '198.18.1.200', '198.19.0.1', '198.19.0.2', '2001:db8::5', '2001:db8::1:5', '2001:db8:ffff::1'];
  const ends = [...pods.flatMap((p) => p.addresses.map((a) => ({ kind: 'pod', namespace: p.namespace, name: p.name, ip: a.ip }) as const)), ...externals.map((ip) => ({ kind: 'ip', ip }) as const)];
  const out: string[] = [];
  for (const { protocol, port } of ports) {
    for (const src of ends) {
      for (const dst of ends) {
        if (src.kind === 'ip' && dst.kind === 'ip') continue;
        if (src.ip.includes(':') !== dst.ip.includes(':')) continue;
        const conn: Connection = { src, dst, protocol, port };
        const ref = evaluate(program, conn);
        const got = calico(conn);
        const want = 'error' in ref ? undefined : ref.allowed;
        if (got?.allowed !== want) out.push(`${src.ip} -> ${dst.ip} ${protocol}/${port}: calico ${got?.allowed} reference ${want}`);
      }
    }
  }
  return out;
}

for (const c of cases.filter((x) => !x.expectError)) {
  it(`${c.name}: Calico truth tables equal the reference (default, own tier, log denied)`, () => {
    const program = c.load().program;
    const ports = casePorts(c.config);
    const mismatches = ([{}, { tier: 'netpolc' }, { log: 'all' }] as RawOptions[]).flatMap((raw) => agreement(program, ports, raw));
    // A case marked unsupported for calico is a declared divergence: it must keep diverging, so a
    // stale marker fails the run (style.md §6).
    if (c.config.unsupported?.['calico'] !== undefined) expect(mismatches).not.toEqual([]);
    else expect(mismatches).toEqual([]);
  });
}

const examplePorts = [
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 5432 },
  { protocol: 'TCP', port: 9102 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
  { protocol: 'TCP', port: 80 },
] as const;

const exampleModes: readonly (readonly [string, RawOptions])[] = [
  ['default', {}],
  ['tier-log-denied', { tier: 'netpolc', log: 'denied' }],
  ['audit', { audit: true }],
  ['log-all-prefixed', { log: 'all', 'name-prefix': 'k8s-', order: '100' }],
];

for (const [name, raw] of exampleModes) {
  it(`examples (${name}): golden output and truth tables`, async () => {
    const program = examplesProgram();
    const emitted = emit(program, raw);
    await expect(emitted.text).toMatchFileSnapshot(join(goldenDir, 'examples', `${name}.yaml`));
    if (!('audit' in raw)) expect(agreement(program, examplePorts, raw)).toEqual([]);
  });
}

it('examples: golden files per namespace and migration report', async () => {
  const loaded = loadProgram(exampleSources());
  expect(hasErrors(loaded.diagnostics)).toBe(false);
  const { options } = calicoBackend.parseOptions({ tier: 'netpolc', log: 'denied', report: true, 'out-dir': 'out' });
  const result = calicoBackend.emit({ program: loaded.program, resolved: resolve(loaded.program) }, options);
  expect(result.diagnostics).toEqual([]);
  await expect(result.files.map((f) => `# ${f.path}\n${f.content}`).join('')).toMatchFileSnapshot(join(goldenDir, 'examples', 'files.txt'));
  await expect(result.report ?? '').toMatchFileSnapshot(join(goldenDir, 'examples', 'report.txt'));
});

it('the migration report of an audit in a tier of its own says what later tiers can no longer deny', () => {
  const loaded = loadProgram(exampleSources());
  const { options } = calicoBackend.parseOptions({ tier: 'netpolc', audit: true, report: true, 'out-dir': 'out' });
  const report = calicoBackend.emit({ program: loaded.program, resolved: resolve(loaded.program) }, options).report ?? '';
  const changes = report.slice(report.indexOf('changes in meaning:')).split('\n').filter((l) => l.startsWith('  - '));
  expect(changes).toEqual([
    '  - nothing is denied: this is a dry run; remove --audit to enforce',
    '  - what these policies allow is allowed in tier netpolc: policies of later tiers (the default tier, live knp.default.* policies) cannot deny it; the rest passes on to them',
  ]);
});
