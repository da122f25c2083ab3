// A trie over lists of keys compared by identity (tuple objects, numbers), for what backends
// build once per distinct list: pods with the same tuples walk to one node. Most paths do not
// branch, so a node keeps its first child in plain fields and makes a map only for a second one
// (a map per node was a sixth of what the nftables emit kept for its chain bodies).

/** A node of a {@link trieStep} trie, with the value stored for the list that ends here. */
export interface TrieNode<K, V> {
  value: V | undefined;
  firstKey: K | undefined;
  first: TrieNode<K, V> | undefined;
  more: Map<K, TrieNode<K, V>> | undefined;
}

/** An empty node (a root, or a new child). */
export function trieNode<K, V>(): TrieNode<K, V> {
  return { value: undefined, firstKey: undefined, first: undefined, more: undefined };
}

/** The child of `node` for `key` (never `undefined`), made on first use. */
export function trieStep<K, V>(node: TrieNode<K, V>, key: K): TrieNode<K, V> {
  if (node.firstKey === key) return node.first!;
  if (node.first === undefined) {
    node.firstKey = key;
    return (node.first = trieNode());
  }
  node.more ??= new Map();
  let child = node.more.get(key);
  if (!child) node.more.set(key, (child = trieNode()));
  return child;
}
