import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { lastAtMost } from '../util/search.js';

/**
 * The kind and apiVersion of the items of a typed List (`PodList`, `NetworkPolicyList`: what the
 * API itself returns, `kubectl get --raw`), whose items name neither.
 */
export interface ItemDefaults {
  readonly kind: string;
  readonly apiVersion: string | undefined;
}

/** The {@link ItemDefaults} of a List object (its `items` aside); undefined for a plain `List`. */
export function typedListDefaults(list: Readonly<Record<string, unknown>> | undefined): ItemDefaults | undefined {
  const kind = list?.['kind'];
  if (typeof kind !== 'string' || kind === 'List' || !kind.endsWith('List')) return undefined;
  const apiVersion = list!['apiVersion'];
  return { kind: kind.slice(0, -'List'.length), apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined };
}

/**
 * The items of a large `List` file (JSON or YAML), read a run at a time while the loader lowers
 * them, so that the parsed items die young and a file longer than a string can be read at all.
 */
export interface ListItems {
  /**
   * Calls `each` with every item in order, until it returns false (on a second reading, with
   * undefined for the items `known` names). False when it did, or when the whole file must be
   * read instead (the items are not plainly a List of objects). `report` receives what the
   * reading itself finds (YAML syntax errors, YAML 1.1 scalars), located in the file.
   */
  forEach(each: (value: Record<string, unknown> | undefined, index: number) => boolean, known?: (index: number) => boolean, report?: (d: Diagnostic) => void): boolean;
  /**
   * Offset range of the node at `path` inside item `index` (with `key`, of the last step's key),
   * once a first reading went through every item; undefined otherwise.
   */
  range(index: number, path: readonly (string | number)[], key: boolean): [number, number] | undefined;
  /**
   * Of a typed List whose `kind` comes before its items (as the API writes it; kubectl's
   * `kind: List` comes after, and its items name their kind).
   */
  readonly itemDefaults: ItemDefaults | undefined;
}

/** Per run of (start, end, count) triples, the index of its first item. */
export function firstIndices(runs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(runs.length / 3);
  for (let r = 0, index = 0; r < out.length; r++) {
    out[r] = index;
    index += runs[r * 3 + 2]!;
  }
  return out;
}

/** The run (of `runs`, whose first indices are `firsts`) that holds item `index`; -1 for none. */
export function runOf(runs: ArrayLike<number>, firsts: Float64Array, index: number): number {
  if (index < 0) return -1;
  const r = lastAtMost(firsts.length, (i) => firsts[i]!, index);
  return r >= 0 && index - firsts[r]! < runs[r * 3 + 2]! ? r : -1;
}
