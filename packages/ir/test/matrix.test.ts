// The truth table is decided set by set (query/fast-matrix.ts); each cell must be what the
// cell-by-cell decision (podAllowed, itself checked against the reference evaluator) says.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { allowedPorts, allowedPortsMatrix, podAllowed, portSetKey, reachabilityMatrix, resolve, selectPodsOf, type Family, type Program, type ResolvedProgram } from '../src/index.js';
import { clusterArb, loadValid, namespace, networkPolicy, node, pod, policiesArb, portPool, propertyParams } from '../src/testing/index.js';

const params = propertyParams(80);
// ICMP: echo requests (port 0), with and without the icmp-essentials profile.
const protocols = ['TCP', 'UDP', 'SCTP', 'ICMP'] as const;

function withSemantics(r: ResolvedProgram, allowSelf: boolean, allowNodeLocalIngress: boolean, allowIcmpEssentials = false): ResolvedProgram {
  return { ...r, program: { ...r.program, semantics: { ...r.program.semantics, allowSelf, allowNodeLocalIngress, allowIcmpEssentials } } };
}

function expectPortsCellByCell(r: ResolvedProgram, namespaces: readonly string[], family?: Family): void {
  const pods = selectPodsOf(r, namespaces);
  const m = allowedPortsMatrix(r, pods, family);
  pods.forEach((s, i) => pods.forEach((d, j) => expect(portSetKey(m[i]![j]!), `${s} -> ${d}`).toBe(portSetKey(allowedPorts(r, s, d, family)))));
}

function expectCellByCell(r: ResolvedProgram, protocol: (typeof protocols)[number], port: number, namespaces: readonly string[], ignoreSelf: boolean, family?: Family): void {
  const m = reachabilityMatrix(r, { protocol, port, namespaces, ignoreSelf, ...(family ? { family } : {}) });
  expect(m.pods).toEqual(selectPodsOf(r, namespaces));
  m.pods.forEach((s, i) => m.pods.forEach((d, j) => expect(m.allowed[i]![j], `${s} -> ${d}`).toBe(podAllowed(r, s, d, protocol, port, ignoreSelf, family))));
}

it('decides every cell, and every pair\'s ports, as the cell-by-cell decisions do (random clusters, ports, namespaces, self rules)', () => {
  fc.assert(
    fc.property(
      clusterArb({ maxPods: 8 }),
      policiesArb(),
      fc.constantFrom(...protocols),
      fc.constantFrom(...portPool),
      fc.subarray(['ns-a', 'ns-b', 'ns-c']),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom<Family | undefined>(undefined, 4, 6),
      fc.boolean(),
      (cluster, policies, protocol, port, namespaces, ignoreSelf, allowSelf, nodeLocal, family, icmpEssentials) => {
        const program: Program = loadValid([...cluster.manifests, ...policies]).program;
        const r = withSemantics(resolve(program), allowSelf, nodeLocal, icmpEssentials);
        expectCellByCell(r, protocol, protocol === 'ICMP' ? 0 : port, namespaces, ignoreSelf, family);
        expectPortsCellByCell(r, namespaces, family);
      },
    ),
    params,
  );
});

it('decides IPv6-only pods, dual-stack pods and a pod whose address is its node address', () => {
  const program = loadValid([
    node('n1', ['198.19.0.1', '2001:db8:ff::1']),
    namespace('x', { team: 'a' }),
    pod('x', 'v4', { app: 'a' }, '198.18.0.10', { node: 'n1' }),
    pod('x', 'v6', { app: 'b' }, '2001:db8::10', { node: 'n1' }),
    pod('x', 'dual', { app: 'c' }, ['198.18.0.11', '2001:db8::11'], { node: 'n1' }),
    // Not hostNetwork, yet on the node's address: node-local ingress applies to its connections.
    pod('x', 'on-node', { app: 'd' }, '198.19.0.1', { node: 'n1' }),
    networkPolicy('x', 'deny-c', { podSelector: { matchLabels: { app: 'c' } }, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('x', 'b-from-c', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }], ports: [{ port: 80 }] }] }),
  ]).program;
  const r = resolve(program);
  for (const [allowSelf, nodeLocal] of [[true, true], [false, false], [true, false], [false, true]] as const) {
    for (const family of [undefined, 4, 6] as const) {
      for (const ignoreSelf of [false, true]) expectCellByCell(withSemantics(r, allowSelf, nodeLocal), 'TCP', 80, [], ignoreSelf, family);
      expectPortsCellByCell(withSemantics(r, allowSelf, nodeLocal), [], family);
    }
  }
  // Spot checks by hand: v4 and v6-only pods share no family; dual reaches nothing (egress isolated).
  const m = reachabilityMatrix(r, { protocol: 'TCP', port: 80 });
  const at = (a: string, b: string): boolean => m.allowed[m.pods.findIndex((p) => r.pods[p]!.name === a)]![m.pods.findIndex((p) => r.pods[p]!.name === b)]!;
  expect(at('v4', 'v6')).toBe(false);
  expect(at('v6', 'dual')).toBe(false);
  expect(at('dual', 'v6')).toBe(false);
  expect(at('v4', 'dual')).toBe(false);
  expect(at('on-node', 'dual')).toBe(true);
  expect(at('dual', 'dual')).toBe(true);
});

it('shows the IPv6 connection between dual-stack pods with family 6, where an IPv6-only ipBlock decides', () => {
  const program = loadValid([
    namespace('x'),
    pod('x', 'a', { app: 'a' }, ['198.18.0.1', '2001:db8::1']),
    pod('x', 'b', { app: 'b' }, ['198.18.0.2', '2001:db8::2']),
    pod('x', 'v4', { app: 'c' }, '198.18.0.3'),
    networkPolicy('x', 'b-from-v6', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/64' } }] }] }),
  ]).program;
  const r = resolve(program);
  const cell = (family: Family | undefined, a: string, b: string): boolean => {
    const m = reachabilityMatrix(r, { protocol: 'TCP', port: 80, ...(family ? { family } : {}) });
    return m.allowed[m.pods.findIndex((p) => r.pods[p]!.name === a)]![m.pods.findIndex((p) => r.pods[p]!.name === b)]!;
  };
  expect(cell(undefined, 'a', 'b')).toBe(false);
  expect(cell(4, 'a', 'b')).toBe(false);
  expect(cell(6, 'a', 'b')).toBe(true);
  // A pod without IPv6 takes no part in the IPv6 table, itself included.
  expect(cell(6, 'v4', 'v4')).toBe(false);
  expect(cell(4, 'v4', 'v4')).toBe(true);
});
