import { compareValues } from '../util/compare.js';

/** Label selector operators (`matchExpressions[].operator`). */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One requirement: `{key, operator, values}`; `matchLabels: {k: v}` becomes `k In [v]`. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted and deduplicated; empty for Exists/DoesNotExist. */
  readonly values: readonly string[];
}

/**
 * A canonical label selector: requirements sorted by key, operator, values and deduplicated, so
 * equivalent inputs are structurally identical. The empty selector matches everything.
 */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
}

/** The selector that matches everything (`{}`). */
export const matchAll: LabelSelector = Object.freeze({ requirements: Object.freeze([]) });

const operatorOrder: Record<SelectorOperator, number> = { In: 0, NotIn: 1, Exists: 2, DoesNotExist: 3 };

/** Builds a canonical selector from requirements in any order. */
export function canonicalSelector(requirements: readonly Requirement[]): LabelSelector {
  const normalized = requirements.map((r) => ({
    key: r.key,
    operator: r.operator,
    values: [...new Set(r.values)].sort(),
  }));
  normalized.sort(
    (a, b) =>
      compareValues(a.key, b.key) ||
      operatorOrder[a.operator] - operatorOrder[b.operator] ||
      compareLists(a.values, b.values),
  );
  const out: Requirement[] = [];
  for (const r of normalized) {
    const last = out[out.length - 1];
    if (last && last.key === r.key && last.operator === r.operator && compareLists(last.values, r.values) === 0) continue;
    out.push(r);
  }
  return { requirements: out };
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length - b.length;
}

// Selectors are immutable: each one's key is built once (resolve asks for it per rule peer).
const keys = new WeakMap<LabelSelector, string>();

/** One requirement's part of a selector key (`values` joined by \u0002); parts are joined by \u0003. */
function requirementText(key: string, operator: SelectorOperator, values: string): string {
  return `${key}\u0001${operator}\u0001${values}`;
}

function keyText(selector: LabelSelector): string {
  return selector.requirements.map((r) => requirementText(r.key, r.operator, r.values.join('\u0002'))).join('\u0003');
}

/**
 * The {@link selectorKey} of a selector of `matchLabels` only, from the labels themselves: each
 * is `key In [value]`, and the canonical order of such requirements is by key.
 */
export function matchLabelsKey(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort(compareValues);
  let key = '';
  for (let i = 0; i < names.length; i++) key += `${i > 0 ? '\u0003' : ''}${requirementText(names[i]!, 'In', labels[names[i]!]!)}`;
  return key;
}

/** A stable text key of a canonical selector (for memoisation and dedup). */
export function selectorKey(selector: LabelSelector): string {
  let key = keys.get(selector);
  if (key === undefined) {
    key = keyText(selector);
    keys.set(selector, key);
  }
  return key;
}

/**
 * One object per distinct selector of a program: policies repeat a few selectors (`app: web`,
 * `team: a`) thousands of times, and each copy kept is some objects the collector copies and
 * every later selector memo looks up again. Scoped to one load, so nothing outlives it.
 */
export class SelectorTable {
  private readonly byKey = new Map<string, LabelSelector>();

  /** The table's selector whose {@link selectorKey} is `key`, if there is one yet. */
  byText(key: string): LabelSelector | undefined {
    return this.byKey.get(key);
  }

  /** The table's selector equal to this one (this one, if it is the first). */
  intern(selector: LabelSelector): LabelSelector {
    const key = keyText(selector);
    const found = this.byKey.get(key);
    if (found) return found;
    this.byKey.set(key, selector);
    keys.set(selector, key);
    return selector;
  }
}

/** Human-readable form, kubectl style: `app=web,tier in (a,b),!legacy`. */
export function formatSelector(selector: LabelSelector): string {
  if (selector.requirements.length === 0) return '{}';
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}
