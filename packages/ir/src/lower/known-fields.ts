/**
 * The fields a NetworkPolicy (networking.k8s.io/v1) knows, by object: the checked reading warns
 * about any other, and the fast reading leaves an object with any other to it.
 */
export const knownFields = {
  policy: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  spec: ['podSelector', 'policyTypes', 'ingress', 'egress'],
  ingressRule: ['from', 'ports'],
  egressRule: ['to', 'ports'],
  peer: ['podSelector', 'namespaceSelector', 'ipBlock'],
  ipBlock: ['cidr', 'except'],
  port: ['protocol', 'port', 'endPort'],
  selector: ['matchLabels', 'matchExpressions'],
  requirement: ['key', 'operator', 'values'],
} as const satisfies Record<string, readonly string[]>;
