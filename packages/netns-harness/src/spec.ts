import { allowedRanges, canonicalAddress, isAllowedTestAddress } from './addresses.js';

/**
 * A node: a network namespace that routes for its pods. IPv4 and optionally IPv6 addresses; a
 * node may list several of one family (InternalIP and ExternalIP): the first of each family is
 * its primary address (route next hop, source of node probes), the others are extra addresses on
 * its fabric interface, reachable from every pod and node.
 */
export interface HostSpec {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** A pod: id `namespace/name`, the node it runs on, IPv4 and optionally IPv6 addresses. */
export interface PodSpec {
  readonly id: string;
  readonly node: string;
  readonly addresses: readonly string[];
}

/**
 * How a node connects its pods. `routed` (Calico-style): one routed veth per pod. `bridged`
 * (the bridge plugin, flannel, kubenet): the pods' veths are ports of a bridge `cni0`, pods of
 * one node reach each other at layer 2, and br_netfilter hands that bridged traffic to the IP
 * hooks (`bridge-nf-call-iptables`/`-ip6tables` = 1 in the node namespace).
 */
export type Layout = 'routed' | 'bridged';

/** What {@link createTopology} builds; `prefix` names every namespace (`${prefix}-…`). */
export interface TopologySpec {
  readonly prefix: string;
  readonly nodes: readonly HostSpec[];
  readonly pods: readonly PodSpec[];
  /** `routed` when absent. */
  readonly layout?: Layout;
}

/** One address per family at most. */
export interface AddressPair {
  readonly v4?: string;
  readonly v6?: string;
}

/** A node after validation: primary address per family, and every address in spec order. */
export interface CheckedNode {
  readonly name: string;
  readonly index: number;
  readonly addresses: AddressPair;
  readonly all: { readonly v4: readonly string[]; readonly v6: readonly string[] };
}

/** A pod after validation. */
export interface CheckedPod {
  readonly id: string;
  readonly index: number;
  readonly node: CheckedNode;
  readonly addresses: AddressPair;
}

/** A validated spec: canonical addresses, pods linked to their nodes. */
export interface CheckedSpec {
  readonly prefix: string;
  readonly layout: Layout;
  readonly nodes: readonly CheckedNode[];
  readonly pods: readonly CheckedPod[];
}

/**
 * Namespace and interface names derive from the prefix and short indexes, so the prefix is kept
 * short and plain: it is also the pattern {@link cleanupStale} deletes by.
 */
export const prefixPattern = /^[a-z0-9]{1,8}$/;

/** Throws unless `prefix` is 1–8 characters of [a-z0-9]. */
export function checkPrefix(prefix: string): void {
  if (!prefixPattern.test(prefix)) {
    throw new Error(`topology prefix '${prefix}' must be 1-8 characters of [a-z0-9]`);
  }
}

// Index limits keep interface names (≤ 15 bytes, IFNAMSIZ) and generated MACs unique.
const maxNodes = 250;
const maxPods = 60_000;

function checkAddresses(
  addresses: readonly string[],
  what: string,
  seen: Map<string, string>,
  onePerFamily: boolean,
): { v4: string[]; v6: string[] } {
  if (addresses.length === 0) throw new Error(`${what}: needs at least one address`);
  const out = { v4: [] as string[], v6: [] as string[] };
  for (const text of addresses) {
    const address = canonicalAddress(text, what);
    if (!isAllowedTestAddress(address)) {
      throw new Error(`${what}: address ${text} is outside the test ranges ${allowedRanges}`);
    }
    const list = address.family === 4 ? out.v4 : out.v6;
    // Kubernetes gives a pod at most one address per family (PodStatus.podIPs).
    if (onePerFamily && list.length > 0) throw new Error(`${what}: more than one IPv${address.family} address`);
    const owner = seen.get(address.text);
    if (owner !== undefined) throw new Error(`${what}: address ${text} is also used by ${owner}`);
    seen.set(address.text, what);
    list.push(address.text);
  }
  return out;
}

function primary(all: { v4: readonly string[]; v6: readonly string[] }): AddressPair {
  const [v4] = all.v4;
  const [v6] = all.v6;
  return { ...(v4 !== undefined && { v4 }), ...(v6 !== undefined && { v6 }) };
}

/** Validates a spec (throws on the first problem) and canonicalises its addresses. */
export function checkSpec(spec: TopologySpec): CheckedSpec {
  checkPrefix(spec.prefix);
  const layout = spec.layout ?? 'routed';
  if (layout !== 'routed' && layout !== 'bridged') throw new Error(`unknown layout '${String(layout)}'`);
  if (spec.nodes.length === 0) throw new Error('topology needs at least one node');
  if (spec.nodes.length > maxNodes) throw new Error(`topology has more than ${maxNodes} nodes`);
  if (spec.pods.length > maxPods) throw new Error(`topology has more than ${maxPods} pods`);
  const seen = new Map<string, string>();
  const nodes = new Map<string, CheckedNode>();
  spec.nodes.forEach((node, index) => {
    if (node.name === '') throw new Error('node name must not be empty');
    if (nodes.has(node.name)) throw new Error(`duplicate node '${node.name}'`);
    const all = checkAddresses(node.addresses, `node ${node.name}`, seen, false);
    nodes.set(node.name, { name: node.name, index, addresses: primary(all), all });
  });
  const podIds = new Set<string>();
  const pods = spec.pods.map((pod, index): CheckedPod => {
    if (pod.id === '') throw new Error('pod id must not be empty');
    if (podIds.has(pod.id)) throw new Error(`duplicate pod '${pod.id}'`);
    podIds.add(pod.id);
    const node = nodes.get(pod.node);
    if (node === undefined) throw new Error(`pod ${pod.id}: unknown node '${pod.node}'`);
    return { id: pod.id, index, node, addresses: primary(checkAddresses(pod.addresses, `pod ${pod.id}`, seen, true)) };
  });
  // IPv4 pod routes between nodes go via the other node's IPv4 address (IPv6 ones via a
  // link-local next hop the harness assigns), so with several nodes each needs an IPv4 address.
  if (nodes.size > 1 && pods.some((pod) => pod.addresses.v4 !== undefined)) {
    for (const node of nodes.values()) {
      if (node.addresses.v4 === undefined) {
        throw new Error(`node ${node.name}: needs an IPv4 address to route IPv4 pods between nodes`);
      }
    }
  }
  return { prefix: spec.prefix, layout, nodes: [...nodes.values()], pods };
}
