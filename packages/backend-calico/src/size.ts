// Whether the API server can store a policy, and whether client-side `kubectl apply` can apply it.
import { annotationLimit, etcdRequestLimit, storedBytesOver, type Diagnostic, type Target } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import { maxSelectorLength } from './lower-selector.js';
import type { CalicoNetworkPolicy, EntityRule } from './model.js';
import { objectData } from './print.js';

/** JSON punctuation and field names of a rule, its ports and its two entities: a generous bound. */
const ruleOverhead = 400;

function entityBound(e: EntityRule | undefined): number {
  if (!e) return 0;
  // A port is at most a quoted 15-character name and a comma (ranges are shorter).
  let n = 2 * maxSelectorLength + 18 * (e.ports?.length ?? 0);
  for (const s of e.nets ?? []) n += s.length + 3;
  for (const s of e.notNets ?? []) n += s.length + 3;
  return n;
}

/**
 * An upper bound of the policy's stored size, from counts alone (selectors are at most 1024
 * characters, or an error was reported): printing every policy's data to measure it would add a
 * second printing pass, when nearly every policy is far below the limits.
 */
function sizeBound(p: CalicoNetworkPolicy): number {
  let n = 1000 + p.metadata.name.length + p.metadata.namespace.length + maxSelectorLength;
  for (const r of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]) n += ruleOverhead + entityBound(r.source) + entityBound(r.destination);
  return n;
}

/**
 * Errors for a policy etcd cannot store (over 1.5 MiB as JSON), warnings for one client-side
 * `kubectl apply` cannot apply (over 256 KiB, the annotation it copies the object into).
 */
export function checkStoredSize(p: CalicoNetworkPolicy, target: Target, diagnostics: Diagnostic[]): void {
  if (sizeBound(p) <= annotationLimit) return;
  const bytes = storedBytesOver(objectData(p), annotationLimit) ?? 0;
  if (bytes > etcdRequestLimit) diagnostics.push(calicoDiagnostic('backend-calico/object-too-large', { name: p.metadata.name, bytes }, target));
  else if (bytes > annotationLimit) diagnostics.push(calicoDiagnostic('backend-calico/object-needs-server-side-apply', { name: p.metadata.name, bytes }, target));
}
