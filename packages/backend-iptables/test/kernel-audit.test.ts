import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolve, type Program, type RawOptions, type SemanticsOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { createTopology, kernelGate, socketRound, withTopology, type Probe, type Topology } from '@netpolc/netns-harness';
import { afterAll, expect, it } from 'vitest';
import { iptablesBackend } from '../src/index.js';
import { auditInventory, auditScenarioArb, auditScenarioProbes, bigNodeObjects, bigNodeProbes, ipBlockPolicies, ipBlockProbes, labelPolicies, labelProbes, manyPortsPolicy, manyPortsProbes, namedPortPolicies, namedPortProbes } from '@netpolc/ir/testing';
import { disagreements, expectedVerdict, filesByNode, kernelTimeout, loadNode, probesOf, topologyOf, variants, type PortProbe } from './support/kernel.js';

// Audit kernel tests: corner cases the corpus and the random scenarios never or rarely produce
// (support/audit.ts), loaded with both iptables variants, ipset and --no-ipset, drop and reject,
// and probed with real packets against the reference evaluator. A few verdicts of the evaluator
// are pinned first against semantics.md, so that kernel and evaluator cannot agree on a wrong
// answer. Skipped loudly without root and the tools; failing when NETPOLC_KERNEL_TESTS=require.
const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const reloadScript = fileURLToPath(new URL('../deploy/netpolc-iptables-reload', import.meta.url));

// Every scenario shares the inventory's addresses (labels change, addresses do not): one topology.
let topology: Topology | undefined;
afterAll(() => topology?.destroy());
function topologyFor(program: Program): Topology {
  topology ??= createTopology(topologyOf(program, 'npcaudi'));
  expect(topologyOf(program, 'npcaudi')).toEqual(topology.spec);
  return topology;
}

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadValid(objects, { semantics }).program;
}

const modes: readonly RawOptions[] = [{}, { 'no-ipset': true, 'deny-action': 'reject' }];

/** Loads the program in every variant and mode and returns every probe that disagrees with evaluate(). */
function kernelDisagreements(program: Program, ports: readonly PortProbe[]): string[] {
  const t = topologyFor(program);
  const spec = t.spec;
  const probes = probesOf(spec, ports);
  const resolved = resolve(program);
  const problems: string[] = [];
  for (const variant of variants) {
    for (const flags of modes) {
      const out = iptablesBackend.emit({ program, resolved }, iptablesBackend.parseOptions(flags).options);
      expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      t.resetFirewalls();
      for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, 'noflush');
      problems.push(...disagreements(program, spec, t.probe(probes)).map((d) => `${variant} ${JSON.stringify(flags)}: ${d}`));
    }
  }
  return problems;
}

/** evaluate() on one probe of the audit topology. */
function verdict(program: Program, from: Probe['from'], to: string, protocol: Probe['protocol'], port: number): boolean {
  return expectedVerdict(program, topologyOf(program, 'npcaudi'), { from, to, protocol, port });
}
const client = { pod: 'y/client' } as const;
const client2 = { pod: 'y/client2' } as const;

kit(gate.label('more than 15 ports, ranges ending at 65535, TCP, UDP and SCTP in one rule (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), manyPortsPolicy]);
  // semantics.md §2.3: inclusive ranges, per protocol.
  expect(verdict(program, client, '198.18.1.10', 'TCP', 65535)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 64999)).toBe(false);
  expect(verdict(program, client, '2001:db8::1:10', 'SCTP', 65535)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'UDP', 65534)).toBe(false);
  expect(kernelDisagreements(program, manyPortsProbes)).toEqual([]);
}, kernelTimeout);

kit(gate.label('named ports: per destination pod, one name on TCP and UDP, with an ipBlock, with empty to (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...namedPortPolicies]);
  // semantics.md §2.3: `web` is 8080 on srv1 and 9090 on srv2.
  expect(verdict(program, client, '198.18.0.10', 'TCP', 8080)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 8080)).toBe(false);
  // `svc` is TCP 7071 on srv1, UDP 7070 on srv2: protocol and number come from the destination.
  expect(verdict(program, client, '198.18.0.10', 'TCP', 7071)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'UDP', 7070)).toBe(true);
  expect(verdict(program, client, '198.18.1.10', 'TCP', 7070)).toBe(false);
  expect(verdict(program, client, '198.18.1.30', 'TCP', 8080)).toBe(false);
  // `web` towards ipBlocks: srv2's IPv4 address is inside 198.18.0.0/15, its IPv6 one outside 2001:db8::/112.
  expect(verdict(program, client, '198.18.1.10', 'TCP', 9090)).toBe(true);
  expect(verdict(program, client, '2001:db8::1:10', 'TCP', 9090)).toBe(false);
  // IPv6-only and IPv4-only destinations; an ingress named port with an ipBlock peer resolves.
  expect(verdict(program, client, '2001:db8::20', 'TCP', 8181)).toBe(true);
  expect(verdict(program, client2, '2001:db8::20', 'TCP', 8181)).toBe(false);
  expect(verdict(program, client, '198.18.1.30', 'UDP', 7072)).toBe(true);
  expect(kernelDisagreements(program, namedPortProbes)).toEqual([]);
}, kernelTimeout);

kit(gate.label('ipBlocks: /0 both families, except is not a deny, /32 and /128, IPv4 blocks on IPv6, node addresses (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...ipBlockPolicies]);
  // semantics.md §2.2: another peer's /32 allows what 0.0.0.0/0's except removed.
  expect(verdict(program, client, '198.18.1.10', 'TCP', 80)).toBe(true);
  expect(verdict(program, client, '198.18.0.10', 'TCP', 80)).toBe(false);
  // /128 inside ::/0's except; ::/0 itself.
  expect(verdict(program, client, '2001:db8::1:20', 'TCP', 81)).toBe(true);
  expect(verdict(program, client, '2001:db8::1:10', 'TCP', 81)).toBe(false);
  expect(verdict(program, client, '2001:db8::10', 'TCP', 81)).toBe(true);
  // semantics.md §2.6: IPv4 blocks never open IPv6.
  expect(verdict(program, client, '198.18.0.10', 'TCP', 443)).toBe(true);
  expect(verdict(program, client, '2001:db8::10', 'TCP', 443)).toBe(false);
  expect(verdict(program, client2, '2001:db8::20', 'TCP', 80)).toBe(false);
  // Node addresses by ipBlock (profile default: ipBlocks match them), node-local ingress always.
  expect(verdict(program, { node: 'node-2' }, '2001:db8::20', 'TCP', 443)).toBe(true);
  expect(verdict(program, { node: 'node-2' }, '2001:db8::20', 'TCP', 80)).toBe(false);
  expect(verdict(program, { node: 'node-1' }, '2001:db8::20', 'TCP', 80)).toBe(true);
  expect(verdict(program, { node: 'node-1' }, '198.18.1.30', 'TCP', 80)).toBe(true);
  expect(verdict(program, client, '198.19.0.1', 'TCP', 80)).toBe(false);
  // Excepts covering their whole cidr allow nothing (never "any").
  expect(verdict(program, client, '198.18.0.10', 'SCTP', 80)).toBe(false);
  expect(verdict(program, client, '2001:db8::10', 'SCTP', 80)).toBe(false);
  // IPv6-only pods reach their node through INPUT, and pods, on 443 only.
  expect(verdict(program, { pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 443)).toBe(true);
  expect(verdict(program, { pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 80)).toBe(false);
  expect(verdict(program, { pod: 'x/v6b' }, '2001:db8::10', 'TCP', 443)).toBe(true);
  expect(kernelDisagreements(program, ipBlockProbes)).toEqual([]);
}, kernelTimeout);

kit(gate.label('the same ipBlocks with ipBlockMatchesPods=false (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...ipBlockPolicies], { ipBlockMatchesPods: false });
  // Only the /32 peer allowed client -> srv2 TCP 80; pods are no longer in ipBlocks.
  expect(verdict(program, client, '198.18.1.10', 'TCP', 80)).toBe(false);
  expect(verdict(program, client, '2001:db8::10', 'TCP', 81)).toBe(false);
  expect(verdict(program, { node: 'node-2' }, '2001:db8::20', 'TCP', 443)).toBe(true);
  expect(kernelDisagreements(program, ipBlockProbes)).toEqual([]);
}, kernelTimeout);

kit(gate.label('a hostNetwork pod whose labels a selector matches is node traffic (nft and legacy)'), () => {
  gate.assertSupported();
  const program = load([...auditInventory(), ...labelPolicies]);
  // semantics.md §2.1: node-2 carries y/hostagent (role=client); only ipBlocks can match it.
  expect(verdict(program, { node: 'node-2' }, '198.18.0.10', 'TCP', 80)).toBe(false);
  expect(verdict(program, { node: 'node-2' }, '198.18.1.10', 'TCP', 81)).toBe(true);
  expect(verdict(program, client, '198.18.0.10', 'TCP', 80)).toBe(true);
  expect(kernelDisagreements(program, labelProbes)).toEqual([]);
}, kernelTimeout);

kit(gate.label('a label change, recompiled and reloaded with netpolc-iptables-reload: new connections follow it (nft and legacy)'), () => {
  gate.assertSupported();
  const before = load([...auditInventory('other'), ...labelPolicies]);
  const after = load([...auditInventory('client'), ...labelPolicies]);
  // y/client2 gains role=client: it may now reach srv1 and srv2 on 80.
  expect(verdict(before, client2, '198.18.0.10', 'TCP', 80)).toBe(false);
  expect(verdict(after, client2, '198.18.0.10', 'TCP', 80)).toBe(true);
  expect(verdict(after, client2, '2001:db8::10', 'TCP', 80)).toBe(true);
  expect(verdict(after, client2, '2001:db8::10', 'UDP', 80)).toBe(false);
  // ... and becomes isolated for ingress (81 only).
  expect(verdict(before, { node: 'node-1' }, '198.18.1.40', 'TCP', 80)).toBe(true);
  expect(verdict(after, { node: 'node-1' }, '198.18.1.40', 'TCP', 80)).toBe(false);
  expect(verdict(after, { pod: 'x/srv1' }, '198.18.1.40', 'TCP', 81)).toBe(true);
  expect(verdict(after, { pod: 'x/srv1' }, '198.18.1.40', 'TCP', 80)).toBe(false);
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
  // p1 (g1) -> p2 (g2): egress allowed, g2's ingress only UDP 81; p1 -> p0 (g0) TCP 80 denied by g1's egress.
  expect(expectedVerdict(program, spec, { from: { pod: 'x/p1' }, to: '198.18.12.127', protocol: 'UDP', port: 81 })).toBe(true);
  expect(expectedVerdict(program, spec, { from: { pod: 'x/p1' }, to: '198.18.0.1', protocol: 'TCP', port: 80 })).toBe(false);
  const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions({}).options);
  expect(out.files.find((f) => f.path === 'node-1.iptables')!.content).toMatch(/-m iprange --src-range /);
  expect(out.files.find((f) => f.path === 'node-1.ip6tables')!.content).toMatch(/-m iprange --dst-range /);
  const problems: string[] = [];
  withTopology(spec, (t) => {
    const probes = probesOf(spec, bigNodeProbes);
    for (const variant of variants) {
      for (const flags of modes) {
        const emitted = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
        t.resetFirewalls();
        for (const [node, files] of filesByNode(emitted.files)) loadNode(t, node, files, variant, 'noflush');
        problems.push(...disagreements(program, spec, t.probe(probes)).map((d) => `${variant} ${JSON.stringify(flags)}: ${d}`));
      }
    }
  });
  expect(problems).toEqual([]);
}, 4 * kernelTimeout);

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

// Random scenarios from the audit pools (support/audit.ts); a new seed every run, in the name.
const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : Date.now() % 2 ** 31;

kit(gate.label(`random audit scenarios (seed ${seed}): IPv6-only pods, many ports, named ports, edge ipBlocks (nft and legacy)`), () => {
  gate.assertSupported();
  const problems: string[] = [];
  fc.sample(auditScenarioArb, { numRuns: 3, seed }).forEach((objects, i) => {
    const program = load(objects);
    const spec = topologyOf(program, 'npcaudr');
    withTopology(spec, (t) => {
      const probes = probesOf(spec, auditScenarioProbes);
      for (const variant of variants) {
        for (const flags of modes) {
          const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
          t.resetFirewalls();
          for (const [node, files] of filesByNode(out.files)) loadNode(t, node, files, variant, 'noflush');
          problems.push(...disagreements(program, spec, t.probe(probes)).map((d) => `seed ${seed} scenario ${i} ${variant} ${JSON.stringify(flags)}: ${d}`));
        }
      }
    });
  });
  expect(problems).toEqual([]);
}, 4 * kernelTimeout);
