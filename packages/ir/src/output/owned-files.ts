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

/** The longest file name, in bytes, that Linux file systems take (NAME_MAX). */
export const maxFileNameBytes = 255;

/**
 * The first of `names` longer than a file name may be, if any: a node name may have 253
 * characters (a DNS subdomain), and `<node>.ip6tables` then cannot be written anywhere.
 */
export function overlongFileName(names: readonly string[]): string | undefined {
  return names.find((n) => Buffer.byteLength(n) > maxFileNameBytes);
}
