import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolve, type Program, type RawOptions, type SemanticsOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { kernelGate, socketRound, TopologyPool, withTopology, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { auditCases, auditInventory, auditScenarioArb, auditScenarioProbes, bigNodeObjects, bigNodeProbes, labelPolicies, labelProbes } from '@netpolc/ir/testing';
import { disagreements, filesByNode, kernelTimeout, loadNode, probesOf, topologyOf, variants, type PortProbe } from './support/kernel.js';

// Audit kernel tests: corner cases the corpus and the random scenarios never or rarely produce
// (@netpolc/ir/testing audit-scenarios.ts), loaded with both iptables variants, ipset and
// --no-ipset, drop and reject, and probed with real packets against the reference evaluator,
// whose verdicts on them packages/ir/test/audit-scenarios.test.ts pins against semantics.md.
// Skipped loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const reloadScript = fileURLToPath(new URL('../deploy/netpolc-iptables-reload', import.meta.url));

// Every scenario shares the inventory's addresses (labels change, addresses do not): one topology.
const pool = new TopologyPool('npcaudi');
afterAll(() => pool.destroy());
const topologyFor = (program: Program): Topology => pool.for(program);

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadValid(objects, { semantics }).program;
}

const modes: readonly RawOptions[] = [{}, { 'no-ipset': true, 'deny-action': 'reject' }];

/**
 * Loads the program into topology `t` in every variant and mode; every probe that disagrees with
 * evaluate(). A fixed scenario must compile without errors; a random one is judged by its probes.
 */
function roundsIn(t: Topology, program: Program, ports: readonly PortProbe[], fixed = true): string[] {
  const probes = probesOf(t.spec, ports);
  const resolved = resolve(program);
  const problems: string[] = [];
  for (const variant of variants) {
    for (const flags of modes) {
      const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
      if (fixed) expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      t.resetFirewalls();
      for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, 'noflush');
      problems.push(...disagreements(program, t.spec, t.probe(probes)).map((d) => `${variant} ${JSON.stringify(flags)}: ${d}`));
    }
  }
  return problems;
}

/** {@link roundsIn} the shared audit topology. */
function kernelDisagreements(program: Program, ports: readonly PortProbe[]): string[] {
  return roundsIn(topologyFor(program), program, ports);
}


for (const c of auditCases()) {
  kit(gate.label(`${c.name} (nft and legacy)`), () => {
    gate.assertSupported();
    expect(kernelDisagreements(load(c.objects, c.semantics), c.probes)).toEqual([]);
  }, kernelTimeout);
}

kit(gate.label('a label change, recompiled and reloaded with netpolc-iptables-reload: new connections follow it (nft and legacy)'), () => {
  gate.assertSupported();
  const before = load([...auditInventory('other'), ...labelPolicies]);
  const after = load([...auditInventory('client'), ...labelPolicies]);
  const t = topologyFor(before);
  const probes = probesOf(t.spec, labelProbes);
  const dir = mkdtempSync(join(tmpdir(), 'npcaud-reload-'));
  const problems: string[] = [];
  try {
    for (const variant of variants) {
      for (const flags of modes) {
        t.resetFirewalls();
        // before → after → before, each compiled, written and reloaded on every node in turn.
        [before, after, before].forEach((program, step) => {
          const stepDir = join(dir, `${variant}-${flags['no-ipset'] ? 'noipset' : 'ipset'}-${step}`);
          mkdirSync(stepDir, { recursive: true });
          const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
          for (const f of out.files) writeFileSync(join(stepDir, f.path), f.content);
          for (const node of t.spec.nodes) {
            const run = t.run(t.nodeNamespace(node.name), ['sh', reloadScript, stepDir, node.name, variant]);
            expect(`${run.status} ${run.stderr}`, `${variant} step ${step} ${node.name}`).toBe('0 ');
          }
          const label = `${variant} ${JSON.stringify(flags)} step ${step}`;
          problems.push(...disagreements(program, t.spec, t.probe(probes)).map((d) => `${label}: ${d}`));
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
}, kernelTimeout);

kit(gate.label('40 pods on one node: the iprange dispatch sub-chains, with remote pods inside their ranges (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load(bigNodeObjects());
  const spec = topologyOf(program, 'npcaudb');
  const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions({}).options);
  expect(out.files.find((f) => f.path === 'node-1.iptables')!.content).toMatch(/-m iprange --src-range /);
  expect(out.files.find((f) => f.path === 'node-1.ip6tables')!.content).toMatch(/-m iprange --dst-range /);
  const problems: string[] = [];
  withTopology(spec, (t) => problems.push(...roundsIn(t, program, bigNodeProbes)));
  expect(problems).toEqual([]);
}, 2 * kernelTimeout);

// A pod reaching itself through a Service: kube-proxy DNATs the VIP back to the pod in
// prerouting and masquerades in postrouting, so FORWARD sees the pod's address as source and
// destination (backend-nftables/test/kernel-hairpin.test.ts covers nftables; nothing covered the
// iptables backend's `-s P -d P -j RETURN` rules in the kernel).
kit(gate.label('a pod reaches itself through a Service hairpin; another pod through the same VIP does not (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load([
    node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
    namespace('x'),
    pod('x', 'both', { iso: 'both' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1' }),
    pod('x', 'client', {}, ['198.18.0.40', '2001:db8::40'], { node: 'node-1' }),
    networkPolicy('x', 'both', { podSelector: { matchLabels: { iso: 'both' } }, policyTypes: ['Ingress', 'Egress'] }),
  ]);
  const nat = [
    'table inet hairpin {',
    '\tchain pre {\n\t\ttype nat hook prerouting priority dstnat; policy accept;',
    '\t\tip daddr 198.18.100.1 tcp dport 80 dnat ip to 198.18.0.10\n\t\tip6 daddr 2001:db8:100::1 tcp dport 80 dnat ip6 to 2001:db8::10\n\t}',
    '\tchain post {\n\t\ttype nat hook postrouting priority srcnat; policy accept;',
    '\t\tip saddr 198.18.0.10 ip daddr 198.18.0.10 snat ip to 198.19.0.1\n\t\tip6 saddr 2001:db8::10 ip6 daddr 2001:db8::10 snat ip6 to 2001:db8:ff::1\n\t}',
    '}',
    '',
  ].join('\n');
  // Listeners exist: 'refused' is the REJECT of --deny-action reject.
  const reached = (r: string): boolean => r === 'connected';
  const problems: string[] = [];
  withTopology(topologyOf(program, 'npcaudh'), (t) => {
    const both = t.podNamespace('x/both');
    for (const variant of variants) {
      for (const flags of modes) {
        t.resetFirewalls();
        t.exec(t.nodeNamespace('node-1'), ['nft', '-f', '-'], nat);
        const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
        for (const [name, files] of filesByNode(out.files)) loadNode(t, name, files, variant, 'noflush');
        const self = socketRound({
          listen: [{ ns: both, addr: '198.18.0.10', port: 80 }, { ns: both, addr: '2001:db8::10', port: 80 }],
          connect: [{ ns: both, dst: '198.18.100.1', port: 80 }, { ns: both, dst: '2001:db8:100::1', port: 80 }],
          timeoutMs: 600,
        }).connect;
        const other = socketRound({
          listen: [{ ns: both, addr: '198.18.0.10', port: 80 }, { ns: both, addr: '2001:db8::10', port: 80 }],
          connect: [{ ns: t.podNamespace('x/client'), dst: '198.18.100.1', port: 80 }, { ns: t.podNamespace('x/client'), dst: '2001:db8:100::1', port: 80 }],
          timeoutMs: 600,
        }).connect;
        const label = `${variant} ${JSON.stringify(flags)}`;
        if (!self.every(reached)) problems.push(`${label}: x/both -> its own VIP: ${self.join(', ')}`);
        if (other.some(reached)) problems.push(`${label}: x/client -> x/both's VIP: ${other.join(', ')}`);
      }
    }
  });
  expect(problems).toEqual([]);
}, kernelTimeout);

// Random scenarios from the audit pools (audit-scenarios.ts); a new seed every run, in the name.
const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : Date.now() % 2 ** 31;

kit(gate.label(`random audit scenarios (seed ${seed}): IPv6-only pods, many ports, named ports, edge ipBlocks (nft and legacy)`), () => {
  gate.assertSupported();
  const problems: string[] = [];
  fc.sample(auditScenarioArb, { numRuns: 3, seed }).forEach((objects, i) => {
    const program = load(objects);
    withTopology(topologyOf(program, 'npcaudr'), (t) => problems.push(...roundsIn(t, program, auditScenarioProbes, false).map((d) => `seed ${seed} scenario ${i} ${d}`)));
  });
  expect(problems).toEqual([]);
}, 2 * kernelTimeout);
