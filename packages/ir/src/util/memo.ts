/** The value for `key` in `memo`, made by `make` (and kept there) the first time it is asked for. */
export function memoized<K, V>(memo: Map<K, V>, key: K, make: (key: K) => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = make(key);
    memo.set(key, value);
  }
  return value;
}
