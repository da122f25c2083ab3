// The items of a YAML List longer than a string may be (`kubectl get -o yaml` of a cluster near
// the Kubernetes limits: 1-2 GB), read a run of items at a time. kubectl prints
//
//   apiVersion: v1
//   items:
//   - apiVersion: v1
//     kind: Pod
//     ...
//   kind: List
//
// An item starts with a line `- ` at the indentation of the first one, and nowhere else: what an
// item holds is indented deeper (block scalars and folded lines included), so such a line is
// the start of the next item. A run from one item start to a later one is whole items: a YAML
// document of its own (a sequence), read by the same readers as a whole file (line reader,
// js-yaml, `yaml`).
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { dash, space } from './char-codes.js';
import { isListValue } from './json-items.js';
import { firstIndices, runOf, typedListDefaults, type ItemDefaults, type ListItems } from './list-items.js';
import { parseYamlDocuments, walkRange } from './source-file.js';
import type { ByteText } from './text.js';
import { nextLine, restIsEmpty, YamlLocator } from './yaml-locate.js';
import { readYamlText } from './yaml-read.js';
import jsyaml from 'js-yaml';
import { coreSchema } from './jsyaml-core.js';

/** What a run that does not parse is read after, for its errors: the head of a List. */
const listHead = 'kind: List\nitems:\n';

/** What comes before the items and after them is read whole: more than this, and it is refused. */
const maxFrame = 64 * 1024;
/** The last run holds the last items and what follows them: more than this, and it is refused. */
const lastRunBytes = 64 << 20;

/** Where the items of a YAML List start, and their indentation; undefined unless plainly so. */
export function yamlItemsStart(text: ByteText): YamlItemsStart | undefined {
  const key = text.slice(0, 6) === 'items:' ? 0 : text.indexOf('\nitems:') + 1;
  if ((key === 0 && text.slice(0, 6) !== 'items:') || key > maxFrame) return undefined;
  // The rest of the `items:` line is empty; the first line with content after it is `- `.
  let line = key + 6;
  if (!restIsEmpty(text, line)) return undefined;
  for (;;) {
    line = nextLine(text, line);
    if (line >= text.length) return undefined;
    if (!restIsEmpty(text, line)) break;
  }
  let at = line;
  while (text.charCodeAt(at) === space) at++;
  if (text.charCodeAt(at) !== dash || text.charCodeAt(at + 1) !== space) return undefined;
  return { key, start: line, indent: at - line };
}

/** Where a YAML List's `items:` key is, where its first item starts, and the items' indentation. */
export interface YamlItemsStart {
  readonly key: number;
  readonly start: number;
  readonly indent: number;
}

/** The file offset of offset `at` of a run's text (which starts at `start`). */
function fileOffset(start: number, run: string, ascii: boolean, at: number): number {
  return start + (ascii ? at : Buffer.byteLength(run.slice(0, at)));
}

const nonAscii = /[^\x00-\x7f]/;

/** The items of a YAML List, read a run of about `runBytes` at a time (see the file comment). */
export class YamlItems implements ListItems {
  /** Once a first reading went through them all: (start, end, item count) per run. */
  private runs: Float64Array | undefined;
  private firsts: Float64Array | undefined;
  /** What the first reading reported, reported again by a second one (`netpolc diff`). */
  private readonly reported: Diagnostic[] = [];
  /** The run located in last (diagnostics are located in file order). */
  private located: { readonly run: number; readonly body: string; readonly ascii: boolean; readonly locator: YamlLocator } | undefined;
  /** An item start: a newline, the items' indentation and `- `. */
  private readonly entry: string;
  /** A line that ends the items: content at their indentation or less that is no item start. */
  private readonly ending: RegExp;

  readonly itemDefaults: ItemDefaults | undefined;

  constructor(
    private readonly text: ByteText,
    private readonly path: string,
    private readonly at: YamlItemsStart,
    private readonly runBytes: number,
  ) {
    this.itemDefaults = typedListDefaults(headOf(text.slice(0, at.key)));
    this.entry = `\n${' '.repeat(at.indent)}- `;
    // Content at a lesser indentation, or at theirs but no item start (`- `); not comments or
    // blank lines. A tab where indentation is (invalid YAML) stays in the run, whose reading
    // reports it.
    const k = at.indent;
    const other = '[^ \\-\\r\\n#\\t]|-(?! )';
    this.ending = new RegExp(k === 0 ? `\\n(?:${other})` : `\\n(?: {0,${k - 1}}[^ \\r\\n#\\t]| {${k}}(?:${other}))`);
  }

  forEach(each: (value: Record<string, unknown> | undefined, index: number) => boolean, known?: (index: number) => boolean, report?: (d: Diagnostic) => void): boolean {
    if (this.runs) {
      if (report) for (const d of this.reported) report(d);
      return this.again(this.runs, each, known);
    }
    const { text, entry } = this;
    const found: number[] = [];
    const warned = new Set<string>();
    const keep = (d: Diagnostic): void => {
      this.reported.push(d);
      report?.(d);
    };
    let index = 0;
    let at = this.at.start;
    for (let last = false; !last; ) {
      // The first item start a run's length on, else the end of the file (the last run: what
      // remains of the items, and what follows them, which must be short).
      const cut = text.indexOf(entry, at + this.runBytes - 1);
      let stop = cut < 0 ? text.length : cut + 1;
      if (cut < 0 && stop - at > lastRunBytes) return false;
      let body = text.slice(at, stop);
      const ending = this.ending.exec(body);
      if (ending || cut < 0) {
        last = true;
        if (ending) body = body.slice(0, ending.index + 1);
        stop = at + Buffer.byteLength(body);
        if (text.length - stop > maxFrame) return false;
      }
      const run = this.readRun(at, body, keep, warned);
      if (!run) return false;
      found.push(at, stop, run.count);
      for (const value of run.items ?? new Array<undefined>(run.count)) {
        // A run that did not parse reported why; its items are missing, the others are read.
        if (value !== undefined && !each(value, index)) return false;
        index++;
      }
      at = stop;
    }
    if (!this.isList(at)) return false;
    this.runs = Float64Array.from(found);
    return true;
  }

  range(index: number, path: readonly (string | number)[], key: boolean): [number, number] | undefined {
    const { runs } = this;
    if (!runs) return undefined;
    const firsts = (this.firsts ??= firstIndices(runs));
    const r = runOf(runs, firsts, index);
    if (r < 0) return undefined;
    if (this.located?.run !== r) {
      const body = this.text.slice(runs[r * 3]!, runs[r * 3 + 1]!);
      // Under a List's head: the locator follows a mapping's keys to the item and parses only
      // that (at the top of a document, a sequence would be parsed whole, a megabyte a time).
      this.located = { run: r, body, ascii: this.text.isAscii() || !nonAscii.test(body), locator: new YamlLocator(listHead + body, 1) };
    }
    const { body, ascii, locator } = this.located;
    const inRun = ['items', index - firsts[r]!, ...path];
    const found = locator.range(0, inRun, key) ?? walkRange(parseYamlDocuments(listHead + body)[0]?.contents, inRun, key);
    if (!found) return undefined;
    const start = runs[r * 3]!;
    const at = (p: number): number => fileOffset(start, body, ascii, Math.max(0, p - listHead.length));
    return [at(found[0]), at(found[1])];
  }

  /**
   * Reads the items of a run (`body`, from `start` on) as a List: its items, or none when the
   * run does not parse (its errors reported); undefined when the reading must stop (not a List
   * of plain objects, or not as many items as item starts).
   */
  private readRun(start: number, body: string, report: (d: Diagnostic) => void, warned: Set<string>): { count: number; items: readonly Record<string, unknown>[] | undefined } | undefined {
    let count = 1;
    for (let i = body.indexOf(this.entry); i >= 0; i = body.indexOf(this.entry, i + 1)) count++;
    const docs: unknown[] = [];
    const found: Diagnostic[] = [];
    // The run is a document of its own: a sequence of the items (indented as they are).
    readYamlText(body, this.path, docs, found, { bulk: true });
    let head = '';
    if (found.some((d) => d.severity === 'error')) {
      // Read again as the items of a List, as they are in the file: the errors are then the ones a
      // whole reading gives (a tab in the indentation, say, and not what follows from it).
      head = listHead;
      docs.length = 0;
      found.length = 0;
      readYamlText(head + body, this.path, [], found, { bulk: true });
    }
    const ascii = this.text.isAscii() || !nonAscii.test(body);
    for (const d of found) {
      // YAML 1.1 words and numbers are reported once per value, as for a whole file.
      if (d.code === 'ir/yaml11-boolean' || d.code === 'ir/yaml11-string') {
        if (warned.has(d.message)) continue;
        warned.add(d.message);
      }
      const t = d.target;
      const at = (p: number): number => fileOffset(start, body, ascii, Math.max(0, p - head.length));
      report(t.kind === 'span' ? { ...d, target: { ...t, pos: at(t.pos), end: at(t.end) } } : d);
    }
    if (head) return { count, items: undefined };
    const items = docs.length === 1 && Array.isArray(docs[0]) ? (docs[0] as unknown[]) : undefined;
    if (!items || items.length !== count) return undefined;
    for (const v of items) if (typeof v !== 'object' || v === null || Array.isArray(v) || isListValue(v)) return undefined;
    return { count, items: items as Record<string, unknown>[] };
  }

  /** Whether the text around the items (before the `items:` key, from `end` on) makes the file one List. */
  private isList(end: number): boolean {
    const around = this.text.slice(0, this.at.key) + this.text.slice(end);
    let docs: unknown[];
    try {
      docs = jsyaml.loadAll(around, undefined, { schema: coreSchema });
    } catch {
      return false;
    }
    const value = docs.length === 1 ? docs[0] : undefined;
    return typeof value === 'object' && value !== null && !('items' in value) && isListValue({ ...value, items: [] });
  }

  /** A second reading, by the runs the first found: runs whose items are all known are not parsed again. */
  private again(runs: Float64Array, each: (value: Record<string, unknown> | undefined, index: number) => boolean, known: ((index: number) => boolean) | undefined): boolean {
    let index = 0;
    for (let r = 0; r < runs.length; r += 3) {
      const count = runs[r + 2]!;
      let items: readonly (Record<string, unknown> | undefined)[] | undefined;
      for (let k = 0; k < count; k++, index++) {
        if (known?.(index)) {
          if (!each(undefined, index)) return false;
          continue;
        }
        // Its diagnostics were reported again above.
        items ??= this.readRun(runs[r]!, this.text.slice(runs[r]!, runs[r + 1]!), () => undefined, new Set())?.items ?? new Array<undefined>(count);
        const value = items[k];
        if (value !== undefined && !each(value, index)) return false;
      }
    }
    return true;
  }
}

/** The keys before a List's `items:`, read as a mapping; undefined when they are not one. */
function headOf(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = jsyaml.load(text, { schema: coreSchema });
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
