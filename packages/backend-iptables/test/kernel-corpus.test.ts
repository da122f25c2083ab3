import { resolve, type RawOptions } from '@netpolc/ir';
import { casePorts, corpusCases } from '@netpolc/ir/testing';
import { createTopology, kernelGate, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { disagreements, filesByNode, loadNode, probesOf, topologyOf, variants, type PortProbe } from './support/kernel.js';

// Kernel tests: every corpus case compiled, loaded into two node namespaces with iptables-nft and
// with iptables-legacy, and probed with real TCP, UDP and SCTP packets between every pod pair and
// from both nodes; the results must be the reference evaluator's. Skipped loudly without root and
// the tools; failing when NETPOLC_KERNEL_TESTS=require (CI).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);

// One topology per distinct inventory (cases share the upstream model), rebuilt only when it
// changes; firewalls are reset between rounds.
let current: { key: string; topology: Topology } | undefined;
afterAll(() => current?.topology.destroy());

function topologyFor(spec: ReturnType<typeof topologyOf>): Topology {
  const key = JSON.stringify(spec);
  if (current?.key !== key) {
    current?.topology.destroy();
    current = { key, topology: createTopology(spec) };
  }
  return current.topology;
}

const basePorts: readonly PortProbe[] = ['TCP/80', 'TCP/81', 'UDP/80', 'UDP/81', 'SCTP/80', 'SCTP/81'].map((p) => {
  const [protocol, port] = p.split('/') as [PortProbe['protocol'], string];
  return { protocol, port: Number(port) };
});

const cases = corpusCases().filter((c) => !c.expectError);

cases.forEach((c, i) => {
  kit(gate.label(`corpus case ${c.name} behaves in the kernel as the reference evaluator says (nft and legacy)`), () => {
    gate.assertSupported();
    const { program } = c.load();
    const resolved = resolve(program);
    const spec = topologyOf(program, 'npciptc');
    const topology = topologyFor(spec);
    const ports = [...basePorts];
    for (const p of casePorts(c.config)) if (!ports.some((q) => q.protocol === p.protocol && q.port === p.port)) ports.push(p);
    const probes = probesOf(spec, ports);
    const problems: string[] = [];
    for (const variant of variants) {
      // Rotate the modes over cases and variants: ipset or not, drop or reject, plain restore
      // into an empty table or --noflush.
      const odd = (i + (variant === 'nft' ? 0 : 1)) % 2 === 1;
      const flags: RawOptions = { ...(odd ? { 'no-ipset': true } : {}), 'deny-action': odd ? 'reject' : 'drop', ...(i % 3 === 0 ? { log: 'all' } : {}) };
      const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
      expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      topology.resetFirewalls();
      for (const [node, files] of filesByNode(out.files)) loadNode(topology, node, files, variant, variant === 'nft' ? 'flush' : 'noflush');
      const label = `${variant} ${JSON.stringify(flags)}`;
      problems.push(...disagreements(program, spec, topology.probe(probes)).map((d) => `${label}: ${d}`));
    }
    expect(problems).toEqual([]);
  });
});
