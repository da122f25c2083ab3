import { expect, it } from 'vitest';
import { evaluate, type Program } from '@netpolc/ir';
import { createTopology, kernelGate, kernelTestTimeout, socketRound, type Topology } from '@netpolc/netns-harness';
import { namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// A pod's connection to itself through a Service, in the kernel. kube-proxy DNATs the VIP back
// to the pod in prerouting and, because the source is the endpoint itself, masquerades it in
// postrouting; between the two the node's forward hook sees the pod's address as source and
// destination (the auditor's reproduction: the pod chains dropped it). The node namespace gets
// an equivalent `table inet hairpin` next to netpolc's table.

const gate = kernelGate();
const kit = it.skipIf(gate.skip);

const nodeAddresses = ['198.19.0.1', '2001:db8:ff::1'];
/** Pods with their addresses and Service VIPs (IPv4, IPv6); x/client is isolated nowhere. */
const pods = [
  { name: 'both', addresses: ['198.18.0.10', '2001:db8::10'], vips: ['198.18.100.1', '2001:db8:100::1'] },
  { name: 'in', addresses: ['198.18.0.20', '2001:db8::20'], vips: ['198.18.100.2', '2001:db8:100::2'] },
  { name: 'out', addresses: ['198.18.0.30', '2001:db8::30'], vips: ['198.18.100.3', '2001:db8:100::3'] },
] as const;
const client = { name: 'client', addresses: ['198.18.0.40', '2001:db8::40'] } as const;

function hairpinProgram(allowSelf: boolean): Program {
  return loadProgram(
    [
      node('node-1', [...nodeAddresses]),
      namespace('x'),
      ...pods.map((p) => pod('x', p.name, { iso: p.name }, [...p.addresses], { node: 'node-1' })),
      pod('x', client.name, {}, [...client.addresses], { node: 'node-1' }),
      networkPolicy('x', 'both', { podSelector: { matchLabels: { iso: 'both' } }, policyTypes: ['Ingress', 'Egress'] }),
      networkPolicy('x', 'in', { podSelector: { matchLabels: { iso: 'in' } }, policyTypes: ['Ingress'] }),
      networkPolicy('x', 'out', { podSelector: { matchLabels: { iso: 'out' } }, policyTypes: ['Egress'] }),
    ],
    { semantics: { allowSelf } },
  );
}

/** kube-proxy's part for these Services: DNAT every VIP:80 to its pod, masquerade a pod's packets to itself. */
function hairpinNat(): string {
  const dnat = pods.flatMap((p) => p.vips.map((vip, i) => (i === 0 ? `ip daddr ${vip} tcp dport 80 dnat ip to ${p.addresses[0]}` : `ip6 daddr ${vip} tcp dport 80 dnat ip6 to ${p.addresses[1]}`)));
  const snat = pods.flatMap((p) => [`ip saddr ${p.addresses[0]} ip daddr ${p.addresses[0]} snat ip to ${nodeAddresses[0]}`, `ip6 saddr ${p.addresses[1]} ip6 daddr ${p.addresses[1]} snat ip6 to ${nodeAddresses[1]}`]);
  const chain = (name: string, hook: string, priority: string, rules: string[]): string =>
    `\tchain ${name} {\n\t\ttype nat hook ${hook} priority ${priority}; policy accept;\n${rules.map((r) => `\t\t${r}\n`).join('')}\t}\n`;
  return `table inet hairpin {\n${chain('pre', 'prerouting', 'dstnat', dnat)}${chain('post', 'postrouting', 'srcnat', snat)}}\n`;
}

/** From a pod, TCP to port 80 of each `to`, with a listener first on each `listen` of the pod. */
function connect(t: Topology, from: string, probes: readonly { readonly listen?: string; readonly to: string }[]): string[] {
  const ns = t.podNamespace(`x/${from}`);
  const listen = [...new Set(probes.flatMap((p) => (p.listen ? [p.listen] : [])))].map((addr) => ({ ns, addr, port: 80 }));
  return socketRound({ listen, connect: probes.map((p) => ({ ns, dst: p.to, port: 80 })), timeoutMs: 600 }).connect;
}

const reached = (result: string): boolean => result === 'connected' || result === 'refused';

kit(gate.label('a pod reaches itself through a Service hairpin exactly when the profile allows self traffic'), () => {
  gate.assertSupported();
  const topology = createTopology({ ...topologyOf(hairpinProgram(true), 'x'), prefix: 'npcnfth' });
  try {
    topology.exec(topology.nodeNamespace('node-1'), ['nft', '-f', '-'], hairpinNat());
    for (const allowSelf of [true, false]) {
      const program = hairpinProgram(allowSelf);
      loadRulesets(topology, compile(program).texts);
      const wrong: string[] = [];
      const judge = (from: string, to: string, ip: string, result: string): void => {
        const v = evaluate(program, { src: { kind: 'pod', namespace: 'x', name: from, ip }, dst: { kind: 'pod', namespace: 'x', name: to, ip: pods.find((p) => p.name === to)!.addresses[ip.includes(':') ? 1 : 0] }, protocol: 'TCP', port: 80 });
        if ('error' in v) throw new Error(v.error);
        if (reached(result) !== v.allowed) wrong.push(`allowSelf ${allowSelf}: x/${from} (${ip}) -> VIP of x/${to}: expected ${v.allowed ? 'allowed' : 'denied'}, got ${result}`);
      };
      for (const p of pods) {
        const results = connect(topology, p.name, p.vips.map((vip, i) => ({ listen: p.addresses[i]!, to: vip })));
        // The scenario is not vacuous: each pod is isolated, so only the exception lets it through.
        expect(results.map(reached), `x/${p.name} hairpins with allowSelf ${allowSelf}: ${results.join(', ')}`).toEqual([allowSelf, allowSelf]);
        results.forEach((r, i) => judge(p.name, p.name, p.addresses[i]!, r));
      }
      // Another pod through the same VIP is not the pod itself: x/both's ingress still denies it.
      const other = connect(topology, client.name, pods[0].vips.map((to) => ({ to })));
      other.forEach((r, i) => judge(client.name, 'both', client.addresses[i]!, r));
      expect(other.map(reached)).toEqual([false, false]);
      // Direct traffic between every pod and node address is unchanged (a pod's own address
      // is reached over its loopback, which no node sees: backend-nftables/self-traffic-not-enforced).
      const own = (from: string, to: string): boolean => topology.spec.pods.some((p) => p.id === from && p.addresses.includes(to));
      const judged = judgedProbes(program, topology.spec, [{ protocol: 'TCP', port: 80 }]).filter((j) => !('pod' in j.probe.from && own(j.probe.from.pod, j.probe.to)));
      wrong.push(...disagreements(judged, topology.probe(judged.map((j) => j.probe), { timeoutMs: 600 })));
      expect(wrong).toEqual([]);
    }
  } finally {
    topology.destroy();
  }
}, kernelTestTimeout);
