import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { kernelGate, withTopology, type Topology } from '@netpolc/netns-harness';
import { clusterArb, numRuns, policiesArb } from '@netpolc/ir/testing';
import { goldenDir } from './support/cases.js';
import { compile, loadProgram } from './support/compile.js';

// `nft -c -f` parses a file and runs the whole transaction against the kernel without
// committing it, so it catches what only the kernel refuses (overlapping interval elements,
// calico#13277; name and prefix lengths). It runs in a scratch network namespace built by the
// shared harness (prefix npcnftc), never in the host's own ruleset.

const gate = kernelGate();

function check(t: Topology, name: string, text: string): void {
  const r = t.run(t.nodeNamespace('check'), ['nft', '-c', '-f', '-'], text);
  expect(r.status, `nft -c rejects ${name}: ${r.stderr}`).toBe(0);
}

const scratch = { prefix: 'npcnftc', nodes: [{ name: 'check', addresses: ['198.18.255.1'] }], pods: [] };

it.skipIf(gate.skip)(gate.label('nft -c -f accepts every golden, in a scratch network namespace'), () => {
  gate.assertSupported();
  const files = readdirSync(goldenDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.nft'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  expect(files.length).toBeGreaterThan(20);
  withTopology(scratch, (t) => {
    for (const f of files) check(t, f.slice(goldenDir.length + 1), readFileSync(f, 'utf8'));
  });
});

it.skipIf(gate.skip)(gate.label('nft -c -f accepts the rulesets of random clusters and policies, with every option'), () => {
  gate.assertSupported();
  const samples = fc.sample(
    clusterArb().chain((cluster) =>
      fc.record({
        cluster: fc.constant(cluster),
        policies: policiesArb(),
        flags: fc.constantFrom({}, { log: 'all', counters: true, 'deny-action': 'reject' }, { log: 'denied', 'log-rate': '3/hour' }),
        allowNodeLocalIngress: fc.boolean(),
      }),
    ),
    { numRuns: Math.min(numRuns(15), 60) },
  );
  withTopology(scratch, (t) => {
    samples.forEach(({ cluster, policies, flags, allowNodeLocalIngress }, i) => {
      const program = loadProgram([...cluster.manifests, ...policies], { semantics: { allowNodeLocalIngress } });
      for (const [node, text] of compile(program, flags).texts) check(t, `sample ${i} ${node}`, text);
      // Odd but valid interface names (nft reads them inside quotes), on input and output.
      if (i < 3) for (const [node, text] of compile(program, { ...flags, 'pod-interface': ['cali*', 'a{b$c#d;e@f*', 'abcdefghijklmno'] }).texts) check(t, `sample ${i} ${node} --pod-interface`, text);
    });
  });
});
