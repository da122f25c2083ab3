import { editDistance } from '../util/closest.js';

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
  /** A kind netpolc reads, of an API version that serves no such kind (`networking.k8s.io/v1 Pod`). */
  | { readonly kind: 'wrong-version'; readonly expected: string }
  /** A kind the API version has none of, not near one netpolc reads. */
  | { readonly kind: 'unknown' }
  /** Another kind (of another API, or one netpolc does not read): skipped. */
  | { readonly kind: 'other' };

/** The API version of each kind netpolc reads. */
const versionOf = (kind: (typeof readKinds)[number]): string => (kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'v1');

/**
 * Reads a kind netpolc does not read (NetworkPolicy's API versions are judged before). Kinds are
 * case-sensitive, so one that differs from a read kind in case only is misspelt in any API version.
 * A read kind in `networking.k8s.io/v1` or the core group (an apiVersion without a group) is of
 * the wrong version: other groups have kinds of these names (Knative's Service, Rancher's Node).
 * In `v1` and `networking.k8s.io/v1`, whose kinds are known, an unserved kind near a read one
 * (`NetworkPolicies`, `Pods`, a stray space) and nearer it than to a served kind was meant as that
 * object, which must not vanish from the verdicts; `Job` or `PodTemplates` are only unknown there.
 */
export function readKind(apiVersion: string, kind: string): KindReading {
  const exact = readKinds.find((k) => k === kind);
  if (exact !== undefined) return !apiVersion.includes('/') || apiVersion === 'networking.k8s.io/v1' ? { kind: 'wrong-version', expected: versionOf(exact) } : { kind: 'other' };
  const caseOnly = readKinds.find((k) => k.toLowerCase() === kind.toLowerCase());
  if (caseOnly !== undefined) return { kind: 'misspelled', meant: caseOnly };
  const served = servedKinds[apiVersion];
  if (served === undefined || served.has(kind)) return { kind: 'other' };
  const meant = nearestRead(kind.trim().toLowerCase(), served);
  return meant === undefined ? { kind: 'unknown' } : { kind: 'misspelled', meant };
}

/** The read kind `lower` is a likely typo of: a few letters added, or few edits away, and no served kind as near. */
function nearestRead(lower: string, served: ReadonlySet<string>): string | undefined {
  const distance = (k: string): number => editDistance(lower, k.toLowerCase());
  let meant: string | undefined = readKinds.find((k) => lower.startsWith(k.toLowerCase()) && lower.length - k.length <= 3);
  if (meant === undefined) {
    const best = [...readKinds].sort((a, b) => distance(a) - distance(b))[0]!;
    if (distance(best) <= Math.max(1, Math.floor(lower.length / 4))) meant = best;
  }
  if (meant === undefined) return undefined;
  const d = distance(meant);
  for (const s of served) if (!(readKinds as readonly string[]).includes(s) && distance(s) <= d) return undefined;
  return meant;
}
