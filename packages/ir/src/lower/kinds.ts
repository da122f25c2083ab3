import { closest } from '../util/closest.js';

/** The kinds netpolc reads, as the API spells them. */
export const readKinds = ['NetworkPolicy', 'Namespace', 'Pod', 'Node', 'Service'] as const;

/**
 * Every kind of the two API versions netpolc reads from (Kubernetes 1.35; the core API is frozen,
 * networking.k8s.io/v1 gained IPAddress and ServiceCIDR in 1.33), with their lists. Another kind
 * there is one the API server has none of: kubectl refuses it ("no matches for kind").
 */
const servedKinds: Readonly<Record<string, ReadonlySet<string>>> = {
  v1: withLists([
    'Binding',
    'ComponentStatus',
    'ConfigMap',
    'Endpoints',
    'Event',
    'LimitRange',
    'Namespace',
    'Node',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Pod',
    'PodTemplate',
    'ReplicationController',
    'ResourceQuota',
    'Secret',
    'Service',
    'ServiceAccount',
  ]),
  'networking.k8s.io/v1': withLists(['NetworkPolicy', 'Ingress', 'IngressClass', 'IPAddress', 'ServiceCIDR']),
};

function withLists(kinds: readonly string[]): ReadonlySet<string> {
  return new Set([...kinds, ...kinds.map((k) => `${k}List`), 'List']);
}

/** What an object's kind says about it when netpolc does not read that kind. */
export type KindReading =
  /** A kind netpolc reads, misspelt: the object is refused by the API server, so not skipped. */
  | { readonly kind: 'misspelled'; readonly meant: string }
  /** A kind the API version has none of, not near one netpolc reads. */
  | { readonly kind: 'unknown' }
  /** Another kind (of another API, or one netpolc does not read): skipped. */
  | { readonly kind: 'other' };

/**
 * Reads a kind netpolc does not read. Kinds are case-sensitive, so one that differs from a read
 * kind in case only is misspelt in any API version. In `v1` and `networking.k8s.io/v1`, whose
 * kinds are known, an unserved kind near a read one (`NetworkPolicies`, `Pods`, a stray space) is
 * misspelt too: it was meant as that object, which must not vanish from the verdicts.
 */
export function readKind(apiVersion: string, kind: string): KindReading {
  const caseOnly = readKinds.find((k) => k.toLowerCase() === kind.toLowerCase());
  if (caseOnly !== undefined && caseOnly !== kind) return { kind: 'misspelled', meant: caseOnly };
  const served = servedKinds[apiVersion];
  if (served === undefined || served.has(kind)) return { kind: 'other' };
  const trimmed = kind.trim().toLowerCase();
  const meant = readKinds.find((k) => trimmed.startsWith(k.toLowerCase())) ?? closest(trimmed, readKinds);
  return meant === undefined ? { kind: 'unknown' } : { kind: 'misspelled', meant };
}
