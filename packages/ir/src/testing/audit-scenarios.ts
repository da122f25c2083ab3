// Corner-case scenarios for the audit kernel tests (kernel-audit.test.ts): inputs that neither the
// corpus nor the shared arbitraries (packages/ir/src/testing/arbitraries.ts) produce, or only
// rarely. Shared by the kernel-audit tests of backend-iptables and backend-nftables.
import fc from 'fast-check';
import type { SemanticsOptions } from '../model/options.js';
import type { Protocol } from '../model/policy.js';
import { namespace, networkPolicy, node, pod, type Manifest } from './builders.js';

/** One port to probe. */
export interface PortProbe {
  readonly protocol: Protocol;
  readonly port: number;
}

/**
 * Two dual-stack nodes; dual-stack, IPv6-only and IPv4-only pods on both; a hostNetwork pod on
 * node-2 whose labels a selector would match (it must not: its traffic is node traffic).
 * Named ports: `web` is TCP 8080 on x/srv1 and TCP 9090 on x/srv2; `svc` is TCP 7071 on x/srv1
 * and UDP 7070 on x/srv2 (one name, two protocols, two numbers); x/v6a (IPv6 only) has `web` on
 * TCP 8181 and x/v4 (IPv4 only) `svc` on UDP 7072.
 * `clientRole` is y/client2's `role` label (the label-change test flips it).
 */
export function auditInventory(clientRole = 'other'): Manifest[] {
  return [
    node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
    node('node-2', ['198.19.0.2', '2001:db8:ff::2']),
    namespace('x'),
    namespace('y'),
    pod('x', 'srv1', { app: 'srv' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1', ports: [['web', 8080, 'TCP'], ['svc', 7071, 'TCP']] }),
    pod('x', 'srv2', { app: 'srv' }, ['198.18.1.10', '2001:db8::1:10'], { node: 'node-2', ports: [['web', 9090, 'TCP'], ['svc', 7070, 'UDP']] }),
    pod('x', 'v6a', { app: 'v6' }, '2001:db8::20', { node: 'node-1', ports: [['web', 8181, 'TCP']] }),
    pod('x', 'v6b', { app: 'v6' }, '2001:db8::1:20', { node: 'node-2' }),
    pod('x', 'v4', { app: 'v4' }, '198.18.1.30', { node: 'node-2', ports: [['svc', 7072, 'UDP']] }),
    pod('y', 'client', { role: 'client' }, ['198.18.0.40', '2001:db8::40'], { node: 'node-1' }),
    pod('y', 'client2', { role: clientRole }, ['198.18.1.40', '2001:db8::1:40'], { node: 'node-2' }),
    pod('y', 'hostagent', { role: 'client' }, ['198.19.0.2', '2001:db8:ff::2'], { node: 'node-2', hostNetwork: true }),
  ];
}

/** More than 15 multiport ports (ranges count two), ranges ending at 65535, TCP, UDP and SCTP in one rule. */
export const manyPortsPolicy: Manifest = networkPolicy('x', 'many-ports', {
  podSelector: { matchLabels: { app: 'srv' } },
  ingress: [
    {
      from: [{ namespaceSelector: {} }],
      ports: [
        ...[80, 82, 84, 86, 88, 90, 92, 94].map((port) => ({ port })),
        { port: 1000, endPort: 1010 },
        { port: 2000, endPort: 2001 },
        { port: 3000, endPort: 3005 },
        { port: 4000, endPort: 4003 },
        { port: 65000, endPort: 65535 },
        { protocol: 'UDP', port: 65535 },
        { protocol: 'UDP', port: 53 },
        { protocol: 'SCTP', port: 81 },
        { protocol: 'SCTP', port: 60000, endPort: 65535 },
      ],
    },
  ],
});

/** Ports around the edges of {@link manyPortsPolicy}. */
export const manyPortsProbes: readonly PortProbe[] = [
  ...[80, 81, 94, 95, 1000, 1010, 1011, 2001, 4003, 64999, 65000, 65535].map((port) => ({ protocol: 'TCP' as const, port })),
  ...[53, 65534, 65535].map((port) => ({ protocol: 'UDP' as const, port })),
  ...[81, 59999, 65535].map((port) => ({ protocol: 'SCTP' as const, port })),
];

/** Named ports per destination pod; one name on TCP and on UDP with different numbers. */
export const namedPortPolicies: Manifest[] = [
  networkPolicy('x', 'named-ingress', {
    podSelector: { matchLabels: { app: 'srv' } },
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'web' }, { port: 'svc' }, { protocol: 'UDP', port: 'svc' }] }],
  }),
  // Ingress named ports resolve on the subject, whatever the peer: an ipBlock peer is fine here.
  networkPolicy('x', 'named-ingress-ipblock', {
    podSelector: { matchLabels: { app: 'v6' } },
    ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/112' } }], ports: [{ port: 'web' }] }],
  }),
  networkPolicy('y', 'named-egress', {
    podSelector: { matchLabels: { role: 'client' } },
    policyTypes: ['Egress'],
    egress: [
      // Empty `to`: every pod exposing svc on TCP (x/srv1:7071 only; x/srv2's svc is UDP).
      { ports: [{ protocol: 'TCP', port: 'svc' }] },
      // A named port towards an ipBlock resolves on the pods inside the block only (semantics.md
      // §2.3, ir/unresolved-named-port): srv2's IPv4 address is inside, its IPv6 address is not.
      { to: [{ ipBlock: { cidr: '198.18.0.0/15' } }, { ipBlock: { cidr: '2001:db8::/112' } }], ports: [{ port: 'web' }] },
      { to: [{ podSelector: {}, namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'svc' }] },
    ],
  }),
];

export const namedPortProbes: readonly PortProbe[] = [
  { protocol: 'TCP', port: 8181 },
  { protocol: 'UDP', port: 7072 },
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 9090 },
  { protocol: 'TCP', port: 7071 },
  { protocol: 'TCP', port: 7070 },
  { protocol: 'UDP', port: 7070 },
  { protocol: 'UDP', port: 7071 },
];

/**
 * ipBlocks: /0 in both families, except inside another peer's cidr (not a deny), several
 * excepts, /32 and /128, IPv4-only blocks on dual-stack and IPv6-only pods, blocks around node
 * addresses (so around the hostNetwork pod too).
 */
export const ipBlockPolicies: Manifest[] = [
  networkPolicy('y', 'egress-blocks', {
    podSelector: { matchLabels: { role: 'client' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['198.18.1.0/24', '198.19.0.0/16', '198.18.0.10/32'] } }], ports: [{ port: 80 }] },
      { to: [{ ipBlock: { cidr: '198.18.1.10/32' } }, { ipBlock: { cidr: '198.18.0.0/24', except: ['198.18.0.0/28'] } }], ports: [{ port: 80 }, { protocol: 'UDP', port: 80 }] },
      { to: [{ ipBlock: { cidr: '::/0', except: ['2001:db8::1:0/112'] } }, { ipBlock: { cidr: '2001:db8::1:20/128' } }], ports: [{ port: 81 }] },
      // IPv4 only: must not open IPv6 on 443.
      { to: [{ ipBlock: { cidr: '198.16.0.0/12' } }], ports: [{ port: 443 }] },
      // Excepts that cover the whole cidr leave no address: the rule allows nothing (§2.6).
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/1', '128.0.0.0/1'] } }, { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8::/33', '2001:db8:8000::/33'] } }] },
    ],
  }),
  networkPolicy('x', 'v6-egress', {
    podSelector: { matchLabels: { app: 'v6' } },
    policyTypes: ['Egress'],
    // IPv6-only pods to node addresses (INPUT on their own node) and to pods, TCP 443 only.
    egress: [{ to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 443 }] }],
  }),
  networkPolicy('x', 'v6-ingress', {
    podSelector: { matchLabels: { app: 'v6' } },
    ingress: [
      // IPv4 only: opens nothing for IPv6-only pods.
      { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
      { from: [{ ipBlock: { cidr: '2001:db8::40/128' } }], ports: [{ port: 81 }] },
      // Node addresses: node-2 (and so its hostNetwork pod) reaches v6a on node-1 on 443 only.
      { from: [{ ipBlock: { cidr: '2001:db8:ff::2/128' } }], ports: [{ port: 443 }] },
    ],
  }),
  networkPolicy('x', 'v4-ingress', {
    podSelector: { matchLabels: { app: 'v4' } },
    ingress: [
      { from: [{ ipBlock: { cidr: '198.19.0.0/16' } }], ports: [{ port: 80 }] },
      { from: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.0.0/24', '198.18.1.0/25'] } }], ports: [{ port: 81 }] },
      { from: [{ ipBlock: { cidr: '198.18.0.40/32' } }], ports: [{ port: 81 }] },
    ],
  }),
];

export const ipBlockProbes: readonly PortProbe[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'UDP', port: 80 },
  { protocol: 'TCP', port: 81 },
  { protocol: 'TCP', port: 443 },
  { protocol: 'SCTP', port: 80 },
];

/** A selector peer that the hostNetwork pod's labels match: the node's traffic must not match it. */
export const labelPolicies: Manifest[] = [
  // Isolates y/client2 for ingress once it is labelled role=client.
  networkPolicy('y', 'clients-ingress', {
    podSelector: { matchLabels: { role: 'client' } },
    ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 81 }] }],
  }),
  networkPolicy('x', 'from-clients', {
    podSelector: { matchLabels: { app: 'srv' } },
    ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 80 }, { protocol: 'UDP', port: 80 }] }],
  }),
  networkPolicy('y', 'client-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'srv' } }, namespaceSelector: {} }], ports: [{ port: 80 }] }],
  }),
];

export const labelProbes: readonly PortProbe[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'UDP', port: 80 },
  { protocol: 'TCP', port: 81 },
];

/**
 * Many pods on one node: more than 16 local pods isolated per direction, so the iptables backend
 * dispatches through `-m iprange` sub-chains (src/dispatch.ts) that no other kernel test reaches.
 * Addresses sit on octet and group edges (x.x.x.0, .127, .128, .255; IPv6 all-zero and all-one
 * groups), and node-2's pods lie between node-1's, inside the ranges of node-1's sub-chains.
 * Groups by `g = i % 4`: g0 ingress from g1 on TCP 80; g1 egress to g2; g2 both, ingress from any
 * pod on UDP 81, egress to g0 on TCP 80; g3 not isolated.
 */
export function bigNodeObjects(): Manifest[] {
  const v4Tail = [1, 0, 127, 128, 255, 254, 2, 129];
  const v6Tail = ['1', '0:0:0:ffff', 'ffff:ffff:ffff:ffff', '1:0', '8000::', 'ffff', '7fff:ffff:ffff:fffe', '2'];
  const objects: Manifest[] = [node('node-1', ['198.19.0.1', '2001:db8:ff::1']), node('node-2', ['198.19.0.2', '2001:db8:ff::2']), namespace('x')];
  for (let i = 0; i < 40; i++) {
    const v6Group = ((i * 1637) % 0xfff0).toString(16);
    const v6 = v6Tail[i % 8]!.endsWith('::') ? `2001:db8:${v6Group}:${v6Tail[i % 8]}` : `2001:db8:${v6Group}::${v6Tail[i % 8]}`;
    objects.push(pod('x', `p${i}`, { g: String(i % 4) }, [`198.18.${i * 6}.${v4Tail[i % 8]}`, v6], { node: 'node-1' }));
  }
  const remote: [string, string][] = [['198.18.6.3', '2001:db8:665::3'], ['198.18.120.130', '2001:db8:7fea::4'], ['198.18.234.200', '2001:db8:f993::5'], ['198.19.128.1', '2001:db8:fffe::6']];
  remote.forEach(([v4, v6], i) => objects.push(pod('x', `r${i}`, { g: String(i % 4) }, [v4, v6], { node: 'node-2' })));
  const g = (n: number): Record<string, unknown> => ({ matchLabels: { g: String(n) } });
  objects.push(
    networkPolicy('x', 'g0', { podSelector: g(0), ingress: [{ from: [{ podSelector: g(1) }], ports: [{ port: 80 }] }] }),
    networkPolicy('x', 'g1', { podSelector: g(1), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: g(2) }] }] }),
    networkPolicy('x', 'g2', { podSelector: g(2), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: 81 }] }], egress: [{ to: [{ podSelector: g(0) }], ports: [{ port: 80 }] }] }),
  );
  return objects;
}

export const bigNodeProbes: readonly PortProbe[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'UDP', port: 81 },
];

const protocols = ['TCP', 'UDP', 'SCTP'] as const;
/** Named container ports: one name on several protocols and numbers, 65535 included. */
const auditNamedPorts: readonly (readonly [string, number, 'TCP' | 'UDP' | 'SCTP'])[] = [
  ['web', 80, 'TCP'], ['web', 8080, 'TCP'], ['web', 53, 'UDP'], ['dns', 53, 'UDP'], ['dns', 5353, 'TCP'], ['hi', 65535, 'TCP'], ['hi', 65535, 'SCTP'], ['s', 81, 'SCTP'],
];
const auditBlocks: readonly Record<string, unknown>[] = [
  { cidr: '0.0.0.0/0' }, { cidr: '0.0.0.0/0', except: ['198.18.1.0/24', '198.19.0.0/16'] }, { cidr: '::/0' }, { cidr: '::/0', except: ['2001:db8::/32'] },
  { cidr: '198.18.0.0/15', except: ['198.18.1.0/24', '198.18.0.10/32'] }, { cidr: '198.18.0.11/32' }, { cidr: '198.18.1.12/32' }, { cidr: '198.19.0.1/32' },
  { cidr: '2001:db8::/32', except: ['2001:db8::1:0/112'] }, { cidr: '2001:db8::1:a/128' }, { cidr: '2001:db8:ff::2/128' }, { cidr: '2001:db8::/96', except: ['2001:db8::b/128', '2001:db8::c/127'] },
];
const auditPortEntry = fc.oneof(
  fc.record({ protocol: fc.constantFrom(...protocols), port: fc.constantFrom(53, 80, 81, 8080, 5353, 65535) }),
  fc.constantFrom(1, 53, 80, 8000, 65000).chain((port) => fc.record({ protocol: fc.constantFrom(...protocols), port: fc.constant(port), endPort: fc.constantFrom(port, port + 1, 65535) })),
  fc.record({ protocol: fc.constantFrom(...protocols), port: fc.constantFrom('web', 'dns', 'hi', 's') }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom(...protocols) }),
);
const auditSelector = fc.constantFrom<Record<string, unknown>>({}, { matchLabels: { app: 'a' } }, { matchLabels: { app: 'b' } }, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] });
const auditPeer = fc.oneof(
  auditSelector.map((podSelector) => ({ podSelector })),
  fc.record({ namespaceSelector: fc.constantFrom<Record<string, unknown>>({}, { matchLabels: { team: 't' } }), podSelector: auditSelector }),
  fc.constantFrom(...auditBlocks).map((ipBlock) => ({ ipBlock })),
);
const auditRule = (key: 'from' | 'to') => fc.record({ [key]: fc.array(auditPeer, { maxLength: 3 }), ports: fc.oneof(fc.array(auditPortEntry, { maxLength: 3 }), fc.array(auditPortEntry, { minLength: 14, maxLength: 20 })) });

/**
 * Random scenarios over the pools the shared arbitraries leave out: IPv6-only and IPv4-only pods
 * next to dual-stack ones, hostNetwork pods with selector labels, named ports on several
 * protocols and numbers, up to 20 port entries per rule (past the multiport limit), ranges ending
 * at 65535, /32, /128, node-address and catch-all ipBlocks with excepts.
 */
export const auditScenarioArb: fc.Arbitrary<Manifest[]> = fc
  .record({
    pods: fc.array(fc.record({ family: fc.constantFrom('4', '6', '46', '46'), node: fc.constantFrom(1, 2), ns: fc.constantFrom('x', 'y'), app: fc.constantFrom('a', 'b'), ports: fc.subarray([...auditNamedPorts], { maxLength: 3 }) }), { minLength: 3, maxLength: 6 }),
    host: fc.option(fc.record({ node: fc.constantFrom(1, 2), app: fc.constantFrom('a', 'b') })),
    policies: fc.array(fc.record({ ns: fc.constantFrom('x', 'y'), podSelector: auditSelector, types: fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']), ingress: fc.array(auditRule('from'), { maxLength: 2 }), egress: fc.array(auditRule('to'), { maxLength: 2 }) }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ pods, host, policies }) => {
    const out: Manifest[] = [node('node-1', ['198.19.0.1', '2001:db8:ff::1']), node('node-2', ['198.19.0.2', '2001:db8:ff::2']), namespace('x', { team: 't' }), namespace('y')];
    pods.forEach((p, i) => {
      const seen = new Set<string>();
      const ports = p.ports.filter(([n]) => !seen.has(n) && (seen.add(n), true));
      const ips = [...(p.family.includes('4') ? [`198.18.${p.node - 1}.${10 + i}`] : []), ...(p.family.includes('6') ? [`2001:db8::${p.node - 1}:${(10 + i).toString(16)}`] : [])];
      out.push(pod(p.ns, `p${i}`, { app: p.app }, ips, { node: `node-${p.node}`, ports }));
    });
    if (host) out.push(pod('x', 'host', { app: host.app }, [`198.19.0.${host.node}`, `2001:db8:ff::${host.node}`], { node: `node-${host.node}`, hostNetwork: true, ports: [['web', 80, 'TCP']] }));
    policies.forEach((p, i) => out.push(networkPolicy(p.ns, `np${i}`, { podSelector: p.podSelector, policyTypes: p.types, ingress: p.ingress, egress: p.egress })));
    return out;
  });

export const auditScenarioProbes: readonly PortProbe[] = [
  ...[53, 80, 81, 8080, 65535].map((port) => ({ protocol: 'TCP' as const, port })),
  ...[53, 5353, 80].map((port) => ({ protocol: 'UDP' as const, port })),
  ...[81, 65535].map((port) => ({ protocol: 'SCTP' as const, port })),
];

/** One scenario the firewall backends' kernel-audit tests load and probe. */
export interface AuditCase {
  readonly name: string;
  readonly objects: readonly Manifest[];
  readonly semantics?: Partial<SemanticsOptions>;
  readonly probes: readonly PortProbe[];
}

/** The fixed scenarios (packages/ir/test/audit-scenarios.test.ts pins the evaluator on them). */
export function auditCases(): AuditCase[] {
  return [
    { name: 'more than 15 ports, ranges ending at 65535, TCP, UDP and SCTP in one rule', objects: [...auditInventory(), manyPortsPolicy], probes: manyPortsProbes },
    { name: 'named ports: per destination pod, one name on TCP and UDP, with an ipBlock, with empty to', objects: [...auditInventory(), ...namedPortPolicies], probes: namedPortProbes },
    { name: 'ipBlocks: /0 both families, except is not a deny, /32 and /128, IPv4 blocks on IPv6, node addresses', objects: [...auditInventory(), ...ipBlockPolicies], probes: ipBlockProbes },
    { name: 'the same ipBlocks with ipBlockMatchesPods=false', objects: [...auditInventory(), ...ipBlockPolicies], semantics: { ipBlockMatchesPods: false }, probes: ipBlockProbes },
    { name: 'the same ipBlocks with ipBlockMatchesNodes=false', objects: [...auditInventory(), ...ipBlockPolicies], semantics: { ipBlockMatchesNodes: false }, probes: ipBlockProbes },
    { name: 'a hostNetwork pod whose labels a selector matches is node traffic', objects: [...auditInventory(), ...labelPolicies], probes: labelProbes },
  ];
}

/**
 * The operator kernel tests' cluster (kernel-ops.test.ts of both firewall backends): node-1 holds
 * x/a (ingress only from x/b on TCP 80) and x/b, node-2 holds x/c (egress only to x/a on TCP 80).
 * Dual-stack pods and nodes; with `policies` false, the same inventory with no policy at all.
 */
export function opsObjects(policies = true): Manifest[] {
  const objects: Manifest[] = [
    node('node-1', ['198.19.0.1', '2001:db8:ff::1']),
    node('node-2', ['198.19.0.2', '2001:db8:ff::2']),
    namespace('x'),
    pod('x', 'a', { app: 'a' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1' }),
    pod('x', 'b', { app: 'b' }, ['198.18.0.20', '2001:db8::20'], { node: 'node-1' }),
    pod('x', 'c', { app: 'c' }, ['198.18.1.30', '2001:db8::1:30'], { node: 'node-2' }),
  ];
  if (policies) {
    objects.push(
      networkPolicy('x', 'a', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ protocol: 'TCP', port: 80 }] }] }),
      networkPolicy('x', 'c', { podSelector: { matchLabels: { app: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ protocol: 'TCP', port: 80 }] }] }),
    );
  }
  return objects;
}
