import { defineDiagnostics, paramMessage, type CatalogEntry } from '@netpolc/ir';

/** Every diagnostic the iptables backend reports; each code is documented here. */
export const iptablesDiagnostics = {
  'backend-iptables/invalid-option': {
    severity: 'error',
    message: paramMessage`--${'flag'} ${'value'} is invalid: ${'expected'}`,
    docs: 'A backend flag has a value outside its domain (see `netpolc compile --help`).',
  },
  'backend-iptables/option-ignored': {
    severity: 'warning',
    message: paramMessage`--${'flag'} has no effect ${'reason'}`,
    docs: 'A flag was given that only matters together with another one (for example --log-target without --log).',
  },
  'backend-iptables/unknown-node': {
    severity: 'error',
    message: paramMessage`--node ${'node'} is not a node of the inventory (${'known'})`,
    docs: 'Every --node must name a Node object of the inventory.',
  },
  'backend-iptables/file-name-too-long': {
    severity: 'error',
    message: paramMessage`node ${'node'} is too long a name for its ${'suffix'} file: ${'bytes'} bytes with the suffix, where a file name has at most ${'max'}`,
    docs: 'Each node gets files named after it, and Linux file systems take names of at most 255 bytes; a node name may have 253 characters. Compile the other nodes with --node, or print this one with --out-dir - --no-ipset.',
  },
  'backend-iptables/stdout-unsupported': {
    severity: 'error',
    message: paramMessage`--out-dir - prints a single iptables-restore file, but ${'reason'}; write to a directory instead`,
    docs: 'Standard output can carry one file: it needs exactly one node (--node), --no-ipset (no ipset file), a node without IPv6 pods and no --pod-interface (no ip6tables file).',
  },
  'backend-iptables/pod-not-enforced': {
    severity: 'warning',
    message: paramMessage`${'count'} pods isolated by network policy (${'pods'}) ${'reason'}: no emitted ruleset enforces their policies`,
    docs: 'Rules for a pod are emitted on its node only; a pod whose nodeName is missing or names no Node of the inventory is enforced nowhere. Reported once per missing node, at the first such pod.',
  },
  'backend-iptables/node-local-not-filtered': {
    severity: 'warning',
    message: paramMessage`the semantics profile denies ${'what'}, but that traffic crosses neither FORWARD nor INPUT; the iptables backend allows it`,
    docs: 'Traffic from a node to its own pods leaves through OUTPUT, and a pod reaching itself stays inside the pod: neither crosses the FORWARD or INPUT hook, so allowNodeLocalIngress=false and allowSelf=false cannot be enforced. Reported once per program.',
  },
  'backend-iptables/pod-link-local-closed': {
    severity: 'warning',
    message: paramMessage`--pod-interface ${'interfaces'}: every node drops new non-ICMPv6 connections from pods to itself by IPv6 link-local address, for every pod, also where the policies would allow them (a pod that is not egress-isolated); global addresses are unaffected`,
    docs: "A link-local address (fe80::/10) is not in the inventory and does not tell which pod sent a packet, so the rule cannot follow each pod's policies: it closes the path for all pods on the node's pod interfaces. Egress-isolated pods gain a check they lacked; pods that are not (or whose egress allows ::/0) lose only link-local access to their node and keep its other addresses. ICMPv6 and replies still pass. Reported once per program.",
  },
  'backend-iptables/large-ipset': {
    severity: 'warning',
    message: paramMessage`ipset ${'set'} holds ${'members'} entries (about ${'megabytes'} MB of kernel memory)`,
    docs: 'A peer of this rule covers more than 1,048,576 CIDR blocks (Calico caps sets there; 1M hash:net entries take about 42.7 MB, projectcalico/calico#4069). It still loads: maxelem is sized to fit.',
  },
} as const satisfies Record<string, CatalogEntry>;

/** A diagnostic code of the iptables backend. */
export type IptablesDiagnosticCode = keyof typeof iptablesDiagnostics;

/** Builds a diagnostic from the iptables catalog. */
export const iptablesDiagnostic = defineDiagnostics(iptablesDiagnostics);
