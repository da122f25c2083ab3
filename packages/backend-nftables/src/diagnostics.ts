import { defineDiagnostics, paramMessage, type CatalogEntry } from '@netpolc/ir';

/**
 * Every diagnostic the nftables backend reports, with its documentation. Codes are
 * `backend-nftables/<kebab-case>`.
 */
export const nftablesCatalog = {
  'backend-nftables/invalid-option': {
    severity: 'error',
    message: paramMessage`--${'flag'} ${'value'} is not valid: ${'expected'}`,
    docs: 'A command-line option of the nftables backend has a value it does not accept.',
  },
  'backend-nftables/log-rate-without-log': {
    severity: 'warning',
    message: paramMessage`--log-rate has no effect without --log`,
    docs: 'The rate limit applies to log statements only; nothing is logged unless --log is given.',
  },
  'backend-nftables/unknown-node': {
    severity: 'error',
    message: paramMessage`--node ${'node'} is neither a node of the inventory nor the node of any pod (${'known'})`,
    docs: 'Rulesets are written per node; the node must be declared in the inventory or named by a pod.',
  },
  'backend-nftables/stdout-needs-one-node': {
    severity: 'error',
    message: paramMessage`--out-dir - prints one node's ruleset, but ${'count'} nodes are selected (${'nodes'}); choose one with --node`,
    docs: 'Standard output holds exactly one file; select the node to print with --node.',
  },
  'backend-nftables/invalid-node-name': {
    severity: 'error',
    message: paramMessage`node name ${'node'} cannot be used as an output file name`,
    docs: 'Each node gets `<node>.nft`; the node name must be a DNS subdomain (as Kubernetes requires).',
  },
  'backend-nftables/file-name-too-long': {
    severity: 'error',
    message: paramMessage`node ${'node'} is too long a name for its .nft file: ${'bytes'} bytes with the suffix, where a file name has at most ${'max'}`,
    docs: 'Each node gets `<node>.nft`, and Linux file systems take names of at most 255 bytes; a node name may have 253 characters. Compile the other nodes with --node, or print this one with --out-dir -.',
  },
  'backend-nftables/pod-without-node': {
    severity: 'warning',
    message: paramMessage`pod ${'pod'} has no spec.nodeName: no node ruleset enforces its policies`,
    docs: 'Rulesets are per node and check the pods scheduled on that node; a pod without a node is checked nowhere (its peers still check their own side).',
  },
  'backend-nftables/self-traffic-not-enforced': {
    severity: 'warning',
    message: paramMessage`the profile forbids a pod reaching itself, but a pod's traffic to its own address stays inside the pod, where no node ruleset can block it; only a Service hairpin through the node is checked`,
    docs: "Traffic from a pod to its own IP stays on the loopback of the pod network namespace; nftables on the node never sees it. Only a connection hairpinned back to the pod through a Service crosses the node, and there the pod's policies decide it like any other.",
  },
  'backend-nftables/pod-link-local-closed': {
    severity: 'warning',
    message: paramMessage`--pod-interface ${'interfaces'}: every node drops new non-ICMPv6 connections ${'what'} by IPv6 link-local address, for every pod, also where the policies would allow them (${'unisolated'}); global addresses are unaffected`,
    docs: "Pods are matched by address and a link-local address does not tell which pod sent it, so the link-local rule cannot follow each pod's policies: it closes the path for all of them. Isolated pods gain a check they lacked; pods that are not isolated (or whose policies allow the node) lose only link-local access to or from their node (they keep its global addresses).",
  },
} as const satisfies Record<string, CatalogEntry>;

/** Builds a located diagnostic of the nftables backend. */
export const nftablesDiagnostic = defineDiagnostics(nftablesCatalog);

/** A diagnostic code of the nftables backend. */
export type NftablesDiagnosticCode = keyof typeof nftablesCatalog;
