/**
 * The fields a NetworkPolicy (networking.k8s.io/v1) knows, by object: the checked reading reports
 * any other (an error, as kubectl's default strict validation), and the fast reading leaves an
 * object with any other to it.
 */
export const knownFields = {
  policy: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  // ObjectMeta (k8s.io/apimachinery meta/v1 types.go), clusterName included: dumps of clusters
  // before 1.25 may still carry it.
  metadata: [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
    'managedFields',
    'clusterName',
  ],
  spec: ['podSelector', 'policyTypes', 'ingress', 'egress'],
  ingressRule: ['from', 'ports'],
  egressRule: ['to', 'ports'],
  peer: ['podSelector', 'namespaceSelector', 'ipBlock'],
  ipBlock: ['cidr', 'except'],
  port: ['protocol', 'port', 'endPort'],
  selector: ['matchLabels', 'matchExpressions'],
  requirement: ['key', 'operator', 'values'],
} as const satisfies Record<string, readonly string[]>;
