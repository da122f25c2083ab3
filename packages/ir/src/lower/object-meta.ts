// The ObjectMeta fields of a NetworkPolicy that netpolc does not read but the API server checks
// (k8s.io/apimachinery/pkg/api/validation/objectmeta.go, and the types' JSON decoding): a policy
// the cluster refuses must not be compiled as if it were applied. Both readings of a policy call
// this (the fast one without a report, falling back to the checked one on any problem).
import { isDnsSubdomain, isLabelKey } from './names.js';
import { absent, isMap, type Fields } from './fields.js';

/** Told each problem: the path below `metadata` and what is wrong there. */
export type MetaReport = (path: readonly (string | number)[], problem: string) => void;

const stringFields = ['generateName', 'selfLink', 'uid', 'resourceVersion', 'clusterName', 'creationTimestamp', 'deletionTimestamp'] as const;
const integerFields = ['generation', 'deletionGracePeriodSeconds'] as const;
/** TotalAnnotationSizeLimitB: keys and values together, in bytes. */
const annotationBytes = 256 * 1024;

/**
 * NameIsDNSSubdomain with prefix=true: a generateName may end in `-`, which maskTrailingDash
 * replaces (dropping the character before it, as upstream does) before the check.
 */
function validGenerateName(prefix: string): boolean {
  return isDnsSubdomain(prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix);
}

/** Whether every such field holds; each problem is reported when `report` is given. */
export function checkObjectMeta(meta: Fields, report?: MetaReport): boolean {
  let ok = true;
  const bad = (path: readonly (string | number)[], problem: string): void => {
    ok = false;
    report?.(path, problem);
  };
  for (const f of stringFields) if (!absent(meta[f]) && typeof meta[f] !== 'string') bad([f], 'must be a string');
  for (const f of integerFields) if (!absent(meta[f]) && !Number.isInteger(meta[f])) bad([f], 'must be an integer');
  const generateName = meta['generateName'];
  if (typeof generateName === 'string' && generateName !== '' && !validGenerateName(generateName)) bad(['generateName'], `${JSON.stringify(generateName)} is no valid name prefix (RFC 1123 subdomain)`);
  checkAnnotations(meta['annotations'], bad);
  const finalizers = meta['finalizers'];
  if (!absent(finalizers)) {
    if (!Array.isArray(finalizers)) bad(['finalizers'], 'must be a list');
    else {
      finalizers.forEach((f, i) => {
        if (typeof f !== 'string') bad(['finalizers', i], 'must be a string');
        else if (!isLabelKey(f)) bad(['finalizers', i], `${JSON.stringify(f)} is no qualified name`);
      });
      if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) bad(['finalizers'], 'cannot hold both orphan and foregroundDeletion');
    }
  }
  checkOwners(meta['ownerReferences'], bad);
  if (!absent(meta['managedFields']) && !Array.isArray(meta['managedFields'])) bad(['managedFields'], 'must be a list');
  return ok;
}

function checkAnnotations(annotations: unknown, bad: MetaReport): void {
  if (absent(annotations)) return;
  if (!isMap(annotations)) return bad(['annotations'], 'must be a mapping');
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // ValidateAnnotations checks the key lowercased.
    if (!isLabelKey(k.toLowerCase())) bad(['annotations', k], `key ${JSON.stringify(k)} is no qualified name ([prefix/]name, name at most 63 characters)`);
    // A key without a value is stored as "" (Go's JSON decoding leaves a string at its zero value for null).
    if (v === null) bytes += Buffer.byteLength(k);
    else if (typeof v !== 'string') bad(['annotations', k], 'must be a string');
    else bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > annotationBytes) bad(['annotations'], `take ${bytes} bytes, over the API server's limit of ${annotationBytes}`);
}

function checkOwners(owners: unknown, bad: MetaReport): void {
  if (absent(owners)) return;
  if (!Array.isArray(owners)) return bad(['ownerReferences'], 'must be a list');
  let controllers = 0;
  owners.forEach((o, i) => {
    if (!isMap(o)) return bad(['ownerReferences', i], 'must be a mapping');
    for (const f of ['apiVersion', 'kind', 'name', 'uid']) if (typeof o[f] !== 'string' || o[f] === '') bad(['ownerReferences', i, f], 'is required (a non-empty string)');
    // schema.ParseGroupVersion: `version` or `group/version`, neither part empty.
    if (typeof o['apiVersion'] === 'string' && o['apiVersion'] !== '' && !/^[^/]+(?:\/[^/]+)?$/.test(o['apiVersion'])) bad(['ownerReferences', i, 'apiVersion'], `${JSON.stringify(o['apiVersion'])} is no group/version`);
    // BannedOwners: an Event owns nothing.
    if (o['apiVersion'] === 'v1' && o['kind'] === 'Event') bad(['ownerReferences', i], 'an Event cannot be an owner');
    for (const f of ['controller', 'blockOwnerDeletion']) if (!absent(o[f]) && typeof o[f] !== 'boolean') bad(['ownerReferences', i, f], 'must be a boolean');
    if (o['controller'] === true) controllers++;
  });
  if (controllers > 1) bad(['ownerReferences'], 'name more than one controller');
}
