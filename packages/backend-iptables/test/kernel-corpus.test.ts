import { resolve } from '@netpolc/ir';
import { casePorts, corpusCases } from '@netpolc/ir/testing';
import { kernelGate, TopologyPool } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { probesOf, rotatedRound, type PortProbe } from './support/kernel.js';

// Kernel tests: every corpus case compiled, loaded into two node namespaces with iptables-nft and
// with iptables-legacy, and probed with real TCP, UDP and SCTP packets between every pod pair and
// from both nodes; the results must be the reference evaluator's. Skipped loudly without root and
// the tools; failing when NETPOLC_KERNEL_TESTS=require (CI).
const gate = kernelGate();
const kit = it.skipIf(gate.skip);

// One topology per distinct inventory (cases share the upstream model), rebuilt only when it
// changes; firewalls are reset between rounds.
const pool = new TopologyPool('npciptc');
afterAll(() => pool.destroy());

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
    const topology = pool.for(program);
    const spec = topology.spec;
    const ports = [...basePorts];
    for (const p of casePorts(c.config)) if (!ports.some((q) => q.protocol === p.protocol && q.port === p.port)) ports.push(p);
    expect(rotatedRound(topology, program, resolved, probesOf(spec, ports), i)).toEqual([]);
  });
});
