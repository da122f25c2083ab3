// The items of a large JSON `List` (what `kubectl get -o json` prints), parsed one at a time.
// `JSON.parse` of the whole text builds every item before the first is lowered: at kube-scale
// (185k items, 81 MB) the young-generation collections copy that whole tree and a full
// collection marks it, and the lowering then reads it back scattered across the heap. Parsed one
// by one, an item is lowered while it is still in the cache and dies young: only what the IR
// keeps survives (peak RSS 650 MB instead of 870 at kube-scale).
import { closeBrace, closeBracket, colon, comma, openBrace, openBracket, quote } from './char-codes.js';
import { JsonLocator, skipSpaces, stringEnd, valueEnd } from './json-locate.js';
import { firstIndices, runOf, typedListDefaults, type ItemDefaults, type ListItems } from './list-items.js';
import type { Text } from './text.js';

/**
 * Offset of the `[` of the `items` of a JSON object, when the text is plainly such an object up
 * to there (keys without escapes, no `items` before); undefined otherwise, and the whole text is
 * then parsed at once.
 */
export function itemsStart(text: Text): number | undefined {
  let i = skipSpaces(text, 0);
  if (text.charCodeAt(i) !== openBrace) return undefined;
  i = skipSpaces(text, i + 1);
  for (;;) {
    const key = plainKey(text, i);
    if (!key) return undefined;
    i = key.value;
    // An empty list is left to the whole reading (it reports the file as empty).
    if (key.name === 'items') return text.charCodeAt(i) === openBracket && text.charCodeAt(skipSpaces(text, i + 1)) !== closeBracket ? i : undefined;
    i = skipSpaces(text, valueEnd(text, i));
    if (text.charCodeAt(i) !== comma) return undefined;
    i = skipSpaces(text, i + 1);
  }
}

/** The key at `at` without its quotes and where its value starts, unless it holds an escape. */
function plainKey(text: Text, at: number): { name: string; value: number } | undefined {
  if (text.charCodeAt(at) !== quote) return undefined;
  const end = stringEnd(text, at);
  const name = text.slice(at + 1, end - 1);
  if (name.includes('\\')) return undefined;
  const c = skipSpaces(text, end);
  return text.charCodeAt(c) === colon ? { name, value: skipSpaces(text, c + 1) } : undefined;
}

/** `}`, the text between two items and the second's `{` through its first key (or undefined). */
function firstSeparator(text: Text, end: number, next: number): string | undefined {
  if (text.charCodeAt(next) !== openBrace) return undefined;
  const key = skipSpaces(text, next + 1);
  return text.charCodeAt(key) === quote ? `}${text.slice(end, stringEnd(text, key))}` : undefined;
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A run that fails (an item holds the separator) is tried again only after this many items. */
const runMissItems = 256;

/**
 * The items in `text` from `start` (where an item starts) to `end`, parsed at once; undefined
 * unless that text is a list of objects. A text that starts an item and parses as a list of
 * values is that many whole items: each value is known from its first character on.
 */
function parsedRun(text: Text, start: number, end: number): readonly Record<string, unknown>[] | undefined {
  // Read outside the try: a source that fails to read again is not a run that fails to parse.
  const run = `[${text.slice(start, end)}]`;
  let values: unknown;
  try {
    values = JSON.parse(run);
  } catch {
    return undefined;
  }
  for (const v of values as unknown[]) if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return values as Record<string, unknown>[];
}

/** Whether a parsed JSON value is a Kubernetes List (see collectObjects). */
export function isListValue(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const kind = (value as Record<string, unknown>)['kind'];
  return typeof kind === 'string' && kind.endsWith('List') && 'items' in value;
}

/**
 * The items of a JSON List. Where an item ends is found without reading it character by
 * character: the text between the first two items (`},{"apiVersion"`, with kubectl's
 * indentation when it indents) is looked for, and what lies before it is taken for the item if
 * it parses as one value. A value is known from its first character on, so a text that starts an
 * item and parses whole is that item; when it does not parse (the separator also occurred inside
 * the item), the item is read by a scanner instead. Small items are parsed in runs, the text up
 * to a later separator parsed as a list: a list of values there is that many whole items.
 */
export class JsonItems implements ListItems {
  /**
   * Once a first reading went through them all: the runs of items it parsed at once, as
   * (start, end, item count) triples.
   */
  private runs: Float64Array | undefined;
  /** Per run, the index of its first item (made on first use). */
  private firstIndices: Float64Array | undefined;
  /** Per run located in, where each of its items starts (found once per run, on first use). */
  private readonly itemStarts = new Map<number, Float64Array>();
  private locator: JsonLocator | undefined;
  readonly itemDefaults: ItemDefaults | undefined;

  /**
   * `runChars`: at most this many characters of items are parsed by one `JSON.parse` (0: one
   * item at a time).
   */
  constructor(
    private readonly text: Text,
    private readonly open: number,
    private readonly runChars: number,
  ) {
    // The keys before the items, closed: `{"kind":"PodList","apiVersion":"v1","items":[]}`.
    this.itemDefaults = typedListDefaults(parsed(`${text.slice(0, open)}[]}`));
  }

  /**
   * Calls `each` with every item in order, until it returns false (on a second reading, with
   * undefined for the items `known` names). False when it did, or when
   * the whole text must be parsed instead: an item that does not parse or is no object, anything
   * but commas between items, a text around the items that is not JSON or not a List, or another
   * `items` after them (JSON.parse keeps the last).
   */
  forEach(each: (value: Record<string, unknown> | undefined, index: number) => boolean, known?: (index: number) => boolean): boolean {
    const { text, runs } = this;
    if (runs) return this.again(runs, each, known);
    const found: number[] = [];
    let i = skipSpaces(text, this.open + 1);
    let close = i;
    let separator: string | undefined;
    // Where the separator occurs next (-1: nowhere after), found again only once passed, so
    // that the look-ahead reads the text about once in all, whatever the items.
    let next = -1;
    // Where it occurs after `next`, when a run looked that far but took only one item.
    let following = -1;
    let misses = 0;
    let runMisses = 0;
    /** Runs are not tried again before this offset (a run failed there). */
    let noRunBefore = 0;
    for (let index = 0; text.charCodeAt(i) !== closeBracket; ) {
      if (text.charCodeAt(i) !== openBrace) return false;
      let end = -1;
      let values: readonly Record<string, unknown>[] | undefined;
      // Looking ahead stops when it misses for more than one item in eight (nested Lists).
      if (separator !== undefined && next !== -1 && misses * 8 <= index) {
        if (next < i) next = following >= i ? following : text.indexOf(separator, i);
        if (next !== -1 && i >= noRunBefore && runMisses * runMissItems <= index) {
          // The items up to the last separator within runChars, parsed at once.
          let stop = next;
          let after = text.indexOf(separator, next + 1);
          following = after;
          while (after !== -1 && after - i < this.runChars) {
            stop = after;
            after = text.indexOf(separator, after + 1);
          }
          if (stop !== next) {
            values = parsedRun(text, i, stop + 1);
            if (values) {
              end = stop + 1;
              next = after;
            } else {
              runMisses++;
              noRunBefore = stop;
            }
          }
        }
        if (!values && next !== -1) {
          const value = parsed(text.slice(i, next + 1));
          if (value) {
            values = [value];
            end = next + 1;
          } else misses++;
        }
      }
      if (!values) {
        end = valueEnd(text, i);
        const value = parsed(text.slice(i, end));
        if (!value) return false;
        values = [value];
      }
      found.push(i, end, values.length);
      for (const value of values) if (!each(value, index++)) return false;
      i = skipSpaces(text, end);
      close = i;
      if (text.charCodeAt(i) === closeBracket) break;
      if (text.charCodeAt(i) !== comma) return false;
      const start = skipSpaces(text, i + 1);
      if (separator === undefined) {
        separator = firstSeparator(text, end, start);
        next = separator === undefined ? -1 : text.indexOf(separator, start);
      }
      i = start;
    }
    if (!this.aroundIsList(close)) return false;
    // 64-bit offsets: a List read from its bytes may be longer than 4 GiB.
    this.runs = Float64Array.from(found);
    return true;
  }

  /**
   * A second reading, by the runs the first found: items the caller already knows (`known`) are
   * not parsed again (a run is parsed only for the items it holds that are not known), `each`
   * gets undefined for them.
   */
  private again(runs: Float64Array, each: (value: Record<string, unknown> | undefined, index: number) => boolean, known?: (index: number) => boolean): boolean {
    let index = 0;
    for (let r = 0; r < runs.length; r += 3) {
      const start = runs[r]!;
      const end = runs[r + 1]!;
      const count = runs[r + 2]!;
      let values: readonly Record<string, unknown>[] | undefined;
      for (let k = 0; k < count; k++, index++) {
        if (known?.(index)) {
          if (!each(undefined, index)) return false;
          continue;
        }
        values ??= count === 1 ? [parsed(this.text.slice(start, end))!] : parsedRun(this.text, start, end)!;
        if (!each(values[k], index)) return false;
      }
    }
    return true;
  }

  /** {@link ListItems.range}: the path is followed from the item's range ({@link itemRange}). */
  range(index: number, path: readonly (string | number)[], key: boolean): [number, number] | undefined {
    const item = this.itemRange(index);
    if (!item) return undefined;
    this.locator ??= new JsonLocator(this.text);
    return this.locator.range(path, key, item);
  }

  /**
   * The range of item `index` once a first reading went through them all (else undefined), as
   * the JSON locator gives it: found within its run, not by reading every item before it (the
   * last item of a 4.5 GB List took 48 s to locate from the top).
   */
  itemRange(index: number): [number, number] | undefined {
    const { runs, text } = this;
    if (!runs) return undefined;
    const firsts = (this.firstIndices ??= firstIndices(runs));
    const r = runOf(runs, firsts, index);
    if (r < 0) return undefined;
    const count = runs[r * 3 + 2]!;
    if (count === 1) return [runs[r * 3]!, runs[r * 3 + 1]!];
    // Every item of a run is found at once: 20 000 diagnostics in one List walked their runs
    // from the start each, a megabyte a time (15 s).
    let starts = this.itemStarts.get(r);
    if (!starts) {
      starts = new Float64Array(count);
      let at = runs[r * 3]!;
      for (let k = 0; k < count; k++) {
        starts[k] = at;
        // Items in a run are separated by one comma (the reading checked it).
        if (k + 1 < count) at = skipSpaces(text, skipSpaces(text, valueEnd(text, at)) + 1);
      }
      this.itemStarts.set(r, starts);
    }
    const at = starts[index - firsts[r]!]!;
    return [at, valueEnd(text, at)];
  }

  /** Whether the text without the items (closing at `close`) is a List, with no other `items`. */
  private aroundIsList(close: number): boolean {
    const { text } = this;
    let i = skipSpaces(text, close + 1);
    while (text.charCodeAt(i) === comma) {
      const key = plainKey(text, skipSpaces(text, i + 1));
      if (!key || key.name === 'items') return false;
      i = skipSpaces(text, valueEnd(text, key.value));
    }
    return isListValue(parsed(`${text.slice(0, this.open)}[]${text.slice(close + 1)}`));
  }
}
