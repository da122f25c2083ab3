import type { Labels } from '../model/inventory.js';
import type { LabelSelector, Requirement } from '../model/selector.js';
import { appendAll } from '../util/append.js';

/**
 * An inverted index over labelled items (pods of one namespace, or namespaces): `key=value` and
 * `key` to sorted item ids. Selectors are answered from the most selective positive requirement
 * and verified on that candidate list, so no selector scans every item unless it has no
 * positive requirement (semantics.md; Calico felix/labelindex, Antrea #566).
 */
export class LabelIndex {
  /** key → value → ids: no `key=value` string per label of every item. */
  private readonly byPair = new Map<string, Map<string, number[]>>();
  private readonly byKey = new Map<string, number[]>();
  private readonly all: number[] = [];

  constructor(private readonly labelsOf: (id: number) => Labels) {}

  /** Adds an item; ids must be added in increasing order so posting lists stay sorted. */
  add(id: number): void {
    this.all.push(id);
    const labels = this.labelsOf(id);
    for (const key in labels) {
      push(this.byKey, key, id);
      let values = this.byPair.get(key);
      if (!values) this.byPair.set(key, (values = new Map()));
      push(values, labels[key]!, id);
    }
  }

  /** Number of indexed items. */
  get size(): number {
    return this.all.length;
  }

  /**
   * Sorted ids of the items the selector matches (possibly an index list itself: read-only).
   * The candidates of a positive requirement are exactly the items it matches, so only the other
   * requirements are checked on them; a one-requirement selector (the usual `app: web`) is a
   * lookup.
   */
  select(selector: LabelSelector): readonly number[] {
    const reqs = selector.requirements;
    if (reqs.length === 0) return this.all;
    let best: readonly number[] | undefined;
    let source = -1;
    for (let i = 0; i < reqs.length; i++) {
      const c = this.candidates(reqs[i]!);
      if (c && (!best || c.length < best.length)) {
        best = c;
        source = i;
      }
      if (best && best.length === 0) return best;
    }
    if (!best) return this.all.filter((id) => matches(reqs, this.labelsOf(id)));
    if (reqs.length === 1) return best;
    const rest = reqs.filter((_, i) => i !== source);
    return best.filter((id) => matches(rest, this.labelsOf(id)));
  }

  private candidates(r: Requirement): readonly number[] | undefined {
    if (r.operator === 'Exists') return this.byKey.get(r.key) ?? [];
    if (r.operator !== 'In') return undefined;
    const values = this.byPair.get(r.key);
    if (!values) return [];
    if (r.values.length === 1) return values.get(r.values[0]!) ?? [];
    const lists = r.values.map((v) => values.get(v) ?? []);
    return mergeSorted(lists);
  }
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

function mergeSorted(lists: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const l of lists) appendAll(out, l);
  return out.sort((a, b) => a - b);
}

function matches(reqs: readonly Requirement[], labels: Labels): boolean {
  for (const r of reqs) {
    const value = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'In':
        if (value === undefined || !r.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && r.values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}
