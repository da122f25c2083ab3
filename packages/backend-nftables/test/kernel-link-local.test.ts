import { expect, it } from 'vitest';
import type { Program } from '@netpolc/ir';
import { createTopology, kernelGate, kernelTestTimeout, socketRound, type Topology } from '@netpolc/netns-harness';
import { namespace, networkPolicy, node, pod } from '@netpolc/ir/testing';
import { compile, loadProgram } from './support/compile.js';
import { disagreements, judgedProbes, loadRulesets, topologyOf } from './support/kernel.js';

// The auditor's reproduction in the kernel: pods are dispatched by their global addresses, so an
// egress-isolated pod reached a TCP listener its node binds on [::] through the node's
// link-local address on the pod's veth (the harness's fe80::1, Calico's gateway), and, with
// node-local ingress checked, the node reached an ingress-isolated pod by the pod's link-local
// address. `--pod-interface vp*` (the harness names the node side of a pod's veth vp<j>) closes
// both; neighbour discovery, which runs on those very addresses, and the policies' decisions on
// global addresses stay as they were.

const gate = kernelGate();
const kit = it.skipIf(gate.skip);

const nodeGlobal6 = '2001:db8:ff::1';

/** On node-1: x/out egress-isolated (TCP 8080 to the node's IPv6 address allowed), x/in ingress-isolated, x/open isolated nowhere. */
function program(allowNodeLocalIngress: boolean): Program {
  return loadProgram(
    [
      node('node-1', ['198.19.0.1', nodeGlobal6]),
      namespace('x'),
      pod('x', 'out', { iso: 'out' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1' }),
      pod('x', 'in', { iso: 'in' }, ['198.18.0.20', '2001:db8::20'], { node: 'node-1' }),
      pod('x', 'open', {}, ['198.18.0.30', '2001:db8::30'], { node: 'node-1' }),
      networkPolicy('x', 'out', {
        podSelector: { matchLabels: { iso: 'out' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: `${nodeGlobal6}/128` } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      }),
      networkPolicy('x', 'in', { podSelector: { matchLabels: { iso: 'in' } }, policyTypes: ['Ingress'] }),
    ],
    { semantics: { allowNodeLocalIngress } },
  );
}



interface Attempt {
  readonly to: string;
  readonly port: number;
  /** Interface (of the connecting namespace) a link-local destination is scoped to. */
  readonly dev?: string;
}

/**
 * Listens on [::] in one namespace (what kubelet or node-local DNS does), then opens TCP
 * connections from another, a link-local destination scoped to an interface of the connecting
 * namespace: `connected`, `refused` or `timeout` (dropped).
 */
function connect(listenNs: string, connectNs: string, ports: readonly number[], probes: readonly Attempt[]): string[] {
  return socketRound({
    listen: ports.map((port) => ({ ns: listenNs, port })),
    connect: probes.map((p) => ({ ns: connectNs, dst: p.to, port: p.port, ...(p.dev ? { dev: p.dev } : {}) })),
    timeoutMs: 1000,
  }).connect;
}

/** The link-local address of a pod's eth0 (`ip -j` leaves an empty object for each address the scope filters out). */
function podLinkLocal(t: Topology, pod: string): string {
  const links = JSON.parse(t.exec(t.podNamespace(pod), ['ip', '-j', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])) as { addr_info: { local?: string }[] }[];
  const address = links[0]?.addr_info.find((a) => a.local !== undefined)?.local;
  if (address === undefined) throw new Error(`${pod} has no link-local address`);
  return address;
}

/** The node side of a pod's veth: the interface the node routes the pod's address through. */
function nodeSide(t: Topology, node: string, podAddress: string): string {
  const routes = JSON.parse(t.exec(t.nodeNamespace(node), ['ip', '-j', '-6', 'route', 'get', podAddress])) as { dev: string }[];
  return routes[0]!.dev;
}

/** State of a namespace's neighbour entry (`REACHABLE`, `PERMANENT`, …), or `none`. */
function neighbour(t: Topology, ns: string, address: string, dev: string): string {
  const entries = JSON.parse(t.exec(ns, ['ip', '-j', '-6', 'neigh', 'show', 'dev', dev])) as { dst: string; state?: string[] }[];
  return entries.find((e) => e.dst === address)?.state?.join(',') ?? 'none';
}

const reached = (result: string): boolean => result === 'connected' || result === 'refused';

kit(gate.label('--pod-interface closes the link-local path between a pod and its node, and nothing else'), () => {
  gate.assertSupported();
  const topology = createTopology({ ...topologyOf(program(true), 'x'), prefix: 'npcnftl' });
  try {
    const nodeNs = topology.nodeNamespace('node-1');
    const outNs = topology.podNamespace('x/out');
    const inNs = topology.podNamespace('x/in');
    const outVeth = nodeSide(topology, 'node-1', '2001:db8::10');
    const inVeth = nodeSide(topology, 'node-1', '2001:db8::20');
    const inLinkLocal = podLinkLocal(topology, 'x/in');
    expect(outVeth).toMatch(/^vp\d+$/);
    const wrong: string[] = [];
    for (const allowNodeLocalIngress of [true, false]) {
      const p = program(allowNodeLocalIngress);
      for (const closed of [false, true]) {
        const label = `allowNodeLocalIngress ${allowNodeLocalIngress}, ${closed ? 'with' : 'without'} --pod-interface`;
        loadRulesets(topology, compile(p, closed ? { 'pod-interface': ['vp*'] } : {}).texts);

        // Neighbour discovery from scratch: the harness's permanent entries go, so the pod must
        // solicit its gateway fe80::1, from its link-local address, through the closed path.
        topology.run(outNs, ['ip', '-6', 'neigh', 'del', 'fe80::1', 'dev', 'eth0']);
        topology.run(nodeNs, ['ip', '-6', 'neigh', 'del', '2001:db8::10', 'dev', outVeth]);
        const [linkLocal] = connect(nodeNs, outNs, [8080], [{ to: 'fe80::1', port: 8080, dev: 'eth0' }]);
        expect(reached(linkLocal!), `${label}: x/out -> [fe80::1%eth0]:8080 on the node: ${linkLocal}`).toBe(!closed);
        expect(neighbour(topology, outNs, 'fe80::1', 'eth0'), `${label}: x/out resolved its gateway`).toMatch(/^(REACHABLE|STALE|DELAY|PROBE)$/);

        // The egress policy decides the global path, with or without the option: 8080 allowed,
        // 8081 denied; the node resolves the pod's global address again for the answer.
        const global = connect(nodeNs, outNs, [8080, 8081], [{ to: nodeGlobal6, port: 8080 }, { to: nodeGlobal6, port: 8081 }]);
        expect(global.map(reached), `${label}: x/out -> [${nodeGlobal6}]:8080, :8081: ${global.join(', ')}`).toEqual([true, false]);
        expect(neighbour(topology, nodeNs, '2001:db8::10', outVeth)).toMatch(/^(REACHABLE|STALE|DELAY|PROBE)$/);

        // The mirror: the node to the ingress-isolated x/in by its link-local address. Checked
        // only when node-local ingress is (otherwise the node may reach every pod anyway).
        const [mirror] = connect(inNs, nodeNs, [8080], [{ to: inLinkLocal, port: 8080, dev: inVeth }]);
        expect(reached(mirror!), `${label}: node -> [${inLinkLocal}%${inVeth}]:8080 on x/in: ${mirror}`).toBe(allowNodeLocalIngress || !closed);

        // Every pod and node address pair still gets what the reference evaluator says.
        const judged = judgedProbes(p, topology.spec, [{ protocol: 'TCP', port: 8080 }, { protocol: 'UDP', port: 53 }]);
        wrong.push(...disagreements(judged, topology.probe(judged.map((j) => j.probe), { timeoutMs: 600 })).map((d) => `${label}: ${d}`));
      }
    }
    expect(wrong).toEqual([]);
  } finally {
    topology.destroy();
  }
}, kernelTestTimeout);
