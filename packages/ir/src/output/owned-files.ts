import type { EmitResult } from '../backend.js';

/**
 * For {@link EmitResult.owns}: which of `names` (nodes, namespaces) a file named
 * `<prefix><name><suffix>` is of, with the suffix (one of `suffixes`); undefined for any other
 * name, so that a file a user put next to the output is never taken for a leftover.
 */
export function ownedName(path: string, names: ReadonlySet<string>, suffixes: readonly string[], prefix = ''): { readonly name: string; readonly suffix: string } | undefined {
  if (!path.startsWith(prefix)) return undefined;
  for (const suffix of suffixes) {
    if (path.length <= prefix.length + suffix.length || !path.endsWith(suffix)) continue;
    const name = path.slice(prefix.length, path.length - suffix.length);
    if (names.has(name)) return { name, suffix };
  }
  return undefined;
}
