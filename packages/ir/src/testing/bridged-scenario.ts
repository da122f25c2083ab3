// Scenarios for the host firewalls' kernel tests on a bridged pod network (the netns harness's
// `layout: 'bridged'`: a node's pods on one bridge, reaching each other at layer 2, which
// br_netfilter hands to FORWARD). Several pods share each node, so most pairs are bridged.
import type { Manifest } from './builders.js';
import { namespace, networkPolicy, node, pod } from './builders.js';
import type { UpstreamScenario } from './upstream-more.js';
import { upstreamScenarios } from './upstream-cases.js';

/** The nodes of {@link bridgedModel}, (IPv4, IPv6). */
export const bridgedNodes = { 'node-1': ['198.19.0.1', '2001:db8:ff::1'], 'node-2': ['198.19.0.2', '2001:db8:ff::2'] } as const;

// Five pods on node-1, four on node-2: 20 + 12 ordered pairs of one node per family.
const placement: Record<string, keyof typeof bridgedNodes> = {
  'x/a': 'node-1', 'x/b': 'node-1', 'y/a': 'node-1', 'y/b': 'node-1', 'z/a': 'node-1',
  'x/c': 'node-2', 'y/c': 'node-2', 'z/b': 'node-2', 'z/c': 'node-2',
};

/**
 * The upstream x/y/z x a/b/c model (same names, labels, named ports and IPv4 addresses as
 * upstreamModel, so the upstream states apply unchanged), dual stack (`2001:db8::<i>:<j+10>`),
 * on two nodes.
 */
export function bridgedModel(labels: Record<string, Record<string, string>> = {}): Manifest[] {
  const ports: [string, number, 'TCP' | 'UDP' | 'SCTP'][] = [];
  for (const p of [80, 81]) for (const proto of ['TCP', 'UDP', 'SCTP'] as const) ports.push([`serve-${p}-${proto.toLowerCase()}`, p, proto]);
  const out: Manifest[] = Object.entries(bridgedNodes).map(([name, ips]) => node(name, [...ips]));
  ['x', 'y', 'z'].forEach((ns, i) => {
    out.push(namespace(ns, labels[ns] ?? { ns }));
    ['a', 'b', 'c'].forEach((p, j) => {
      const ips = [`198.18.${i}.${j + 10}`, `2001:db8::${i}:${j + 10}`];
      out.push(pod(ns, p, labels[`${ns}/${p}`] ?? { pod: p }, ips, { node: placement[`${ns}/${p}`]!, ports }));
    });
  });
  return out;
}

const ns = (name: string) => ({ namespaceSelector: { matchLabels: { ns: name } } });

/**
 * Every namespace denied both ways, then allows across namespaces: every pod is isolated for
 * ingress and egress, and pairs of one node are allowed on some ports and refused on others.
 */
const everyNamespaceIsolated: UpstreamScenario = {
  policies: [
    ...['x', 'y', 'z'].map((n) => networkPolicy(n, 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })),
    networkPolicy('x', 'allow', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [ns('y')], ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'SCTP', port: 80 }] }], egress: [{ to: [ns('y')] }] }),
    networkPolicy('y', 'allow', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [ns('x')] }],
      egress: [{ to: [{ ...ns('z'), podSelector: { matchLabels: { pod: 'a' } } }], ports: [{ protocol: 'UDP', port: 81 }] }, { to: [ns('x')], ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'SCTP', port: 80 }] }],
    }),
    networkPolicy('z', 'allow', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{ from: [ns('y')], ports: [{ protocol: 'UDP', port: 81 }] }] }),
  ],
};

/**
 * The states the bridged kernel tests probe: deny-all plus allows, and upstream states chosen
 * for pairs of one node (x/a with x/b, x with y on node-1) on every protocol, both directions.
 */
export function bridgedStates(): [string, UpstreamScenario][] {
  const upstream = ['default-deny-all', 'deny egress', 'ingress and egress', 'namespace selector', 'client egress vs server ingress', 'SCTP', 'UDP only', 'stacked policies', 'egress to a CIDR'] as const;
  return [['every namespace isolated, allows across namespaces', everyNamespaceIsolated], ...upstream.map((name) => [`upstream: ${name}`, upstreamScenarios[name]] as [string, UpstreamScenario])];
}

/** The forging scenario's pods, (IPv4, IPv6), and their nodes. */
export const bridgedSpoofingPods = {
  'x/attacker': { node: 'node-1', ips: ['198.18.0.10', '2001:db8::10'] },
  'y/friend': { node: 'node-1', ips: ['198.18.0.20', '2001:db8::20'] },
  'z/victim': { node: 'node-1', ips: ['198.18.0.30', '2001:db8::30'] },
  'y/closed': { node: 'node-1', ips: ['198.18.0.40', '2001:db8::40'] },
  'y/remote': { node: 'node-2', ips: ['198.18.1.20', '2001:db8::1:20'] },
  'z/far': { node: 'node-2', ips: ['198.18.1.30', '2001:db8::1:30'] },
} as const;
export const bridgedSpoofingPort = 9099;

type SpoofPod = keyof typeof bridgedSpoofingPods;

/** x/attacker may send nothing; z's pods hear y/friend and y/remote only (UDP); y/closed hears no one. */
export function bridgedSpoofingObjects(): Manifest[] {
  return [
    ...Object.entries(bridgedNodes).map(([name, ips]) => node(name, [...ips])),
    ...['x', 'y', 'z'].map((n) => namespace(n)),
    ...Object.entries(bridgedSpoofingPods).map(([id, { node: on, ips }]) => {
      const [n, name] = id.split('/') as [string, string];
      return pod(n, name, { app: name }, [...ips], { node: on });
    }),
    networkPolicy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    networkPolicy('z', 'friends-only', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['friend', 'remote'] }] } }], ports: [{ protocol: 'UDP', port: bridgedSpoofingPort }] }],
    }),
    networkPolicy('y', 'closed', { podSelector: { matchLabels: { app: 'closed' } }, policyTypes: ['Ingress'] }),
  ];
}

/** A forged (or legitimate) datagram; `bridged`: written straight to the destination pod's MAC (same node). */
export interface BridgedSpoofingDatagram {
  readonly from: string;
  readonly src: string;
  readonly dst: string;
  readonly port: number;
  readonly to: string;
  readonly bridged: boolean;
  readonly marker: string;
}

/**
 * Each in both families (markers `v4-…`, `v6-…`): the legitimate datagrams of y/friend, over the
 * bridge to z/victim and routed to z/far; x/attacker claiming y/friend, a pod of its own node
 * (`as-neighbour-…`), y/remote, a pod of the other node (`as-remote-…`), node-1 (towards
 * y/closed) and z/victim itself on both sides, over the bridge (`…-bridged`) and routed through
 * its node (`…-routed`).
 */
export function bridgedSpoofingDatagrams(): BridgedSpoofingDatagram[] {
  return ([0, 1] as const).flatMap((family) => {
    const a = (id: SpoofPod): string => bridgedSpoofingPods[id].ips[family];
    const cases: [string, SpoofPod, string, SpoofPod, boolean][] = [
      ['legit-bridged', 'y/friend', a('y/friend'), 'z/victim', true],
      ['legit-routed', 'y/friend', a('y/friend'), 'z/far', false],
      ['as-neighbour-bridged', 'x/attacker', a('y/friend'), 'z/victim', true],
      ['as-neighbour-routed', 'x/attacker', a('y/friend'), 'z/far', false],
      ['as-remote-bridged', 'x/attacker', a('y/remote'), 'z/victim', true],
      ['as-remote-routed', 'x/attacker', a('y/remote'), 'z/far', false],
      ['as-node-bridged', 'x/attacker', bridgedNodes['node-1'][family], 'y/closed', true],
      ['as-victim-bridged', 'x/attacker', a('z/victim'), 'z/victim', true],
    ];
    return cases.map(([kind, from, src, to, bridged]) => ({ from, src, dst: a(to), port: bridgedSpoofingPort, to, bridged, marker: `v${family === 0 ? 4 : 6}-${kind}` }));
  });
}

/**
 * Datagrams to node-1's own addresses, each in both families: x/attacker's own (its egress
 * policy refuses it: `own-to-node`), and x/attacker claiming y/friend, a pod of its node
 * (`as-neighbour-to-node`), and y/remote, a pod of the other node (`as-remote-to-node`).
 */
export function bridgedSpoofingNodeDatagrams(): Omit<BridgedSpoofingDatagram, 'to' | 'bridged'>[] {
  return ([0, 1] as const).flatMap((family) => {
    const a = (id: SpoofPod): string => bridgedSpoofingPods[id].ips[family];
    const cases: [string, string][] = [
      ['own-to-node', a('x/attacker')],
      ['as-neighbour-to-node', a('y/friend')],
      ['as-remote-to-node', a('y/remote')],
    ];
    return cases.map(([kind, src]) => ({ from: 'x/attacker', src, dst: bridgedNodes['node-1'][family], port: bridgedSpoofingPort, marker: `v${family === 0 ? 4 : 6}-${kind}` }));
  });
}

/** The rulesets the bridged spoofing tests load, by label: flags of the compile, or rp_filter=1 without the option. */
export type BridgedSpoofingRun = '{}' | '{"pod-interface":["cni0"]}' | '{"pod-interface":["vp*"]}' | '{} rp_filter=1';

/**
 * What each run lets arrive, the same for every backend: at the watched pods (markers of
 * {@link bridgedSpoofingDatagrams}) and at node-1 itself ({@link bridgedSpoofingNodeDatagrams}).
 * Without the option nothing checks sources (rp_filter 0 in the harness, and bridged frames never
 * meet the kernel's reverse path or martian checks), so every claim the policies admit arrives;
 * `--pod-interface cni0` leaves the legitimate datagrams and the documented limit (a pod claims
 * another pod of its own node); naming the bridge's ports (`vp*`) guards nothing; rp_filter=1
 * alone stops the routed IPv4 claims of the other node's pods only. The attacker's own datagram to
 * the node never arrives (its egress policy).
 */
export function bridgedSpoofingArrivals(): Record<BridgedSpoofingRun, { readonly pods: string[]; readonly node: string[] }> {
  const both = (kinds: readonly string[]): string[] => kinds.flatMap((k) => [`v4-${k}`, `v6-${k}`]).sort();
  const legit = ['legit-bridged', 'legit-routed'];
  const documentedLimit = ['as-neighbour-bridged', 'as-neighbour-routed'];
  const open = both([...legit, ...documentedLimit, 'as-remote-bridged', 'as-remote-routed', 'as-node-bridged']);
  const nodeOpen = both(['as-neighbour-to-node', 'as-remote-to-node']);
  return {
    '{}': { pods: open, node: nodeOpen },
    '{"pod-interface":["cni0"]}': { pods: both([...legit, ...documentedLimit]), node: both(['as-neighbour-to-node']) },
    '{"pod-interface":["vp*"]}': { pods: open, node: nodeOpen },
    '{} rp_filter=1': { pods: open.filter((m) => m !== 'v4-as-remote-routed'), node: nodeOpen.filter((m) => m !== 'v4-as-remote-to-node') },
  };
}
