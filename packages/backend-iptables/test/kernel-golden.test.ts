import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelGate, withTopology } from '@netpolc/netns-harness';
import { expect, it } from 'vitest';
import { chainPrefix } from '../src/names.js';
import { kernelTimeout, rulesByChain, tool, variants } from './support/kernel.js';
import { parseIpSets } from './support/parse.js';
import { goldenBundles } from './support/sources.js';

// Kernel tests: need root, iproute2, iptables (nft and legacy), ipset. Skipped loudly without
// them, failing when NETPOLC_KERNEL_TESTS=require (CI).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const spec = { prefix: 'npciptg', nodes: [{ name: 'scratch', addresses: ['198.18.255.1', '2001:db8:ffff::1'] }], pods: [] };
const ours = (chain: string): boolean => chain.startsWith(chainPrefix) || chain === 'FORWARD';

/**
 * One shell script per golden (one `ip netns exec` instead of dozens): for every node, load the
 * ipset file twice (the second load is the reload path: every set exists, is refilled and
 * swapped), then per family and iptables variant run `restore --test`, a real restore, save the
 * table for comparison, and flush; finally destroy the sets.
 */
function script(nodes: readonly string[], has: (file: string) => boolean): string {
  const lines = ['set -e'];
  for (const node of nodes) {
    if (has(`${node}.ipset`)) lines.push(`ipset restore < ${node}.ipset`, `ipset restore < ${node}.ipset`, `ipset list -n | sort > ${node}.sets`);
    for (const [family, ext] of [[4, 'iptables'], [6, 'ip6tables']] as const) {
      if (!has(`${node}.${ext}`)) continue;
      for (const variant of variants) {
        const out = `${node}.${ext}.${variant}`;
        lines.push(
          `${tool(family, variant, 'restore')} --test < ${node}.${ext} 2> ${out}.test-stderr`,
          `${tool(family, variant, 'restore')} < ${node}.${ext}`,
          // The raw table too: --pod-interface rulesets have a chain there.
          `{ ${tool(family, variant, 'save')} -t raw; ${tool(family, variant, 'save')} -t filter; } > ${out}.save 2> /dev/null`,
          `printf '*raw\\nCOMMIT\\n*filter\\nCOMMIT\\n' | ${tool(family, variant, 'restore')}`,
        );
      }
    }
    if (has(`${node}.ipset`)) lines.push('ipset destroy');
  }
  return lines.join('\n');
}

kit(gate.label('ipset restore, iptables-restore --test and a real load accept every golden, and the kernel reads back the same rules'), () => {
  gate.assertSupported();
  const bundles = goldenBundles();
  expect(bundles.length).toBeGreaterThan(10);
  const dir = mkdtempSync(join(tmpdir(), 'npcipt-golden-'));
  try {
    withTopology(spec, (topology) => {
      const ns = topology.nodeNamespace('scratch');
      for (const { name, files } of bundles) {
        const caseDir = mkdtempSync(join(dir, 'case-'));
        for (const f of files) writeFileSync(join(caseDir, f.path), f.content);
        const nodes = [...new Set(files.map((f) => f.path.replace(/\.(iptables|ip6tables|ipset)$/, '')))];
        const has = (file: string): boolean => files.some((f) => f.path === file);
        const run = topology.run(ns, ['sh', '-c', `cd ${caseDir} && ${script(nodes, has)}`]);
        expect(run.stderr, name).toBe('');
        expect(run.status, name).toBe(0);
        const read = (file: string): string => readFileSync(join(caseDir, file), 'utf8');
        for (const node of nodes) {
          if (has(`${node}.ipset`)) expect(read(`${node}.sets`).split('\n').filter(Boolean), `${name}/${node}: sets`).toEqual(parseIpSets(read(`${node}.ipset`)).sets.map((s) => s.name).sort());
          for (const ext of ['iptables', 'ip6tables']) {
            if (!has(`${node}.${ext}`)) continue;
            for (const variant of variants) {
              const label = `${name}/${node}.${ext} (${variant})`;
              expect(read(`${node}.${ext}.${variant}.test-stderr`), label).toBe('');
              expect(rulesByChain(read(`${node}.${ext}.${variant}.save`), ours), label).toEqual(rulesByChain(read(`${node}.${ext}`), ours));
            }
          }
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, kernelTimeout);
