// `matrix --protocol ICMP`: the echo-request truth table, which only rules without ports fill
// (README "Semantics"); cells are icmpScenario's verdicts, which the firewall backends' kernel
// tests probe, and under --semantics icmp-essentials=true every cell is allowed.
import { icmpScenario } from '@netpolc/ir/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli } from './run-cli.js';

const { objects, probes } = icmpScenario();
const file = join(mkdtempSync(join(tmpdir(), 'netpolc-icmp-matrix-')), 'icmp.json');
writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));

interface MatrixJson {
  readonly protocol: string | null;
  readonly port: number | null;
  readonly allowed: Record<string, string[]>;
}

async function matrix(...extra: string[]): Promise<MatrixJson> {
  const r = await cli(['matrix', '--protocol', 'icmp', '-f', 'json', ...extra, file]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout) as MatrixJson;
}

it('decides every echo request as the kernel tests do, in JSON and as a table', async () => {
  const m = await matrix();
  expect([m.protocol, m.port]).toEqual(['ICMP', null]);
  for (const p of probes) expect(`${p.from} -> ${p.to}: ${m.allowed[p.from]!.includes(p.to)}`).toBe(`${p.from} -> ${p.to}: ${p.expected}`);
  // A pod reaches itself.
  for (const id of ['x/a', 'x/b', 'y/c', 'y/d']) expect(m.allowed[id]).toContain(id);
  const table = await cli(['matrix', '--protocol', 'ICMP', file]);
  expect(table.stdout.split('\n')[0]).toMatch(/^ICMP echo: /);
});

it('allows every echo request under --semantics icmp-essentials=true', async () => {
  const m = await matrix('--semantics', 'icmp-essentials=true');
  for (const p of probes) expect(m.allowed[p.from], p.from).toContain(p.to);
});

it('takes no --port with ICMP', async () => {
  const r = await cli(['matrix', '--protocol', 'ICMP', '--port', '80', file]);
  expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'netpolc matrix: --protocol ICMP takes no --port: an echo request has none']);
});
