// Comparing plain data trees (rules, selectors) as their serialised forms compare.

/**
 * Whether two rule trees (plain objects, lists, scalars) serialise alike: the same keys in the
 * same order with equal values, keys whose value is undefined left out, as JSON.stringify does.
 */
export function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // In a list, undefined serialises as null.
    for (let i = 0; i < a.length; i++) if (!sameTree(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const ka = definedKeys(a as Record<string, unknown>);
  const kb = definedKeys(b as Record<string, unknown>);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameTree((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}

function definedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/** From this many distinct trees on, repeats are found by serialised keys (a rule may have thousands of peers). */
const keyedFrom = 16;

/**
 * The trees without repeats (as serialised), in their order. Most lists are short (a direction
 * has one rule or two): each tree is compared with those kept, which stops at the first
 * difference; serialising every rule to a key took 0.45 s of a kube-scale emit.
 */
export function distinctTrees<T>(list: readonly T[]): T[] {
  const out: T[] = [];
  let keys: Set<string> | undefined;
  for (const t of list) {
    if (keys === undefined && out.length < keyedFrom) {
      if (out.some((u) => sameTree(u, t))) continue;
    } else {
      keys ??= new Set(out.map((u) => JSON.stringify(u)));
      const key = JSON.stringify(t);
      if (keys.has(key)) continue;
      keys.add(key);
    }
    out.push(t);
  }
  return out;
}
