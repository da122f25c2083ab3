import { defineDiagnostics, paramMessage, type CatalogEntry } from './message.js';

/** Every diagnostic the IR package can report. Each code is documented here. */
export const irDiagnostics = {
  'ir/syntax': {
    severity: 'error',
    message: paramMessage`${'detail'}`,
    docs: 'The file is not valid YAML or JSON.',
  },
  'ir/yaml11-boolean': {
    severity: 'warning',
    message: paramMessage`unquoted ${'value'} is read as a string here, but kubectl and other YAML 1.1 readers read it as a boolean; quote it`,
    docs: 'YAML 1.1 (go-yaml v2, used by kubectl) resolves plain y/n/yes/no/on/off to booleans; YAML 1.2 reads them as strings.',
  },
  'ir/yaml11-number': {
    severity: 'error',
    message: paramMessage`unquoted ${'value'} is ${'kubectl'} to kubectl and other YAML 1.1 readers but ${'here'} in YAML 1.2; write the decimal number you mean, or quote a port name`,
    docs: 'go-yaml v2 (kubectl) drops underscores and reads a leading 0 as octal and 0b as binary (0120 is 80); YAML 1.2 reads 0120 as 120 and 0b1010 or 1_000 as strings. In port, endPort and containerPort the two readings are different policies, so netpolc refuses to guess; so it does with a plain y/n/yes/no/on/off there, a named port here and a boolean to kubectl, which the API server refuses.',
  },
  'ir/yaml11-string': {
    severity: 'warning',
    message: paramMessage`unquoted ${'value'} is read as a string here, but kubectl and other YAML 1.1 readers read it as the number ${'kubectl'}; quote it where a string is meant, or write ${'kubectl'}`,
    docs: 'go-yaml v2 (kubectl) drops underscores and reads 0b as binary, so plain 1_000 and 0b101 are numbers to it (1000 and 5) and strings in YAML 1.2. Where a string is expected (a label value, a name) kubectl then sends a number, which the API server refuses; as a key, kubectl stores the string "1000".',
  },
  'ir/yaml-key': {
    severity: 'error',
    message: paramMessage`kubectl cannot read this document: this mapping key is ${'what'}, and a key must be a string, a number or a boolean (write the key as a quoted string, or remove it)`,
    docs: 'kubectl reads YAML through sigs.k8s.io/yaml, which turns it into JSON and refuses a mapping key that is null (`~:`, `null:`, an empty key) or a list or mapping (`? [a, b]`, `{a: b}: c`): "unsupported map key". YAML readers that take such keys make different strings of them, so netpolc refuses the document, as kubectl does.',
  },
  'ir/yaml-merge-order': {
    severity: 'error',
    message: paramMessage`kubectl reads the key ${'key'} of this mapping otherwise: go-yaml v2, its YAML reader, applies each merge key (<<) where it stands and lets it overwrite the keys set before it, where YAML 1.1 and netpolc keep a key written in the mapping or brought by an earlier merge; put one << first`,
    docs: 'A key written in a mapping wins over the keys a merge key (<<) brings in, and of several merges the first wins (yaml.org/type/merge). go-yaml v2, which kubectl reads YAML with, applies a merge where it stands instead, so a << after a key, or a second <<, that gives a key another value overwrites it: the file means one policy to netpolc and another to the cluster.',
  },
  'ir/binary-input': {
    severity: 'error',
    message: paramMessage`file is not UTF-8 text (${'detail'})`,
    docs: 'The file holds binary data (NUL bytes or invalid UTF-8).',
  },
  'ir/input-too-large': {
    severity: 'error',
    message: paramMessage`file of ${'bytes'} bytes is too long for Node.js to hold as one text (${'limit'} bytes at most); netpolc reads so large a file only as one List of plain objects, as kubectl get -o json or -o yaml prints it: give it so, or split it`,
    docs: 'V8 limits a string to 2^29 - 24 characters (about 512 MiB). A larger List (JSON, or YAML as kubectl prints it) is read straight from its bytes, a run of items at a time; anything else cannot be read whole: several documents, items that are no plain objects (a List inside the List), YAML aliases whose anchor is in another run of items.',
  },
  'ir/empty-file': {
    severity: 'warning',
    message: paramMessage`no Kubernetes objects in this file`,
    docs: 'A file holds no document, or only empty documents.',
  },
  'ir/no-objects': {
    severity: 'error',
    message: paramMessage`no Kubernetes objects found in the inputs`,
    docs: 'None of the inputs holds any object; nothing to do.',
  },
  'ir/not-an-object': {
    severity: 'error',
    message: paramMessage`expected a Kubernetes object (a mapping with apiVersion and kind), found ${'found'}`,
    docs: 'A document or List item is not a mapping.',
  },
  'ir/missing-kind': {
    severity: 'error',
    message: paramMessage`object has no ${'field'}`,
    docs: 'Every object needs `apiVersion` and `kind`.',
  },
  'ir/misspelled-kind': {
    severity: 'error',
    message: paramMessage`kind ${'found'} is not a kind the API server knows; did you mean ${'meant'}?`,
    docs: 'Kinds are case-sensitive: the API server refuses an object whose kind differs from NetworkPolicy, Namespace, Pod, Node or Service only in case ("no matches for kind"), or (in v1 and networking.k8s.io/v1, whose kinds are known) is no kind of its API version and near one of them (NetworkPolicies, Pods, a trailing space). netpolc does not skip it as another kind: the object it was meant to be must not vanish from the verdicts.',
  },
  'ir/unknown-kind': {
    severity: 'warning',
    message: paramMessage`skipped ${'kind'} ${'name'}: ${'apiVersion'} has no kind ${'kind'}, and kubectl refuses the object (no matches for kind)`,
    docs: 'The kinds of v1 and networking.k8s.io/v1 are known (Kubernetes 1.35): an object of another kind there is a mistake the API server refuses. It is skipped, and said, as it may have been meant as an object netpolc reads.',
  },
  'ir/skipped-kind': {
    severity: 'info',
    message: paramMessage`skipped ${'kind'} ${'name'}: not a kind netpolc reads`,
    docs: 'Objects other than Namespace, Pod, Node, Service and NetworkPolicy are ignored.',
  },
  'ir/service-port-unread': {
    severity: 'info',
    message: paramMessage`skipped port ${'index'} of this Service: the API server stores a port from 1 to 65535, protocol TCP, UDP or SCTP, and a targetPort number or port name`,
    docs: 'A Service port that the API server would refuse is left out of the Service lint (ir/service-port); it changes no verdict.',
  },
  'ir/service-unread': {
    severity: 'info',
    message: paramMessage`skipped this Service: its metadata or spec is not what the API server stores`,
    docs: 'Services are read only to warn about policies written against them (ir/service-port, ir/service-cluster-ip); one that cannot be read changes no verdict.',
  },
  'ir/service-port': {
    severity: 'warning',
    message: paramMessage`port ${'port'} is the port of Service ${'service'}, which forwards it to port ${'target'} of ${'pod'}: NetworkPolicy sees the pod's port after the Service's address translation, so this entry does not allow connections through the Service (allow port ${'target'}, or its container port name)`,
    docs: "A Service's port is translated to the pod's targetPort before any policy sees the packet (kube-proxy DNAT; kubernetes/website#8295, projectcalico/calico#8049). The warning is given when no entry of the rule allows the target port on the Service's pods that the rule concerns, and those pods declare no container port with the Service's port number.",
  },
  'ir/service-masquerade': {
    severity: 'warning',
    message: paramMessage`Service ${'service'} (${'type'}, externalTrafficPolicy Cluster) brings outside clients to these pods from a node address, as kube-proxy masquerades them, and ipBlock ${'cidr'} holds no node address: it does not allow those clients through the Service (set externalTrafficPolicy: Local to keep their addresses)`,
    docs: "A NodePort, LoadBalancer or external-IP Service with externalTrafficPolicy Cluster (the default) SNATs outside clients to the forwarding node's address (kubernetes.io, \"Using Source IP\"), so an ingress ipBlock of client addresses never matches them. Given for a rule whose ports reach the Service's target on the policy's pods and whose ipBlocks hold no node address (none at all with ipblock-matches-nodes=false); not without Node objects. Some CNIs' kube-proxy replacements keep the address (DSR); the warning says what kube-proxy does.",
  },
  'ir/service-cluster-ip': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} holds the ClusterIP ${'ip'} of Service ${'service'}, but none of its pods' addresses: NetworkPolicy sees the pod's address after the Service's address translation, so this ipBlock does not allow connections to the Service (select its pods instead)`,
    docs: "Connections to a ClusterIP are translated to a pod address before any policy sees them, so an egress ipBlock around a ClusterIP never matches them. Given for Services with a selector whose selected pods are all outside the ipBlock.",
  },
  'ir/other-policy-kind': {
    severity: 'warning',
    message: paramMessage`skipped ${'kind'} ${'name'}: netpolc reads networking.k8s.io/v1 NetworkPolicies only, so its verdicts and output leave this policy's rules out`,
    docs: "A policy of another API (Calico's projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy, Cilium's CiliumNetworkPolicy, the AdminNetworkPolicy family) is enforced in the cluster next to the Kubernetes NetworkPolicies, but netpolc does not read it: connections it denies or allows are decided here as if it did not exist. netpolc's own Calico and Cilium output is such a policy too, when it lies under an input path.",
  },
  'ir/api-version': {
    severity: 'error',
    message: paramMessage`${'kind'} with apiVersion ${'found'} is not supported (expected ${'expected'})`,
    docs: 'The object has an apiVersion netpolc does not implement.',
  },
  'ir/deprecated-api-version': {
    severity: 'warning',
    message: paramMessage`apiVersion ${'found'} is deprecated and removed from Kubernetes; read as ${'expected'}`,
    docs: 'extensions/v1beta1 NetworkPolicy has the same spec as networking.k8s.io/v1.',
  },
  'ir/invalid-type': {
    severity: 'error',
    message: paramMessage`${'field'} must be ${'expected'}, found ${'found'}${'hint'}`,
    docs: 'A field has the wrong type. Unquoted yes/no/on/off are booleans in YAML 1.1 (what kubectl reads).',
  },
  'ir/unknown-field': {
    severity: 'error',
    message: paramMessage`unknown field ${'field'}${'hint'}`,
    docs: 'A NetworkPolicy field that the API does not define, usually a typo: kubectl apply (strict field validation, its default) and server-side apply reject the object, and read without it the policy would mean something else (a misspelt podSelector selects every pod, a misspelt from allows every source).',
  },
  'ir/missing-field': {
    severity: 'error',
    message: paramMessage`${'field'} is required`,
    docs: 'A required field is missing.',
  },
  'ir/invalid-metadata': {
    severity: 'error',
    message: paramMessage`${'field'} ${'problem'}`,
    docs: 'The API server checks ObjectMeta fields netpolc does not read (generateName, annotations and their total size of 256 KiB, finalizers, ownerReferences, and the types of uid, resourceVersion, generation and the timestamps: k8s.io/apimachinery objectmeta.go) and refuses a policy that fails them: it is not compiled as if it were applied.',
  },
  'ir/invalid-name': {
    severity: 'error',
    message: paramMessage`${'field'} ${'value'} is not a valid ${'what'}`,
    docs: 'Object names must be DNS labels or subdomains.',
  },
  'ir/default-namespace': {
    severity: 'warning',
    message: paramMessage`metadata.namespace is missing; using ${'namespace'} (as kubectl would from its context)`,
    docs: 'A namespaced object without metadata.namespace is placed in the default namespace (--default-namespace).',
  },
  'ir/default-pod-selector': {
    severity: 'warning',
    message: paramMessage`spec.podSelector is missing; it selects every pod in namespace ${'namespace'}`,
    docs: 'An omitted podSelector is the empty selector.',
  },
  'ir/duplicate-object': {
    severity: 'error',
    message: paramMessage`duplicate ${'kind'} ${'name'} (also defined at ${'other'})`,
    docs: 'Two objects of the same kind have the same namespace and name.',
  },
  'ir/invalid-policy-type': {
    severity: 'error',
    message: paramMessage`policyTypes entry ${'value'} is not Ingress or Egress`,
    docs: 'policyTypes accepts only Ingress and Egress (case-sensitive).',
  },
  'ir/duplicate-policy-type': {
    severity: 'warning',
    message: paramMessage`policyTypes lists ${'value'} twice`,
    docs: 'A duplicate entry has no effect.',
  },
  'ir/too-many-policy-types': {
    severity: 'error',
    message: paramMessage`policyTypes may hold at most 2 entries`,
    docs: 'Upstream validation allows at most Ingress and Egress.',
  },
  'ir/rules-ignored': {
    severity: 'warning',
    message: paramMessage`${'direction'} rules are ignored: policyTypes does not include ${'type'}`,
    docs: 'Rules for a direction that policyTypes does not list are not enforced.',
  },
  'ir/invalid-protocol': {
    severity: 'error',
    message: paramMessage`protocol ${'value'} is not TCP, UDP or SCTP${'hint'}`,
    docs: 'Protocols are case-sensitive.',
  },
  'ir/invalid-port': {
    severity: 'error',
    message: paramMessage`port ${'value'} ${'reason'}`,
    docs: 'A port is an integer 1-65535 or an IANA service name (at most 15 characters of a-z, 0-9 and -, with a letter).',
  },
  'ir/invalid-end-port': {
    severity: 'error',
    message: paramMessage`endPort ${'reason'}`,
    docs: 'endPort needs a numeric port, must be >= port and <= 65535.',
  },
  'ir/empty-peer': {
    severity: 'error',
    message: paramMessage`a peer must set podSelector, namespaceSelector or ipBlock`,
    docs: 'An empty peer `{}` is rejected by the API server ("must specify a peer").',
  },
  'ir/ambiguous-peer': {
    severity: 'error',
    message: paramMessage`a peer may not combine ipBlock with ${'other'}`,
    docs: 'ipBlock must be alone in its peer.',
  },
  'ir/invalid-cidr': {
    severity: 'error',
    message: paramMessage`${'value'} is not a valid CIDR${'hint'}`,
    docs: 'CIDRs are IPv4 or IPv6 address/prefix; legacy IPv4 forms (1.2.3, 010.0.0.1) are rejected.',
  },
  'ir/cidr-host-bits': {
    severity: 'warning',
    message: paramMessage`${'value'} has host bits set; it means ${'normalized'}`,
    docs: 'Upstream parsing masks host bits; netpolc does the same and warns.',
  },
  'ir/invalid-except': {
    severity: 'error',
    message: paramMessage`except ${'value'} ${'reason'}`,
    docs: 'Each except must be a CIDR of the same family, strictly inside the ipBlock cidr.',
  },
  'ir/invalid-selector': {
    severity: 'error',
    message: paramMessage`${'reason'}`,
    docs: 'Label selector operators are In, NotIn, Exists, DoesNotExist; In/NotIn need values, Exists/DoesNotExist take none.',
  },
  'ir/invalid-label-key': {
    severity: 'error',
    message: paramMessage`${'value'} is not a valid label key${'hint'}`,
    docs: 'A label key is an optional DNS-subdomain prefix and a name of at most 63 characters.',
  },
  'ir/invalid-label-value': {
    severity: 'error',
    message: paramMessage`${'value'} is not a valid label value`,
    docs: 'A label value is empty or at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric.',
  },
  'ir/invalid-ip': {
    severity: 'error',
    message: paramMessage`${'value'} is not a valid IP address`,
    docs: 'Pod and node addresses must be valid IPv4 (four-part decimal) or IPv6 addresses.',
  },
  'ir/pod-ip-mismatch': {
    severity: 'warning',
    message: paramMessage`status.podIP ${'podIP'} is not the first entry of status.podIPs (${'first'}); the API server keeps podIP and makes podIPs [${'podIP'}], and so does netpolc`,
    docs: 'When both are given and differ, the older field wins (kubernetes/kubernetes pkg/apis/core/v1/conversion.go Convert_v1_PodStatus_To_core_PodStatus: "older field takes precedence for compatibility with patch by older clients"), so the stored pod, which every enforcer reads, has the podIP address alone. A dump from a cluster never disagrees: fix the hand-written inventory.',
  },
  'ir/too-many-pod-ips': {
    severity: 'warning',
    message: paramMessage`status.podIPs holds ${'found'}, but a pod has at most one IP of each family; netpolc takes every one as the pod's`,
    docs: 'The API server refuses a pod status with more than two IPs or two of one family (kubernetes/kubernetes pkg/apis/core/validation/validation.go validatePodIPs: "may specify no more than one IP for each IP family"), so no cluster holds such a pod: a hand-written inventory that gives one should be fixed. netpolc still reads every address as the pod\'s, so that selectors and rules cover all of them.',
  },
  'ir/unknown-namespace': {
    severity: 'warning',
    message: paramMessage`namespace ${'namespace'} is not in the inventory; assuming it exists with no labels but kubernetes.io/metadata.name`,
    docs: 'Namespace selectors cannot match labels of a namespace the inventory lacks.',
  },
  'ir/unknown-node': {
    severity: 'warning',
    message: paramMessage`node ${'node'} is not in the inventory; its addresses are unknown`,
    docs: 'Node-local traffic cannot be recognised for pods on an unknown node.',
  },
  'ir/duplicate-ip': {
    severity: 'warning',
    message: paramMessage`IP ${'ip'} is used by both ${'first'} and ${'second'}`,
    docs: 'Two actionable endpoints share an address; connections from it are attributed to the first. An address that two nodes list (an ExternalIP shared behind one NAT) is node-local for the pods of each, as each node\'s own firewall sees it.',
  },
  'ir/ignored-pod': {
    severity: 'info',
    message: paramMessage`pod ${'pod'} takes no part in policy: ${'reason'}`,
    docs: 'Pods without an IP, finished pods and hostNetwork pods are not policy endpoints.',
  },
  'ir/unresolved-named-port': {
    severity: 'warning',
    message: paramMessage`named port ${'name'} ${'reason'}`,
    docs: 'A named port is resolved on the destination pod; on an ipBlock destination it cannot be resolved and matches nothing.',
  },
  'ir/named-port-conflict': {
    severity: 'warning',
    message: paramMessage`pod ${'pod'} defines port name ${'name'} more than once; a rule naming it matches every one of them`,
    docs: 'The API server requires port names to be unique within a container (validateContainerPorts keeps its set of names per container), so two containers of a pod may both define one; a rule naming it then matches every one of them, as Kubernetes resolves named ports on every container.',
  },
} as const satisfies Record<string, CatalogEntry>;

/** A diagnostic code of the IR package. */
export type IrDiagnosticCode = keyof typeof irDiagnostics;

/** Builds a diagnostic from the IR catalog; a missing parameter is a type error. */
export const irDiagnostic = defineDiagnostics(irDiagnostics);
