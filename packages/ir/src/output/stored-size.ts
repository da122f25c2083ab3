/**
 * etcd's default request limit (`--max-request-bytes` 1572864, etcd docs "Request size limit"):
 * Kubernetes stores a custom object as JSON in one request, so a larger object cannot be created
 * ("etcdserver: request is too large").
 */
export const etcdRequestLimit = 1_572_864;

/**
 * The most an object's annotations may hold (apimachinery TotalAnnotationSizeLimitB). Client-side
 * `kubectl apply` copies the whole object into one (kubectl.kubernetes.io/last-applied-configuration),
 * so a larger object needs `kubectl apply --server-side` or `kubectl create`.
 */
export const annotationLimit = 262_144;

/** Bytes of an object stored as compact JSON, as the API server writes it to etcd. */
function storedBytes(object: unknown): number {
  return Buffer.byteLength(JSON.stringify(object), 'utf8');
}

/**
 * The object's stored bytes when they may exceed `limit`, else undefined. An upper bound from
 * lengths alone comes first: printing 28 MB of policies to JSON only to count them took 180 ms
 * of a 5 s compile, when nearly every object is far below any limit.
 */
export function storedBytesOver(object: unknown, limit: number): number | undefined {
  if (sizeBound(object) <= limit) return undefined;
  const bytes = storedBytes(object);
  return bytes > limit ? bytes : undefined;
}

/** At least the UTF-8 bytes of JSON.stringify(value): a unit takes at most 6 (`\u001f`). */
function sizeBound(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 6 * value.length + 2;
    case 'object': {
      if (value === null) return 4;
      let n = 2;
      if (Array.isArray(value)) {
        for (const v of value) n += sizeBound(v) + 1;
        return n;
      }
      const o = value as Record<string, unknown>;
      for (const k in o) {
        const v = o[k];
        if (v !== undefined) n += 6 * k.length + 4 + sizeBound(v);
      }
      return n;
    }
    default:
      // Numbers print in at most 24 characters, booleans in 5; undefined in an array is null.
      return 24;
  }
}
