import fc from 'fast-check';
import { hasErrors, resolve, type Program, type SemanticsOptions } from '@netpolc/ir';
import { clusterArb, loadManifests, policiesArb } from '@netpolc/ir/testing';
import { kernelGate, withTopology } from '@netpolc/netns-harness';
import { expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { disagreements, filesByNode, kernelTimeout, loadNode, probesOf, topologyOf, variants, type PortProbe } from './support/kernel.js';

// Kernel tests on random clusters and policies from the shared arbitraries: a few scenarios per
// run (the seed is in the test name; NETPOLC_SEED replays one), under a random profile, each
// loaded with iptables-nft and iptables-legacy and probed (echo requests among the probes)
// against the reference evaluator.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : Date.now() % 2 ** 31;
const scenarioCount = 3;

const ports: readonly PortProbe[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 443 },
  { protocol: 'TCP', port: 8080 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'UDP', port: 5353 },
  { protocol: 'SCTP', port: 81 },
  { protocol: 'ICMP', port: 0 },
];

function load(manifests: readonly Record<string, unknown>[], semantics: Partial<SemanticsOptions>): Program | undefined {
  const r = loadManifests(manifests, { semantics });
  return hasErrors(r.diagnostics) ? undefined : r.program;
}

const scenarios = fc
  .sample(
    fc.record({
      cluster: clusterArb({ maxPods: 7 }),
      policies: policiesArb(5),
      // The profile knobs the backend enforces: its hooks see neither a node's own traffic to its
      // pods (node-local-not-filtered) nor a pod reaching itself.
      semantics: fc.record({ ipBlockMatchesPods: fc.boolean(), ipBlockMatchesNodes: fc.boolean(), allowIcmpEssentials: fc.boolean() }),
    }),
    { numRuns: 40, seed },
  )
  .map(({ cluster, policies, semantics }) => load([...cluster.manifests, ...policies], semantics))
  .filter((p): p is Program => p !== undefined && p.inventory.pods.filter((x) => x.actionable).length >= 3 && p.policies.length > 0)
  .slice(0, scenarioCount);

kit(gate.label(`random clusters and policies behave in the kernel as the reference evaluator says (seed ${seed})`), () => {
  gate.assertSupported();
  expect(scenarios).toHaveLength(scenarioCount);
  const problems: string[] = [];
  scenarios.forEach((program, i) => {
    const spec = topologyOf(program, 'npciptr');
    const resolved = resolve(program);
    withTopology(spec, (topology) => {
      const probes = probesOf(spec, ports);
      for (const variant of variants) {
        const flags = { ...((i + (variant === 'nft' ? 0 : 1)) % 2 === 1 ? { 'no-ipset': true } : {}), 'deny-action': variant === 'nft' ? 'drop' : 'reject' };
        const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
        topology.resetFirewalls();
        for (const [node, files] of filesByNode(out.files)) loadNode(topology, node, files, variant, 'noflush');
        const label = `seed ${seed} scenario ${i} ${variant} ${JSON.stringify(flags)}`;
        problems.push(...disagreements(program, spec, topology.probe(probes)).map((d) => `${label}: ${d}`));
      }
    });
  });
  expect(problems).toEqual([]);
}, kernelTimeout);
