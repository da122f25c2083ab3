import type { Program } from '@netpolc/ir';
import { opsObjects } from '@netpolc/ir/testing';
import { createTopology, kernelGate, kernelTestTimeout, type Probe, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// The operator's view: `table inet netpolc` next to what a node already runs (kube-proxy's and a
// CNI's iptables-nft and iptables-legacy rules, nftables tables of other tools with earlier and
// later priorities, tables whose names resemble netpolc's), reloaded over time, on a node whose
// IPv6 is disabled. Real nft in the harness's namespaces (prefix npcopn), probes against
// evaluate(). Skipped loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const probeOptions = { timeoutMs: 600 };

/** The operator scenario (@netpolc/ir/testing opsObjects), with or without its policies. */
function opsProgram(policies = true): Program {
  return loadProgram(opsObjects(policies));
}
const program = opsProgram();
const ports = [{ protocol: 'TCP' as const, port: 80 }];

let topology: Topology | undefined;
afterAll(() => topology?.destroy());
function topo(): Topology {
  topology ??= createTopology(topologyOf(program, 'npcopn'));
  return topology;
}
const nodes = ['node-1', 'node-2'] as const;

function problems(t: Topology, p: Program, keep: (probe: Probe) => boolean = () => true): string[] {
  const judged = judgedProbes(p, t.spec, ports).filter((j) => keep(j.probe));
  expect(judged.some((j) => j.expected)).toBe(true);
  if (p.policies.length > 0) expect(judged.some((j) => !j.expected)).toBe(true);
  return disagreements(judged, t.probe(judged.map((j) => j.probe), probeOptions));
}

/**
 * Rules that ACCEPT every packet on forward and input before, at and after netpolc's priority:
 * kube-proxy/Calico/flannel/Docker-style iptables rules in both variants (an early ACCEPT at the
 * top of FORWARD and INPUT), an nftables table at an earlier priority (kube-proxy's nftables mode
 * hooks at priority filter - 10 and below), one at a later priority (firewalld's `inet firewalld`
 * is filter + 10), and tables whose names resemble netpolc's: `inet netpolc_old`, `ip netpolc`.
 */
const foreignNft = [
  'table inet early {',
  '\tchain early_forward { type filter hook forward priority filter - 110; policy accept; accept; }',
  '\tchain early_input { type filter hook input priority filter - 110; policy accept; accept; }',
  '}',
  'table inet late {',
  '\tset allowed { type ipv4_addr; flags interval; elements = { 198.18.0.0/15 } }',
  '\tchain late_forward { type filter hook forward priority filter + 10; policy accept; ip saddr @allowed accept; }',
  '}',
  'table inet netpolc_old {',
  '\tchain forward { type filter hook forward priority filter; policy accept; ip daddr 198.18.250.1 drop; }',
  '}',
  'table ip netpolc {',
  '\tchain input { type filter hook input priority filter; policy accept; ip saddr 198.18.250.2 drop; }',
  '}',
  '',
].join('\n');
const earlyAccept = ['*filter', '-I FORWARD 1 -j ACCEPT', '-I INPUT 1 -j ACCEPT', 'COMMIT', ''].join('\n');

/** The ruleset outside `table inet netpolc`, and what the legacy tables hold. */
function foreignState(t: Topology, ns: string): string {
  const tables = t.exec(ns, ['nft', 'list', 'ruleset']).split(/\n(?=table )/);
  const outside = tables.map((x) => x.trim().replace(/counter packets \d+ bytes \d+/g, 'counter')).filter((x) => !x.startsWith('table inet netpolc {')).join('\n');
  return `${outside}\n${t.exec(ns, ['iptables-legacy-save', '-t', 'filter']).replace(/^#.*\n/gm, '').replace(/\[\d+:\d+\]/g, '')}`;
}

kit(gate.label('ACCEPTs of iptables-nft, iptables-legacy and other tables before and after its priority do not bypass netpolc; reloads and removal leave them and look-alike tables byte-identical'), () => {
  gate.assertSupported();
  const t = topo();
  t.resetFirewalls();
  for (const n of nodes) {
    const ns = t.nodeNamespace(n);
    t.exec(ns, ['nft', '-f', '-'], foreignNft);
    for (const tool of ['iptables-nft-restore', 'ip6tables-nft-restore', 'iptables-legacy-restore', 'ip6tables-legacy-restore']) t.exec(ns, [tool, '--noflush'], earlyAccept);
  }
  const before = nodes.map((n) => foreignState(t, t.nodeNamespace(n)));
  expect(before[0]).toMatch(/table inet netpolc_old/);
  loadRulesets(t, compile(program).texts);
  expect(problems(t, program), 'netpolc among accepting tables').toEqual([]);
  // Reload with no policy, then the policies again, then remove netpolc as the README says.
  loadRulesets(t, compile(opsProgram(false)).texts);
  expect(problems(t, opsProgram(false)), 'no policy').toEqual([]);
  loadRulesets(t, compile(program).texts);
  expect(problems(t, program), 'policies again').toEqual([]);
  expect(nodes.map((n) => foreignState(t, t.nodeNamespace(n))), 'foreign rules after reloads').toEqual(before);
  for (const n of nodes) t.exec(t.nodeNamespace(n), ['nft', 'delete', 'table', 'inet', 'netpolc']);
  expect(nodes.map((n) => foreignState(t, t.nodeNamespace(n))), 'foreign rules after removal').toEqual(before);
  for (const n of nodes) expect(t.exec(t.nodeNamespace(n), ['nft', 'list', 'tables']).split('\n').filter((l) => l !== '').sort()).toEqual(['table inet early', 'table inet late', 'table inet netpolc_old', 'table ip filter', 'table ip netpolc', 'table ip6 filter']);
}, kernelTestTimeout);

kit(gate.label('over time: the same file loaded again changes nothing; the last isolated pod leaving leaves no pod chain, map entry or peer set behind'), () => {
  gate.assertSupported();
  const t = topo();
  t.resetFirewalls();
  const full = compile(program).texts;
  loadRulesets(t, full);
  const list = (n: string): string => t.exec(t.nodeNamespace(n), ['nft', 'list', 'table', 'inet', 'netpolc']);
  const once = nodes.map(list);
  for (let i = 0; i < 3; i++) loadRulesets(t, full);
  expect(nodes.map(list), 'three more loads of the same files').toEqual(once);
  expect(once.join('\n')).toMatch(/chain (ingress|egress)\//);
  loadRulesets(t, compile(opsProgram(false)).texts);
  for (const n of nodes) expect(list(n), n).not.toMatch(/chain (ingress|egress)\/|set peer|map (ingress|egress)/);
  expect(problems(t, opsProgram(false)), 'no policy').toEqual([]);
}, kernelTestTimeout);

kit(gate.label('a node with IPv6 disabled (net.ipv6.conf.all.disable_ipv6=1) loads the dual-stack file and enforces IPv4'), () => {
  gate.assertSupported();
  const t = topo();
  t.resetFirewalls();
  for (const n of nodes) t.exec(t.nodeNamespace(n), ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
  try {
    loadRulesets(t, compile(program).texts);
    for (const n of nodes) expect(t.exec(t.nodeNamespace(n), ['nft', 'list', 'table', 'inet', 'netpolc'])).toMatch(/ip6 /);
    expect(problems(t, program, (p) => !p.to.includes(':')), 'IPv4 probes').toEqual([]);
  } finally {
    // Last test of the file: the node namespaces' IPv6 addresses are gone with the sysctl.
    for (const n of nodes) t.exec(t.nodeNamespace(n), ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=0']);
  }
}, kernelTestTimeout);
