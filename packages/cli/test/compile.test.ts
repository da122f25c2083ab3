import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli, example } from './run-cli.js';

const inputs: readonly (readonly string[])[] = [
  example,
  ...['named-ports', 'ipblock-except', 'dual-stack'].map((c) => [`packages/ir/corpus/${c}/inventory.yaml`, `packages/ir/corpus/${c}/policies.yaml`]),
];

async function filesOf(backend: string, args: readonly string[]): Promise<Map<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-compile-'));
  try {
    const r = await cli(['compile', '--backend', backend, '--out-dir', dir, ...args]);
    expect(r.code, r.stderr).toBe(0);
    return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const backend of ['iptables', 'nftables']) {
  it(`${backend}: --node compiles exactly that node's files of the all-nodes compile, resolving only its pods`, async () => {
    for (const args of inputs) {
      const all = await filesOf(backend, args);
      const nodes = new Set([...all.keys()].map((f) => f.replace(/\.[^.]+$/, '')));
      expect(nodes.size).toBeGreaterThan(1);
      for (const node of nodes) {
        const one = await filesOf(backend, ['--node', node, ...args]);
        expect([...one.keys()].every((f) => f.startsWith(`${node}.`))).toBe(true);
        for (const [f, text] of one) expect(text, `${args.join(' ')} ${f}`).toBe(all.get(f));
      }
    }
  });
}

it('writes nothing when the input has errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-compile-'));
  try {
    const r = await cli(['compile', '--backend', 'calico', '--out-dir', join(dir, 'out'), 'packages/ir/corpus/_error_/invalid-fields']);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const backend of ['iptables', 'calico']) {
  it(`${backend}: an output directory that cannot be made is an input error (exit 2), and nothing is written`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpolc-compile-'));
    try {
      writeFileSync(join(dir, 'file'), 'a regular file');
      const r = await cli(['compile', '--backend', backend, '--out-dir', join(dir, 'file', 'out'), ...example]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/could not write the output files: ENOTDIR/);
      expect(readdirSync(dir)).toEqual(['file']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

it('rejects a flag that belongs to another backend', async () => {
  const r = await cli(['compile', '--backend', 'calico', '--out-dir', '-', '--no-ipset', ...example]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--no-ipset is not an option of backend calico');
});
