/**
 * An array of `n` empty slots with fast elements: `new Array(n)` beyond 100k elements gets
 * dictionary elements in V8, a hash table per access.
 */
export function slots<T>(n: number): (T | undefined)[] {
  const out: (T | undefined)[] = [];
  for (let i = 0; i < n; i++) out.push(undefined);
  return out;
}
