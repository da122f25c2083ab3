// Validation rules of k8s.io/apimachinery/pkg/util/validation (IsDNS1123Label,
// IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue).

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * apimachinery's qualified name part, `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, without its
 * length limit, as a loop: label values are mostly distinct per pod (pod-template-hash), so no
 * cache of valid ones helps, and the loop is several times faster than the regular expression
 * on such short texts (150k pods: 0.6 s of a kube-scale load).
 */
export function isQualifiedNamePart(value: string): boolean {
  const n = value.length;
  if (n === 0 || !isAlphanumeric(value.charCodeAt(0)) || !isAlphanumeric(value.charCodeAt(n - 1))) return false;
  for (let i = 1; i < n - 1; i++) {
    const c = value.charCodeAt(i);
    if (!isAlphanumeric(c) && c !== 45 /* - */ && c !== 95 /* _ */ && c !== 46 /* . */) return false;
  }
  return true;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** RFC 1123 label: at most 63 lower-case alphanumerics or '-', alphanumeric at both ends. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && dnsLabel.test(value);
}

/**
 * RFC 1123 subdomain as apimachinery checks it: dot-separated labels, at most 253 characters in
 * all and no limit per label (`IsDNS1123Subdomain` matches one expression and the total length;
 * its rewrite checks each part with `isDNS1123LabelExceptMaxLength`): a Pod named with 70
 * characters and no dot is valid.
 */
export function isDnsSubdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && dnsSubdomain.test(value);
}

// Inventories repeat the same few label keys on every pod: remember valid ones.
const validKeys = new Set<string>();
const cacheLimit = 100_000;

/** A label or annotation key: `[prefix/]name`. */
export function isLabelKey(value: string): boolean {
  if (validKeys.has(value)) return true;
  const ok = checkLabelKeySyntax(value);
  if (ok && validKeys.size < cacheLimit) validKeys.add(value);
  return ok;
}

function checkLabelKeySyntax(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1]!;
  if (parts.length === 2 && !isDnsSubdomain(parts[0]!)) return false;
  return name.length <= 63 && isQualifiedNamePart(name);
}

/** A label value: empty, or at most 63 characters starting and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && isQualifiedNamePart(value));
}

/**
 * IANA service name as `validation.IsValidPortName` checks it: at most 15 characters of
 * [a-z0-9-], at least one letter, no leading, trailing or doubled '-'.
 */
export function isPortName(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= 15 &&
    /^[a-z0-9-]+$/.test(value) &&
    /[a-z]/.test(value) &&
    !value.startsWith('-') &&
    !value.endsWith('-') &&
    !value.includes('--')
  );
}
