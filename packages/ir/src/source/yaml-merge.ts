import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

// Merge keys (`<<: *base`) are read as YAML 1.1 defines them (yaml.org/type/merge): the merged
// mappings' keys join the mapping, a key written there wins, and of several merges the first
// wins. kubectl reads YAML with go-yaml v2 (the sigs.k8s.io/yaml fork, decode.go `mapping` and
// `merge`), which applies each `<<` where it stands instead, overwriting what is already set (of
// a list of sources, the first wins), and refuses an alias of anything but a mapping. Each
// mapping with a merge is read both ways here: where kubectl would read another object, the
// file means two things and is refused.

/** The mappings a merge value brings in, in go-yaml v2's order (last applied wins), or the node go-yaml refuses. */
function sources(tree: Document, value: unknown): { maps: YAMLMap[] } | { refused: unknown } {
  const one = (v: unknown): YAMLMap | undefined => {
    const target = isAlias(v) ? v.resolve(tree) : v;
    return isMap(target) ? target : undefined;
  };
  if (isSeq(value)) {
    const maps: YAMLMap[] = [];
    // go-yaml applies a list's sources from last to first, so that the first wins.
    for (let i = value.items.length - 1; i >= 0; i--) {
      const m = one(value.items[i]);
      if (!m) return { refused: value.items[i] };
      maps.push(m);
    }
    return { maps };
  }
  const m = one(value);
  return m ? { maps: [m] } : { refused: value };
}

/** Plain data equal whatever the order of keys. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const js = (tree: Document, node: unknown): unknown => (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node) ? node.toJS(tree, { maxAliasCount: 100 }) : node);

function range(node: unknown): [number, number] | undefined {
  return isScalar(node) || isMap(node) || isSeq(node) || isAlias(node) ? node.range?.slice(0, 2) as [number, number] | undefined : undefined;
}

function checkMap(tree: Document, map: YAMLMap, offset: number, path: string, diagnostics: Diagnostic[]): void {
  const at = ([pos, end]: [number, number]) => ({ kind: 'span', file: path, pos: pos + offset, end: end + offset }) as const;
  const kubectl = new Map<string, unknown>();
  /** The merge key that set each key last, for go-yaml. */
  const setBy = new Map<string, Scalar>();
  for (const pair of map.items) {
    const key = pair.key;
    if (isScalar(key) && typeof key.value === 'symbol') {
      const found = sources(tree, pair.value);
      if ('refused' in found) {
        const where = range(found.refused) ?? range(key) ?? [0, 0];
        diagnostics.push(irDiagnostic('ir/syntax', { detail: 'kubectl (go-yaml v2) refuses this merge (<<): it takes a mapping, an alias of one, or a list of them' }, at(where)));
        return;
      }
      for (const m of found.maps) {
        for (const [k, v] of Object.entries(js(tree, m) as Record<string, unknown>)) {
          kubectl.set(k, v);
          setBy.set(k, key);
        }
      }
      continue;
    }
    const k = String(js(tree, key));
    kubectl.set(k, js(tree, pair.value));
    setBy.delete(k);
  }
  const here = js(tree, map) as Record<string, unknown>;
  for (const [k, v] of kubectl) {
    if (Object.hasOwn(here, k) && same(here[k], v)) continue;
    const by = setBy.get(k);
    diagnostics.push(irDiagnostic('ir/yaml-merge-order', { key: k }, at(range(by) ?? range(map) ?? [0, 0])));
    return;
  }
}

/**
 * Reports the mappings of trees (whose ranges start at `offset`) whose merge keys kubectl reads
 * otherwise (see above). The trees must have been read without error.
 */
export function checkMerges(docs: readonly { readonly tree: Document; readonly offset: number }[], path: string, diagnostics: Diagnostic[]): void {
  for (const { tree, offset } of docs) {
    visit(tree, {
      Map(_, map) {
        // go-yaml v2 merges only at an untagged `<<` (or `!!merge <<`): `!!str <<` is the plain key
        // "<<" to kubectl, a field no object has, where the yaml package merges all the same.
        const tagged = map.items.find((p) => isScalar(p.key) && p.key.type === 'PLAIN' && p.key.value === '<<' && p.key.tag !== undefined && p.key.tag !== 'tag:yaml.org,2002:merge');
        if (tagged) {
          const [pos, end] = range(tagged.key) ?? [0, 0];
          diagnostics.push(irDiagnostic('ir/syntax', { detail: 'kubectl (go-yaml v2) reads this tagged << as the plain key "<<", not as a merge: leave out the tag' }, { kind: 'span', file: path, pos: pos + offset, end: end + offset }));
          return;
        }
        if (!map.items.some((p) => isScalar(p.key) && typeof p.key.value === 'symbol')) return;
        try {
          checkMap(tree, map, offset, path, diagnostics);
        } catch {
          // A source the yaml package cannot read either: its own error was reported.
        }
      },
    });
  }
}

/** The range of the first merge value that is no mapping, nor a list of them (toJS refuses it), if any. */
export function badMergeSource(tree: Document): [number, number] | undefined {
  let found: [number, number] | undefined;
  const isSource = (v: unknown): boolean => isMap(isAlias(v) ? v.resolve(tree) : v);
  visit(tree, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') return undefined;
      const v = pair.value;
      if (isSource(v) || (isSeq(v) && v.items.every(isSource))) return undefined;
      found = range(v) ?? range(pair.key) ?? [0, 0];
      return visit.BREAK;
    },
  });
  return found;
}
