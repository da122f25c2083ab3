import type { BackendInput, EmitResult } from '../backend.js';
import { isDnsLabel } from '../lower/names.js';

/**
 * The last line of every host firewall file (iptables, ip6tables, ipset, nft), a comment each tool
 * ignores: a file cut short at a line boundary (a copy that stopped, a full disk) may still be
 * valid input that leaves a node open (iptables rules without their hooks, an ipset created but
 * never filled, an nft file that deletes the table and stops), so loaders check for it first.
 */
export const endOfFileLine = '# netpolc: end of file';

/** Every namespace: see {@link answeredNamespaces}. */
export const everyNamespace: unique symbol = Symbol('every namespace');

/**
 * The namespaces whose files a compile answers for in its output directory: every namespace's
 * (one directory holds one compile's output: a namespace whose policies were all deleted must
 * lose its file, or `kubectl apply -f DIR` would restore them, whether or not an inventory lists
 * the namespace), or only those it is limited to (`--from-cluster --namespace`: the others'
 * files stay).
 */
export function answeredNamespaces(input: BackendInput): ReadonlySet<string> | typeof everyNamespace {
  return input.namespaces ? new Set(input.namespaces) : everyNamespace;
}

/**
 * For {@link EmitResult.owns}: which of `names` (nodes, namespaces; or any namespace name) a file
 * named `<prefix><name><suffix>` is of, with the suffix (one of `suffixes`); undefined for any
 * other name, so that a file a user put next to the output is never taken for a leftover.
 */
export function ownedName(path: string, names: ReadonlySet<string> | typeof everyNamespace, suffixes: readonly string[], prefix = ''): { readonly name: string; readonly suffix: string } | undefined {
  if (!path.startsWith(prefix)) return undefined;
  for (const suffix of suffixes) {
    if (path.length <= prefix.length + suffix.length || !path.endsWith(suffix)) continue;
    const name = path.slice(prefix.length, path.length - suffix.length);
    if (names === everyNamespace ? isDnsLabel(name) : names.has(name)) return { name, suffix };
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
