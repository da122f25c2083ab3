/** What {@link memoized} keeps values in: a Map, or a WeakMap for object keys. */
export interface Memo<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The value for `key` in `memo`, made by `make` (and kept there) the first time it is asked for. */
export function memoized<K, V>(memo: Memo<K, V>, key: K, make: (key: K) => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = make(key);
    memo.set(key, value);
  }
  return value;
}

/** A value computed on first use; the builder (and what it holds) is released after. */
export function lazy<T>(build: () => T): () => T {
  let pending: (() => T) | undefined = build;
  let value: T | undefined;
  return () => {
    if (pending) {
      value = pending();
      pending = undefined;
    }
    return value as T;
  };
}
