import type { CheckedNode, CheckedPod, CheckedSpec } from './spec.js';

/**
 * The commands that build a topology, computed without touching the kernel (so they are unit
 * tested anywhere). Layout, Calico-style routed (https://docs.tigera.io/calico/latest/reference/
 * architecture/design/l2-interconnect-fabric and the Calico CNI's 169.254.1.1 default gateway):
 *
 *   pod netns  eth0 = pod/32 (/128), default via 169.254.1.1 (fe80::1) on link
 *        |     veth pair
 *   node netns vp<j> = 169.254.1.1/32 + fe80::1/64, route pod/32 dev vp<j>; fab0 = node address
 *        |     veth pair
 *   fabric netns  br0 bridging vn<i> for every node
 *
 * Bridged (`layout: 'bridged'`, the bridge plugin's and flannel's cni0): the node-side veths
 * vp<j> are ports of a bridge cni0 that carries the gateway addresses; each pod also has an
 * on-link host route to every other pod of its node, so that traffic is bridged (and, with
 * br_netfilter, crosses the node's FORWARD hook with cni0 as input and output interface).
 * Pods resolve each other by ARP and neighbour discovery: no static entries between them, so
 * IPv6 neighbour discovery really crosses the node's rules.
 */
export interface TopologyPlan {
  readonly fabricNamespace: string;
  readonly nodeNamespaces: ReadonlyMap<string, string>;
  readonly podNamespaces: ReadonlyMap<string, string>;
  /** Every namespace, fabric first. */
  readonly namespaces: readonly string[];
  /** `ip -batch` lines run in the root namespace: only `netns add` and `link add … netns`. */
  readonly rootBatch: readonly string[];
  /** sysctls per namespace (every namespace, fabric first), for probe/setup.py. */
  readonly sysctls: readonly { readonly ns: string; readonly set: readonly (readonly [string, string])[] }[];
  /** `ip -n <ns> -batch` lines per namespace. */
  readonly namespaceBatches: ReadonlyMap<string, readonly string[]>;
}

/** Gateway the pods route through (Calico uses the same link-local address). */
export const podGatewayV4 = '169.254.1.1';
/** IPv6 gateway of the pods. */
export const podGatewayV6 = 'fe80::1';

/** Locally administered, unique per role and index: `02:00:<role>:00:<hi>:<lo>`. */
function mac(role: number, index: number): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `02:00:${hex(role)}:00:${hex(index >> 8)}:${hex(index & 0xff)}`;
}
const macNodeFabric = (node: CheckedNode): string => mac(1, node.index);
const macFabricPort = (node: CheckedNode): string => mac(2, node.index);
const macPodEth0 = (pod: CheckedPod): string => mac(3, pod.index);
const macNodePodSide = (pod: CheckedPod): string => mac(4, pod.index);
const macNodeBridge = (node: CheckedNode): string => mac(5, node.index);

/** The bridge holding a node's pod veths in the bridged layout. */
export const podBridge = 'cni0';

/** Link-local address of a node on the fabric: the next hop for IPv6 routes between nodes. */
export function nodeFabricLinkLocal(node: CheckedNode): string {
  return `fe80::a:${(node.index + 1).toString(16)}`;
}

/** Name of the node-side veth of a pod inside its node's namespace. */
export function podVethName(pod: CheckedPod): string {
  return `vp${pod.index}`;
}

const common: readonly (readonly [string, string])[] = [
  // Addresses must be usable at once: duplicate address detection would hold every IPv6
  // address "tentative" for about a second. Interface-level values are copied from `default`
  // only for interfaces created later, so set every existing interface too.
  ['net/ipv6/conf/*/accept_dad', '0'],
  // Reverse-path filtering would drop asymmetric test traffic; the kernel takes max(all, dev).
  ['net/ipv4/conf/*/rp_filter', '0'],
];

/**
 * REJECT answers with ICMP errors, which the kernel rate-limits per destination (1/s after a
 * small burst) and globally (1000/s, burst 50). A probe round sends hundreds of rejected first
 * packets at once: limited, most would time out instead of reading `refused` at once.
 */
const noIcmpRateLimit: readonly (readonly [string, string])[] = [
  ['net/ipv4/icmp_ratelimit', '0'],
  ['net/ipv6/icmp/ratelimit', '0'],
  ['net/ipv4/icmp_msgs_per_sec', '1000000'],
  ['net/ipv4/icmp_msgs_burst', '1000000'],
];

/**
 * Bridged traffic through the IP hooks, as kube-proxy requires. Not optional: a bridged
 * topology without br_netfilter would bypass the rules under test, so setup fails instead.
 * These sysctls are per network namespace (a fresh one starts at 1; set them all the same).
 */
const bridgeNetfilter: readonly (readonly [string, string])[] = [
  ['net/bridge/bridge-nf-call-iptables', '1'],
  ['net/bridge/bridge-nf-call-ip6tables', '1'],
];

/** Computes every command for a validated spec. */
export function planTopology(spec: CheckedSpec): TopologyPlan {
  const p = spec.prefix;
  const fabric = `${p}-fab`;
  const nodeNs = new Map(spec.nodes.map((node) => [node.name, `${p}-n${node.index}`]));
  const podNs = new Map(spec.pods.map((pod) => [pod.id, `${p}-p${pod.index}`]));
  const nsOfNode = (node: CheckedNode): string => nodeNs.get(node.name) ?? '';
  const nsOfPod = (pod: CheckedPod): string => podNs.get(pod.id) ?? '';
  const namespaces = [fabric, ...nodeNs.values(), ...podNs.values()];

  const rootBatch = namespaces.map((ns) => `netns add ${ns}`);
  rootBatch.push(`link add name br0 netns ${fabric} type bridge`);
  for (const node of spec.nodes) {
    rootBatch.push(
      `link add name vn${node.index} netns ${fabric} address ${macFabricPort(node)} type veth ` +
        `peer name fab0 netns ${nsOfNode(node)} address ${macNodeFabric(node)}`,
    );
  }
  if (spec.layout === 'bridged') {
    for (const node of spec.nodes) rootBatch.push(`link add name ${podBridge} netns ${nsOfNode(node)} address ${macNodeBridge(node)} type bridge`);
  }
  for (const pod of spec.pods) {
    rootBatch.push(
      `link add name ${podVethName(pod)} netns ${nsOfNode(pod.node)} address ${macNodePodSide(pod)} type veth ` +
        `peer name eth0 netns ${nsOfPod(pod)} address ${macPodEth0(pod)}`,
    );
  }

  const sysctls = [
    // The fabric is a plain wire: keep br_netfilter from passing bridged frames through the
    // fabric namespace's (empty) netfilter hooks. Optional: only present with br_netfilter.
    {
      ns: fabric,
      set: [
        ...common,
        ['net/bridge/bridge-nf-call-iptables?', '0'],
        ['net/bridge/bridge-nf-call-ip6tables?', '0'],
        ['net/bridge/bridge-nf-call-arptables?', '0'],
      ] as const,
    },
    ...spec.nodes.map((node) => ({
      ns: nsOfNode(node),
      set: [
        ...common,
        ['net/ipv4/ip_forward', '1'],
        ['net/ipv6/conf/all/forwarding', '1'],
        ...noIcmpRateLimit,
        ...(spec.layout === 'bridged' ? bridgeNetfilter : []),
      ] as const,
    })),
    ...spec.pods.map((pod) => ({ ns: nsOfPod(pod), set: common })),
  ];

  const batches = new Map<string, string[]>();
  batches.set(fabric, [
    'link set dev lo up',
    'link set dev br0 up',
    ...spec.nodes.map((node) => `link set dev vn${node.index} master br0 up`),
  ]);
  const podsOf = new Map<CheckedNode, CheckedPod[]>(spec.nodes.map((node) => [node, []]));
  for (const pod of spec.pods) podsOf.get(pod.node)?.push(pod);
  const bridged = spec.layout === 'bridged';
  for (const node of spec.nodes) batches.set(nsOfNode(node), nodeBatch(node, spec.nodes, podsOf, bridged));
  for (const pod of spec.pods) batches.set(nsOfPod(pod), podBatch(pod, bridged ? (podsOf.get(pod.node) ?? []) : undefined));

  return {
    fabricNamespace: fabric,
    nodeNamespaces: nodeNs,
    podNamespaces: podNs,
    namespaces,
    rootBatch,
    sysctls,
    namespaceBatches: batches,
  };
}

// Neighbour entries are permanent: no ARP/NDP round trip delays the first probe packet, and a
// burst of hundreds of concurrent probes cannot overflow a neighbour's unresolved queue. (Only
// between the pods of a bridged node are they resolved: that is what the layout exists to test.)
function nodeBatch(
  node: CheckedNode,
  nodes: readonly CheckedNode[],
  podsOf: ReadonlyMap<CheckedNode, readonly CheckedPod[]>,
  bridged: boolean,
): string[] {
  const { v4, v6 } = node.addresses;
  const lines = ['link set dev lo up', 'link set dev fab0 up'];
  for (const address of node.all.v4) lines.push(`addr add ${address}/32 dev fab0`);
  for (const address of node.all.v6) lines.push(`addr add ${address}/128 dev fab0 nodad`);
  lines.push(`addr add ${nodeFabricLinkLocal(node)}/64 dev fab0 nodad`);
  if (bridged) {
    // The gateway addresses once, on the bridge: every pod's default route leads there.
    lines.push(
      `link set dev ${podBridge} up`,
      `addr add ${podGatewayV4}/32 dev ${podBridge} scope link`,
      `addr add ${podGatewayV6}/64 dev ${podBridge} nodad`,
    );
  }
  for (const pod of podsOf.get(node) ?? []) {
    const port = podVethName(pod);
    const dev = bridged ? podBridge : port;
    if (bridged) {
      lines.push(`link set dev ${port} master ${podBridge} up`);
    } else {
      lines.push(
        `link set dev ${port} up`,
        `addr add ${podGatewayV4}/32 dev ${port} scope link`,
        `addr add ${podGatewayV6}/64 dev ${port} nodad`,
      );
    }
    // `src` makes traffic the node itself originates towards a pod carry the node address,
    // not 169.254.1.1 (the primary address of the pod's veth).
    if (pod.addresses.v4 !== undefined) {
      lines.push(
        `neigh add ${pod.addresses.v4} lladdr ${macPodEth0(pod)} dev ${dev} nud permanent`,
        `route add ${pod.addresses.v4}/32 dev ${dev} scope link${v4 === undefined ? '' : ` src ${v4}`}`,
      );
    }
    if (pod.addresses.v6 !== undefined) {
      lines.push(
        `neigh add ${pod.addresses.v6} lladdr ${macPodEth0(pod)} dev ${dev} nud permanent`,
        `route add ${pod.addresses.v6}/128 dev ${dev}${v6 === undefined ? '' : ` src ${v6}`}`,
      );
    }
  }
  for (const other of nodes) {
    if (other === node) continue;
    const ll = nodeFabricLinkLocal(other);
    lines.push(`neigh add ${ll} lladdr ${macNodeFabric(other)} dev fab0 nud permanent`);
    const otherV4 = other.addresses.v4;
    for (const address of other.all.v4) {
      lines.push(
        `neigh add ${address} lladdr ${macNodeFabric(other)} dev fab0 nud permanent`,
        `route add ${address}/32 dev fab0 scope link`,
      );
    }
    for (const address of other.all.v6) lines.push(`route add ${address}/128 via ${ll} dev fab0`);
    for (const pod of podsOf.get(other) ?? []) {
      if (pod.addresses.v4 !== undefined && otherV4 !== undefined) {
        lines.push(`route add ${pod.addresses.v4}/32 via ${otherV4} dev fab0 onlink`);
      }
      if (pod.addresses.v6 !== undefined) lines.push(`route add ${pod.addresses.v6}/128 via ${ll} dev fab0`);
    }
  }
  return lines;
}

/** `neighbours`: in the bridged layout, the pods of the pod's node (itself included). */
function podBatch(pod: CheckedPod, neighbours: readonly CheckedPod[] | undefined): string[] {
  const { v4, v6 } = pod.addresses;
  const gatewayMac = neighbours === undefined ? macNodePodSide(pod) : macNodeBridge(pod.node);
  const lines = ['link set dev lo up', 'link set dev eth0 up'];
  if (v4 !== undefined) {
    lines.push(
      `addr add ${v4}/32 dev eth0`,
      `neigh add ${podGatewayV4} lladdr ${gatewayMac} dev eth0 nud permanent`,
      `route add ${podGatewayV4}/32 dev eth0 scope link`,
      `route add default via ${podGatewayV4} dev eth0`,
    );
  }
  if (v6 !== undefined) {
    lines.push(
      `addr add ${v6}/128 dev eth0 nodad`,
      `neigh add ${podGatewayV6} lladdr ${gatewayMac} dev eth0 nud permanent`,
      `route add ::/0 via ${podGatewayV6} dev eth0`,
    );
  }
  for (const other of neighbours ?? []) {
    if (other === pod) continue;
    if (v4 !== undefined && other.addresses.v4 !== undefined) lines.push(`route add ${other.addresses.v4}/32 dev eth0 scope link`);
    if (v6 !== undefined && other.addresses.v6 !== undefined) lines.push(`route add ${other.addresses.v6}/128 dev eth0`);
  }
  return lines;
}
