import { defineDiagnostics, paramMessage } from '@netpolc/ir';

/** Every diagnostic of the Cilium backend, documented. */
export const ciliumDiagnostics = {
  'backend-cilium/invalid-option': {
    severity: 'error',
    message: paramMessage`--${'flag'} ${'value'} is invalid: ${'reason'}`,
    docs: 'A backend flag has a value netpolc cannot use (for example --cilium-version 1.x or --cluster-cidr 10.0.0.0/33).',
  },
  'backend-cilium/ignored-option': {
    severity: 'warning',
    message: paramMessage`--${'flag'} is ignored: ${'reason'}`,
    docs: 'A flag has no effect with the other flags given: --node-entities adds entities for ipBlocks that match node addresses, which none does under --semantics ipblock-matches-nodes=false.',
  },
  'backend-cilium/semantics-unsupported': {
    severity: 'error',
    message: paramMessage`the requested semantics ${'knob'} cannot be expressed: ${'reason'}`,
    docs: 'Cilium always lets a pod reach itself and always allows ingress from the local node to its endpoints (Documentation/security/policy/layer3.rst, "Access to/from local host"; --allow-localhost defaults to allowing it). A profile that turns either off would be wider under Cilium.',
  },
  'backend-cilium/icmp-rules-unsupported': {
    severity: 'warning',
    message: paramMessage`Cilium ${'version'} does not enforce ICMP rules by default (since 1.12, cilium/cilium#20174): --semantics icmp-essentials is not written, and ICMP passes only the rules without ports`,
    docs: 'ICMP rules (`icmps`) arrived in Cilium 1.11 behind the agent flag --enable-icmp-rules (cilium/cilium#16516) and are on by default since 1.12. For an older --cilium-version the profile is left out: the output allows less than it (never more). Use --cilium-version 1.12 or later.',
  },
  'backend-cilium/inseparable-pods': {
    severity: 'error',
    message: paramMessage`${'what'}: ${'pods'} must be allowed but ${'others'} must not, and Cilium cannot tell them apart (same namespace and same identity labels); Cilium selects pods by identity labels, never by address`,
    docs: 'Cilium identifies pods by their identity labels (namespace plus identity-relevant pod labels), never by address (cilium/cilium#9209). When an ipBlock or a named port applies to one pod but not to another pod with the same identity, no CiliumNetworkPolicy can express the difference. Give the pods a distinguishing label.',
  },
  'backend-cilium/ipblock-partial-pod': {
    severity: 'error',
    message: paramMessage`ipBlock covers some but not all addresses of ${'pods'} (${'covered'} of ${'pod'} but not ${'uncovered'}); Cilium allows or denies a pod as a whole (all its addresses share one identity), so it cannot allow only one of them`,
    docs: 'A dual-stack pod whose IPv4 address is inside an ipBlock but whose IPv6 address is not (or the reverse) cannot be expressed: Cilium policy decides by identity, and both addresses of a pod have the same identity. netpolc leaves the pod out (fail closed) and reports an error. Add an ipBlock for the other family or a pod selector.',
  },
  'backend-cilium/ipblock-pods-unknown': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} may cover pod IPs, but netpolc has no inventory of pods and no --cluster-cidr; Cilium's CIDR rules never match pods (cilium/cilium#9209), so such pods would be denied`,
    docs: 'Without an inventory (or --cluster-cidr), netpolc cannot know which pods an ipBlock covers. Cilium CIDR rules do not select Cilium-managed endpoints, so pods inside the block lose access that Kubernetes would grant. Give --inventory or --cluster-cidr.',
  },
  'backend-cilium/ipblock-remote-pods': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} admits no pod of the other clusters in the ClusterMesh of ${'cluster'}, whatever its address: they have Cilium identities, which CIDR rules never match (Documentation/security/policy/layer3.rst), and Kubernetes sees them as external addresses, which the ipBlock may cover`,
    docs: 'With --cluster-name, netpolc compiles for one cluster of a ClusterMesh. The pods of the other clusters are addresses outside this cluster to Kubernetes, so an ipBlock around them allows them; in Cilium they carry identities of their own cluster, and CIDR rules select only the world, so they are denied: narrower than Kubernetes, never wider. The inventory holds this cluster only, so they cannot be selected by labels instead. If they must be admitted, add a peer that selects them by labels (the CiliumNetworkPolicy can name their cluster with io.cilium.k8s.policy.cluster).',
  },
  'backend-cilium/ipblock-pods-ambiguous': {
    severity: 'error',
    message: paramMessage`ipBlock ${'cidr'} covers part of the cluster pod CIDR ${'clusterCidr'}; without an inventory netpolc cannot tell which pods are inside it`,
    docs: 'With --cluster-cidr but no inventory, an ipBlock that overlaps the pod CIDR without containing it entirely covers an unknown set of pods, which Cilium cannot match by CIDR. Give an inventory.',
  },
  'backend-cilium/ipblock-covers-nodes': {
    severity: 'warning',
    message: paramMessage`ipBlock covers node address ${'addresses'}, but Cilium's CIDR rules do not match cluster nodes by default (Documentation/security/policy/layer3.rst) and not every node is covered, so the remote-node/host entities would be too wide; Cilium will deny this node traffic`,
    docs: 'Cilium gives node addresses the host/remote-node identities, which CIDR rules do not select unless the agent runs with --policy-cidr-match-mode=nodes. When an ipBlock covers every address of every node, netpolc adds the remote-node and host entities (exact); when it covers only some, no entity is narrow enough and the node traffic is denied (narrower than Kubernetes, never wider).',
  },
  'backend-cilium/node-entities-withheld': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} covers every node address of the inventory that the policy's pods may not reach otherwise, but the host and remote-node entities, the only way to allow node traffic in Cilium, also hold node addresses no Node object lists (each node's Cilium router address, every address of the local node's interfaces), which may lie outside the ipBlock; none was added, so Cilium will deny this node traffic (--node-entities adds them)`,
    docs: "Cilium gives the host identity to every address of the local node's interfaces and remote-node to every address it knows of other nodes, the router address each node takes from its pod CIDR included (cilium/cilium#11006, #16308); the Node objects list only InternalIP and ExternalIP, and CIDR rules never match nodes. An ipBlock that covers every listed node address but not whole address families could therefore only be given the entities at the price of admitting unlisted node addresses outside it, wider than Kubernetes: by default netpolc adds nothing and the node traffic is denied (narrower, never wider). Typical consequence: `egress: to: ipBlock 0.0.0.0/0 except 169.254.169.254/32` no longer reaches hostNetwork pods, the API server on control-plane nodes or NodeLocal DNSCache (169.254.20.10, an address of the node's interface) under Cilium. If the nodes' other addresses lie inside the ipBlock, as they do there (or admitting them is acceptable), pass --node-entities; or run the agent with --policy-cidr-match-mode=nodes and allow node addresses by CIDR.",
  },
  'backend-cilium/node-entities-unlisted': {
    severity: 'info',
    message: paramMessage`ipBlock ${'cidr'} covers every node address of the inventory that the policy's pods may not reach otherwise, so the host and remote-node entities were added (--node-entities); they also admit node addresses no Node object lists (each node's Cilium router address, every address of the local node's interfaces), which may lie outside the ipBlock`,
    docs: "With --node-entities, an ipBlock that covers every listed node address gets the host and remote-node entities, the only way to allow node traffic in Cilium. Cilium gives those identities to node addresses no Node object lists as well (cilium/cilium#11006, #16308), so an unlisted node address outside the ipBlock (NodeLocal DNSCache's 169.254.20.10 under an except of 169.254.0.0/16, say) is then allowed too. Blocks of whole families (0.0.0.0/0, ::/0) cover them all and get the entities without the flag or this note.",
  },
  'backend-cilium/ipblock-nodes-unknown': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} may cover node addresses, but ${'reason'}; Cilium's CIDR rules never match nodes (Documentation/security/policy/layer3.rst), so node traffic inside the block would be denied`,
    docs: 'Node addresses have the host/remote-node identities in Cilium, which CIDR rules do not select unless the agent runs with --policy-cidr-match-mode=nodes. netpolc adds the host and remote-node entities only when the inventory lists every node and the ipBlocks cover all of their addresses. Without Node objects (or with pods on nodes the inventory lacks), node coverage is unknown and no entity is added: narrower than Kubernetes, never wider. Give an inventory with the Node objects.',
  },
  'backend-cilium/label-not-in-identity': {
    severity: 'error',
    message: paramMessage`selector uses label key ${'key'}, which Cilium's default identity label filter drops${'since'} (pkg/labelsfilter); in Cilium this requirement ${'effect'}`,
    docs: "Cilium builds security identities only from identity-relevant labels; by default it drops keys such as pod-template-hash, controller-revision-hash and other kubernetes.io / k8s.io keys, and since 1.15 statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index and batch.kubernetes.io/job-completion-index (cilium/cilium#28003, #28897), since 1.16 controller-uid and batch.kubernetes.io/controller-uid (#31964), later topology.kubernetes.io (#43725) (pkg/labelsfilter/filter.go defaultLabelPrefixCfg). A selector on such a key matches no pod (In, Exists) or every pod (NotIn, DoesNotExist) in Cilium. Keys dropped by a release after --cilium-version count too, as the output must keep its meaning on later releases. Select on another label, or configure Cilium's --labels and adjust the policy by hand.",
  },
  'backend-cilium/label-key-too-long': {
    severity: 'error',
    message: paramMessage`selector uses ${'kind'} label key ${'key'}, which Cilium ${'versions'} checks as ${'checked'}, longer than a label key's 63-character name part allows: the agent would reject the whole CiliumNetworkPolicy, and its pods would lose their isolation (cilium/cilium#47817)`,
    docs: "A Cilium agent validates every selector key of a CiliumNetworkPolicy as a Kubernetes label key and drops the whole policy when one fails (pkg/policy/api/selector.go; the API server accepts it, so only the agent's log tells). It checks a namespace label's key with Cilium's prefix, `io.cilium.k8s.namespace.labels.<key>`, and before 1.20 with the `k8s.` source in front as well (cilium/cilium#43536): an unprefixed namespace label key longer than 28 characters (32 from 1.20 on), or before 1.20 an unprefixed pod label key longer than 59, fails although Kubernetes accepts it (cilium/cilium#47817, #43771). cilium/cilium#47845 lifts the limit for namespace labels from 1.21 on. netpolc leaves the requirement's peer out, or isolates the subject with nothing allowed (fail closed), and reports this error. Use a shorter key, one with a prefix (`example.com/owner-team`; only the part after the slash counts), or --cilium-version 1.21 when every agent runs 1.21 or later.",
  },
  'backend-cilium/label-owned-by-cilium': {
    severity: 'error',
    message: paramMessage`selector uses pod label key ${'key'}, which Cilium sets on every pod itself (pkg/k8s/utils SanitizePodLabels); in Cilium this requirement does not test the pod's own label`,
    docs: "Cilium drops a pod's own labels whose keys start with io.cilium.k8s and writes its own there (namespace labels, service account, cluster), and overwrites io.kubernetes.pod.namespace with the pod's namespace (pkg/k8s/utils/utils.go SanitizePodLabels, filterPodLabels; cilium/cilium#31395). A pod selector on such a key means something else in Cilium: a default deny on `io.kubernetes.pod.namespace DoesNotExist` would select no pod, a peer on `io.cilium.k8s.namespace.labels.team` would admit every pod of such a namespace. The model stays fail-closed (the requirement is dropped from a subject, which then allows nothing; such a peer is left out). Select pods on another label.",
  },
  'backend-cilium/world-cidr-both-families': {
    severity: 'info',
    message: paramMessage`Cilium ${'version'} reads a bare ${'cidr'} CIDR rule as the world entity, which in dual-stack clusters also matches every ${'other'} address outside the cluster (cilium/cilium#22610, fixed in 1.15 by #22625); written as ${'written'}, which it reads as that family alone`,
    docs: 'Before 1.15, Cilium turned a rule holding 0.0.0.0/0 or ::/0 (without except) into reserved:world, which covers both address families, so on a dual-stack cluster the rule would also allow the other family. Its subnets are not affected (#22610), so netpolc writes the block as its two /1 halves, exact on every release. A rule that also holds the other family\'s /0 is left as it is.',
  },
  'backend-cilium/other-family-block': {
    severity: 'info',
    message: paramMessage`ipBlock ${'cidr'} left out: the cluster is ${'family'}-only, so it matches no traffic, and a Cilium agent that is not dual-stack reads a /0 of the other family as the whole ${'family'} world`,
    docs: 'A Cilium agent that is not dual-stack gives a CIDR rule of 0.0.0.0/0 or ::/0 the label reserved:world, whichever family it is (pkg/policy/api/cidr.go, CIDRRuleSlice.GetAsEndpointSelectors: worldLabelNonDualStack), and reserved:world holds every address outside the cluster of the family the agent runs. So `::/0` in an IPv4-only cluster would admit every IPv4 address, the ones another peer\'s except removed included (the metadata service 169.254.169.254). In Kubernetes an ipBlock of the other family matches nothing in a single-stack cluster, so netpolc leaves it out. The families are those of the inventory\'s pod addresses and of --cluster-cidr; node addresses do not count, as a dual-stack cluster\'s Node objects may list IPv4 addresses only.',
  },
  'backend-cilium/world-block-families-unknown': {
    severity: 'warning',
    message: paramMessage`ipBlock ${'cidr'} is written without knowing the cluster's address families: if the cluster is single-stack of the other family, Cilium reads it as that family's whole world (wider than Kubernetes, where it matches nothing); give an inventory of pods or --cluster-cidr`,
    docs: 'A Cilium agent that is not dual-stack gives a CIDR rule of 0.0.0.0/0 or ::/0 the label reserved:world, whichever family it is (pkg/policy/api/cidr.go, worldLabelNonDualStack). netpolc leaves out ipBlocks of the family a single-stack cluster does not have, but without pod addresses in the inventory and without --cluster-cidr it cannot tell which family that is (Node objects do not tell: a dual-stack cluster may list IPv4 node addresses only).',
  },
  'backend-cilium/except-reads-as-ipv4': {
    severity: 'error',
    message: paramMessage`Cilium ${'version'} expands ipBlock ${'cidr'} except ${'except'} into prefixes that include ::ffff:0:0/96, which it prints and reads as 0.0.0.0/0 (every IPv4 address); use --cilium-version 1.17 or later`,
    docs: 'Before 1.17 the agent computes the prefixes around each except itself (ComputeResultantCIDRSet, replaced by except selectors in cilium/cilium#35139) and turns each back into text with Go\'s net.IPNet.String, which prints a prefix inside the IPv4-mapped range ::ffff:0:0/96 as IPv4: ::ffff:0:0/96 itself becomes "0.0.0.0/0". A block spanning that range with an except in its neighbour ::fffe:0:0/96 produces it, and the rule would allow every IPv4 address. From 1.17 excepts are selectors and the block is exact.',
  },
  'backend-cilium/named-port-repeated': {
    severity: 'warning',
    message: paramMessage`named port ${'name'}/${'protocol'} is declared more than once by ${'where'}: Cilium keeps one port per name, the last declared, so ingress to the others is denied there (narrower than Kubernetes)`,
    docs: 'Kubernetes matches every container port of a pod that bears the name (and protocol) a rule gives. A Cilium endpoint keeps one port per name, the last its containers declare (pkg/policy/types NamedPortMap.AddPort writes `npm[name] = pp`), and an ingress rule whose protocol differs from that one allows nothing (ErrIncompatibleProtocol). Give each port of a pod its own name, or write the numbers in the policy.',
  },
  'backend-cilium/port-range-expanded': {
    severity: 'warning',
    message: paramMessage`Cilium ${'version'} ignores endPort (port ranges arrived in 1.16, cilium/cilium#32807; see cilium/cilium#28684): ports ${'from'}-${'to'} were expanded into ${'count'} single ports`,
    docs: 'Cilium releases before 1.16 have no port ranges and would enforce only `port`. netpolc writes every port of a small range instead.',
  },
  'backend-cilium/port-range-unsupported': {
    severity: 'error',
    message: paramMessage`Cilium ${'version'} has no port ranges (they arrived in 1.16, cilium/cilium#32807) and ${'from'}-${'to'} is too large to expand (${'count'} ports, limit ${'limit'}); the entry was left out`,
    docs: 'An older Cilium would silently enforce only the first port of the range (cilium/cilium#28684). netpolc refuses rather than narrow silently. Use --cilium-version 1.16 or later.',
  },
  'backend-cilium/sctp-unsupported': {
    severity: 'error',
    message: paramMessage`Cilium ${'version'} cannot enforce SCTP ports (policy support arrived in 1.13, cilium/cilium#20033; cilium/cilium#5719); the entry was left out`,
    docs: 'SCTP policy enforcement exists since Cilium 1.13. An older Cilium rejects or ignores the protocol. Use --cilium-version 1.13 or later.',
  },
  'backend-cilium/sctp-needs-agent-flag': {
    severity: 'info',
    message: paramMessage`SCTP ports need the Cilium agent to run with --enable-sctp (a beta feature, Documentation/configuration/sctp.rst)`,
    docs: 'Cilium enforces SCTP only when SCTP support is enabled in the agent.',
  },
  'backend-cilium/named-port-unresolved': {
    severity: 'error',
    message: paramMessage`egress named port ${'name'} needs an inventory of pods: Cilium resolves egress port names against every pod in the cluster (pkg/endpoint GetNamedPort) and allows the number towards every selected peer, also those that do not define the name (wider than Kubernetes), or skips the name when pods give it different numbers (cilium/cilium#30003); the entry was left out`,
    docs: 'Cilium resolves egress named ports through a cluster-wide map, ignores names with conflicting numbers, and allows the resolved number towards every peer the rule selects, whether or not that peer defines the name. Kubernetes resolves the name on each destination pod. With an inventory netpolc resolves names per destination pod itself; without one no CiliumNetworkPolicy is known to be equivalent, so the entry is left out (fail closed). Give --inventory, or write the port number.',
  },
  'backend-cilium/named-port-ipblock-unknown': {
    severity: 'warning',
    message: paramMessage`egress named port ${'name'} on an ipBlock peer matches pods inside the block that define it, which netpolc cannot know without an inventory; the entry was left out for this peer`,
    docs: 'A named port towards an ipBlock resolves only on pods inside the block (semantics.md §2.3). Without an inventory those pods are unknown, so netpolc writes nothing for them (fail closed).',
  },
  'backend-cilium/sidecar-named-port': {
    severity: 'warning',
    message: paramMessage`named port ${'name'} (${'protocol'}) is declared on a native sidecar of ${'where'}; Cilium resolves port names on spec.containers only, so ingress to that port of that pod is denied where Kubernetes allows it`,
    docs: 'Kubernetes resolves a named port on the containers and native sidecars (init containers with restartPolicy: Always) of the destination pod (kubernetes/kubernetes#127958). Cilium reads named ports from spec.containers only (pkg/k8s/labels.go GetPodMetadata, pkg/k8s/watchers/pod.go updatePodHostData), so an ingress rule naming a sidecar\'s port finds no such name on that pod and allows nothing there: narrower than Kubernetes, never wider. Egress named ports are resolved by netpolc into numbers and are not affected. Declare the port on a regular container, or use the port number.',
  },
  'backend-cilium/object-too-large': {
    severity: 'error',
    message: paramMessage`CiliumNetworkPolicy ${'name'} takes ${'bytes'} bytes as JSON, over etcd's default request limit of 1572864 (1.5 MiB): the API server cannot store it`,
    docs: "Kubernetes stores each object as JSON in one etcd request, limited to 1.5 MiB by default (etcd --max-request-bytes); a larger policy fails with 'etcdserver: request is too large' and isolates nothing. Most often an ipBlock around thousands of pods with distinct labels (one endpoint selector per covered identity); split the NetworkPolicy, or select those pods by labels they share.",
  },
  'backend-cilium/object-needs-server-side-apply': {
    severity: 'warning',
    message: paramMessage`CiliumNetworkPolicy ${'name'} takes ${'bytes'} bytes as JSON: client-side kubectl apply fails on objects over 262144 bytes; use kubectl apply --server-side, or kubectl create`,
    docs: "Client-side `kubectl apply` copies the whole object into its kubectl.kubernetes.io/last-applied-configuration annotation, and an object's annotations hold at most 256 KiB ('metadata.annotations: Too long: must have at most 262144 bytes', kubernetes/kubernetes#100572). Server-side apply keeps no such copy.",
  },
} as const;

/** Builds a diagnostic of this backend. */
export const ciliumDiagnostic = defineDiagnostics(ciliumDiagnostics);

/** Every code of this backend. */
export type CiliumDiagnosticCode = keyof typeof ciliumDiagnostics;
