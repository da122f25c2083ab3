import { defineDiagnostics, paramMessage, type CatalogEntry } from '@netpolc/ir';

/** Every diagnostic the calico backend reports, with its documentation. */
export const calicoCatalog = {
  'backend-calico/invalid-option': {
    severity: 'error',
    message: paramMessage`--${'flag'} ${'value'}: ${'reason'}`,
    docs: 'A calico flag has a value the backend cannot use (see the README for each flag).',
  },
  'backend-calico/ignored-option': {
    severity: 'warning',
    message: paramMessage`--${'flag'} is ignored: ${'reason'}`,
    docs: 'A flag has no effect with the other flags given (for example --tier-order with a built-in tier).',
  },
  'backend-calico/tier-after-default': {
    severity: 'warning',
    message: paramMessage`tier ${'tier'} has order ${'order'}, so Calico evaluates it after the default tier (order ${'defaultOrder'}): the default tier's policies, Calico's own translations of Kubernetes NetworkPolicies (knp.default.*) among them, decide first for every pod they select`,
    docs: 'Felix evaluates tiers in order, then by name (felix/calc/policy_sorter.go). A tier at or after the default tier (order 1,000,000) only sees the traffic the default tier passes: a pod selected there is decided there (its tier ends in Deny). --tier-order defaults to 500000, between kube-admin and default, where Kubernetes NetworkPolicies sit in the upstream model; give an order below 1000000 unless the tier is meant to come later.',
  },
  'backend-calico/reserved-tier': {
    severity: 'warning',
    message: paramMessage`tier ${'tier'} is reserved for cluster-wide admin policies (order ${'order'}, default action Pass); NetworkPolicies placed there run before or after every other tier`,
    docs: 'kube-admin and kube-baseline hold upstream ClusterNetworkPolicies, and adminnetworkpolicy and baselineadminnetworkpolicy, their names in releases before that rename, AdminNetworkPolicies and BaselineAdminNetworkPolicies; Calico creates them itself, so they are not emitted. Use the names your Calico release has.',
  },
  'backend-calico/unsupported-semantics': {
    severity: 'error',
    message: paramMessage`Calico cannot honour --semantics ${'knob'}=false: ${'reason'}`,
    docs: 'The requested semantics profile is narrower than what Calico enforces; the output would allow more than the policies, so nothing is emitted.',
  },
  'backend-calico/invalid-label-key': {
    severity: 'error',
    message: paramMessage`label key ${'key'} cannot be written in a Calico selector (only [a-zA-Z0-9_./-], at most 512 characters)`,
    docs: 'Calico selector labels are not quoted; a key outside its identifier characters cannot be expressed.',
  },
  'backend-calico/unquotable-value': {
    severity: 'error',
    message: paramMessage`label value ${'value'} holds both quote characters and cannot be written in a Calico selector`,
    docs: "Calico string literals have no escapes: a value must lack ' or \".",
  },
  'backend-calico/reserved-label-prefix': {
    severity: 'warning',
    message: paramMessage`selector key ${'key'} uses a prefix Calico assigns itself (${'prefix'}); the translated selector can also match labels Calico adds to endpoints`,
    docs: 'Calico endpoints carry projectcalico.org/* labels; Calico sets no key of this prefix on workload endpoints other than namespace, orchestrator and serviceaccount (an error, backend-calico/calico-owned-label) today, but a later release may.',
  },
  'backend-calico/calico-owned-label': {
    severity: 'error',
    message: paramMessage`pod selector key ${'key'} is a label Calico gives workload endpoints itself; in Calico the requirement would test Calico's value, not the pod's own label`,
    docs: "Calico overwrites a pod's projectcalico.org/namespace, projectcalico.org/orchestrator and projectcalico.org/serviceaccount labels (libcalico-go conversion.go, podToWorkloadEndpoint) and passes namespace (pcns.*) and service-account (pcsa.*) labels on to every endpoint from its profiles. A pod selector on such a key would select other pods under Calico than under Kubernetes (a default deny on `projectcalico.org/namespace DoesNotExist` isolates nothing there). The selector is not written (fail closed). Select pods on another label.",
  },
  'backend-calico/init-container-named-port': {
    severity: 'error',
    message: paramMessage`named port ${'name'} (${'protocol'}) is declared on an init container of pod ${'pod'} that is no sidecar, where Calico resolves it too and Kubernetes does not; the port entry is left out`,
    docs: "Calico's workload endpoints carry the named ports of every init container, restartable or not (libcalico-go conversion workload_endpoint_default.go; projectcalico/calico#8885); Kubernetes resolves names on containers and native sidecars only (kubernetes/kubernetes#127958). A rule naming such a port would open that init container's port number on the pod in Calico, which Kubernetes leaves closed. The port entry is not written (fail closed; a rule left without ports is dropped, never widened to every port). Rename the init container's port, or use the port number.",
  },
  'backend-calico/namespace-label-shadowed': {
    severity: 'error',
    message: paramMessage`namespace selector key ${'key'} cannot be translated: a pod of the inventory has its own label pcns.${'key'}, which Calico lets win over its namespace's label`,
    docs: "Calico passes a namespace's labels on to its endpoints as pcns.<key> and a namespaceSelector on <key> tests pcns.<key>; an endpoint's own labels win over inherited ones (felix/labelindex), so a pod labelled pcns.<key> itself would be judged by that label instead of its namespace's. The peer is not emitted (fail closed). Rename the pod label.",
  },
  'backend-calico/reserved-namespace-label': {
    severity: 'error',
    message: paramMessage`namespace selector key ${'key'} cannot be translated: Calico gives every namespace this label with the namespace's name, Kubernetes does not`,
    docs: 'Calico labels each namespace projectcalico.org/name=<name> for its own selectors, overriding any such label of the namespace; a namespaceSelector on that key would select namespaces the NetworkPolicy does not, so the peer is not emitted. Select namespaces by kubernetes.io/metadata.name instead.',
  },
  'backend-calico/selector-too-long': {
    severity: 'error',
    message: paramMessage`the Calico selector for this ${'what'} has ${'length'} characters; Calico accepts at most 1024`,
    docs: "Calico CRDs limit selector, namespaceSelector and notSelector to 1024 characters. A selector's longest In is split until each part fits: a peer's over several rules, a policy's pod selector over several policies (backend-calico/policy-split). A selector whose NotIn, matchLabels or Exists parts are too long by themselves cannot be split.",
  },
  'backend-calico/name-too-long': {
    severity: 'error',
    message: paramMessage`Calico policy name ${'name'} is too long: Calico stores it as ${'stored'}, over 253 characters`,
    docs: 'Object names are DNS subdomains of at most 253 characters, and Calico stores a default-tier policy under default.<name>; shorten --name-prefix or the policy name.',
  },
  'backend-calico/policy-split': {
    severity: 'info',
    message: paramMessage`policy ${'name'} is emitted as ${'count'} Calico policies, ${'name'} to ${'last'}: its pod selector is longer than the 1024 characters Calico accepts`,
    docs: "A pod selector's longest In is split into parts of at most 1024 characters whose OR selects exactly its pods (a pod has one value per key), and each part gets a policy with the same rules and order. A pod is isolated and allowed by the union of the policies selecting it, so the parts decide as the one policy would. Parts after the first are named <name>-2, <name>-3…, skipping names taken in the namespace.",
  },
  'backend-calico/renamed-policy': {
    severity: 'warning',
    message: paramMessage`policy ${'policy'} is emitted as ${'name'}: a Calico policy name holds no dot but the one after its tier`,
    docs: 'Calico (up to 3.31) accepts a NetworkPolicy name of one DNS label, prefixed with <tier>. (required outside the default tier): dots of a Kubernetes name become -, with a -2, -3… suffix when that name is taken in the namespace.',
  },
  'backend-calico/object-too-large': {
    severity: 'error',
    message: paramMessage`Calico policy ${'name'} takes ${'bytes'} bytes as JSON, over etcd's default request limit of 1572864 (1.5 MiB): the API server cannot store it`,
    docs: "Kubernetes stores each object as JSON in one etcd request, limited to 1.5 MiB by default (etcd --max-request-bytes); a larger policy fails with 'etcdserver: request is too large' and isolates nothing. Most often an ipBlock with thousands of excepts (Calico's notNets holds at most 256, so the remaining CIDRs are written instead) or thousands of peers; split the NetworkPolicy, or merge excepts into wider CIDRs.",
  },
  'backend-calico/object-needs-server-side-apply': {
    severity: 'warning',
    message: paramMessage`Calico policy ${'name'} takes ${'bytes'} bytes as JSON: client-side kubectl apply fails on objects over 262144 bytes; use kubectl apply --server-side, or kubectl create`,
    docs: "Client-side `kubectl apply` copies the whole object into its kubectl.kubernetes.io/last-applied-configuration annotation, and an object's annotations hold at most 256 KiB ('metadata.annotations: Too long: must have at most 262144 bytes', kubernetes/kubernetes#100572). Server-side apply keeps no such copy.",
  },
  'backend-calico/too-many-rules': {
    severity: 'error',
    message: paramMessage`policy ${'name'} needs ${'count'} ${'direction'} rules; Calico accepts at most 1024 per policy`,
    docs: 'Calico limits a policy to 1024 rules per direction; split the NetworkPolicy.',
  },
  'backend-calico/mapped-range-left-out': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} has more excepts than notNets holds (${'excepts'}), and what remains of it includes IPv4-mapped addresses (::ffff:0:0/96), which Calico reads as IPv4: they are left out of its nets`,
    docs: "More than 256 excepts are written as the CIDRs that remain. Calico's net.IPNet.Version() is 4 for a prefix of /96 or longer inside ::ffff:0:0/96 (Go's To4), so the validator refuses a rule that holds it beside IPv6 nets ('rule contains both IPv4 and IPv6 CIDRs'), and a rule of such nets alone would match IPv4 (::ffff:0:0/96 is 0.0.0.0/0 to Go). The mapped addresses are left out instead: narrower, never wider. Linux drops IPv6 packets from an IPv4-mapped source on receipt, so only a destination in that range loses an allow.",
  },
} as const satisfies Readonly<Record<string, CatalogEntry>>;

/** Codes of the calico catalog. */
export type CalicoDiagnosticCode = keyof typeof calicoCatalog;

/** Builds a calico diagnostic. */
export const calicoDiagnostic = defineDiagnostics(calicoCatalog);
