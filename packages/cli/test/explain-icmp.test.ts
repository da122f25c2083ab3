// `explain --protocol ICMP`: an echo request, which only rules without ports admit (README
// "Semantics"); the verdicts are icmpScenario's, which the firewall backends' kernel tests probe.
import { icmpScenario } from '@netpolc/ir/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli } from './run-cli.js';

const { objects, probes } = icmpScenario();
const file = join(mkdtempSync(join(tmpdir(), 'netpolc-icmp-')), 'icmp.json');
writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));

it('decides an echo request as the kernel tests do, in text and JSON', async () => {
  for (const p of probes) {
    const r = await cli(['explain', '--from', p.from, '--to', p.to, '--protocol', 'icmp', '-f', 'json', file]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as { allowed: boolean; protocol: string; port?: number };
    expect([p.from, p.to, v.allowed, v.protocol, 'port' in v]).toEqual([p.from, p.to, p.expected, 'ICMP', false]);
  }
  const text = await cli(['explain', '--from', 'y/c', '--to', 'y/d', '--protocol', 'ICMP', file]);
  expect(text.stdout.split('\n').slice(0, 2)).toEqual(['pod y/c (198.18.1.10) -> pod y/d (198.18.1.11) on ICMP echo: DENIED', 'egress of y/c: denied']);
  // The same pods on TCP: c's rule names every TCP port, and no ICMP.
  expect((await cli(['explain', '--from', 'y/c', '--to', 'y/d', '--port', '9', file])).stdout.split('\n')[0]).toMatch(/on TCP\/9: ALLOWED$/);
});

it('takes no --port with ICMP, and names ICMP among the protocols it takes', async () => {
  const withPort = await cli(['explain', '--from', 'y/c', '--to', 'y/d', '--protocol', 'ICMP', '--port', '80', file]);
  const other = await cli(['explain', '--from', 'y/c', '--to', 'y/d', '--protocol', 'GRE', file]);
  const none = await cli(['explain', '--from', 'y/c', '--to', 'y/d', file]);
  expect([withPort, other, none].map((r) => [r.code, r.stderr.split('\n')[0]])).toEqual([
    [2, 'netpolc explain: --protocol ICMP takes no --port: an echo request has none'],
    [2, 'netpolc explain: --protocol must be TCP, UDP, SCTP or ICMP, not GRE'],
    [2, 'netpolc explain: --port is required'],
  ]);
});

it('admits every echo request under --semantics icmp-essentials=true, and says why on each side', async () => {
  for (const p of probes) {
    const r = await cli(['explain', '--from', p.from, '--to', p.to, '--protocol', 'ICMP', '--semantics', 'icmp-essentials=true', '-f', 'json', file]);
    expect([p.from, p.to, r.code, (JSON.parse(r.stdout) as { allowed: boolean }).allowed]).toEqual([p.from, p.to, 0, true]);
  }
  const text = await cli(['explain', '--from', 'y/c', '--to', 'y/d', '--protocol', 'ICMP', '--semantics', 'icmp-essentials=true', file]);
  expect(text.stdout.split('\n').slice(0, 2)).toEqual([
    'pod y/c (198.18.1.10) -> pod y/d (198.18.1.11) on ICMP echo: ALLOWED',
    'egress of y/c: allowed (--semantics icmp-essentials: ICMP echo requests are always allowed)',
  ]);
  // TCP keeps its verdict: b admits port 80 only.
  const tcp = await cli(['explain', '--from', 'y/c', '--to', 'x/b', '--port', '81', '--semantics', 'icmp-essentials=true', file]);
  expect(tcp.stdout.split('\n')[0]).toMatch(/on TCP\/81: DENIED$/);
});
