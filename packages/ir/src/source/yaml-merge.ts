import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node, type YAMLMap } from 'yaml';
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

// Merge keys (`<<: *base`) are read as YAML 1.1 defines them, as kubectl reads them too (go-yaml
// v2 under sigs.k8s.io/yaml): the merged mappings' keys join the mapping, and a key written in
// the mapping wins. Except in one order: go-yaml v2 applies a merge where it stands, so a `<<`
// after a key overrides that key (gopkg.in/yaml.v2 decode.go, `mapping`). Where that gives the
// key another value, the file means two things: refused.

/** The key-value pairs a merge's value gives, as the `yaml` package reads them. */
function mergedEntries(tree: Document, value: unknown): [string, unknown][] {
  const sources = isSeq(value) ? value.items : [value];
  const out: [string, unknown][] = [];
  for (const s of sources) {
    const source = isAlias(s) ? s.resolve(tree) : s;
    if (!isMap(source)) continue;
    const js: unknown = (source as Node).toJS(tree, { maxAliasCount: 100 });
    if (typeof js === 'object' && js !== null) out.push(...Object.entries(js));
  }
  return out;
}

function checkMap(tree: Document, map: YAMLMap, offset: number, path: string, diagnostics: Diagnostic[]): void {
  const before = new Map<string, unknown>();
  for (const pair of map.items) {
    const key = pair.key;
    if (!isScalar(key)) continue;
    if (typeof key.value !== 'symbol') {
      before.set(String(key.value), pair.value);
      continue;
    }
    for (const [k, v] of mergedEntries(tree, pair.value)) {
      if (!before.has(k)) continue;
      const written = before.get(k);
      const here: unknown = isScalar(written) || isMap(written) || isSeq(written) || isAlias(written) ? written.toJS(tree, { maxAliasCount: 100 }) : written;
      if (JSON.stringify(here) === JSON.stringify(v)) continue;
      const [pos, end] = key.range ?? [0, 0];
      diagnostics.push(irDiagnostic('ir/yaml-merge-order', { key: k }, { kind: 'span', file: path, pos: pos + offset, end: end + offset }));
      break;
    }
  }
}

/** Reports merge keys that kubectl would read otherwise (see above), in trees whose ranges start at `offset`. */
export function checkMergeOrder(docs: readonly { readonly tree: Document; readonly offset: number }[], path: string, diagnostics: Diagnostic[]): void {
  for (const { tree, offset } of docs) {
    visit(tree, {
      Map(_, map) {
        if (map.items.some((p) => isScalar(p.key) && typeof p.key.value === 'symbol')) checkMap(tree, map, offset, path, diagnostics);
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
      const [pos, end] = (isScalar(v) || isMap(v) || isSeq(v) || isAlias(v) ? v.range : undefined) ?? pair.key.range ?? [0, 0];
      found = [pos, end];
      return visit.BREAK;
    },
  });
  return found;
}
