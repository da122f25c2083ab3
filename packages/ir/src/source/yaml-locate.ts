// Locating a path in a large block-YAML file without parsing all of it. The `yaml` package reads
// about 1 MB/s, so one warning on a 14 MB `kubectl get -o yaml` inventory took 20 s to locate.
// This walks down the path through the block structure (indentation, `key:` and `- ` lines) as
// far as it safely can, then parses only the node it reached (a List item: a few dozen lines)
// and finds the rest of the path in that tree. Anything it does not recognise returns undefined
// and the caller parses the whole file, as before. A property test holds the ranges to the
// whole-file tree's.
import { parseDocument, type Document } from 'yaml';
import { walkRange, yamlOptions } from './source-file.js';
import { lastAtMost } from '../util/search.js';
import { carriageReturn, colon, dash, dot, hash, newline, percent, space, tab } from './char-codes.js';
import type { Text } from './text.js';

/** A node of the text: its first character (after indentation or `- `) and where it ends. */
interface Region {
  readonly start: number;
  readonly end: number;
}

/** The start of the line after the one holding `at` (or the end of the text). */
export function nextLine(text: Text, at: number): number {
  const i = text.indexOf('\n', at);
  return i < 0 ? text.length : i + 1;
}

function lineStartOf(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** True when the rest of the line from `at` is blank or a comment. */
export function restIsEmpty(text: Text, at: number): boolean {
  let p = at;
  while (text.charCodeAt(p) === space) p++;
  const c = text.charCodeAt(p);
  return p >= text.length || c === newline || c === carriageReturn || c === hash;
}

/** The first content character at or after the line holding `from`, before `end`. */
function firstContent(text: string, from: number, end: number): number | undefined {
  for (let line = lineStartOf(text, from); line < end; line = nextLine(text, line)) {
    let p = Math.max(line, from);
    while (text.charCodeAt(p) === space) p++;
    if (text.charCodeAt(p) === tab) return undefined;
    if (p < end && !restIsEmpty(text, p)) return p;
  }
  return undefined;
}

/** `- ` (or a lone `-`) at `at`: a block sequence entry. */
function isEntry(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== dash) return false;
  const c = text.charCodeAt(at + 1);
  return at + 1 >= text.length || c === space || c === newline || c === carriageReturn;
}

// Plain keys that read as themselves: no indicator first, and nothing the core schema would
// resolve to a number, boolean or null (their tree keys print differently).
const plainKeyStart = /^[A-Za-z_/]/;
const nonString = /^(true|false|null|True|False|TRUE|FALSE|Null|NULL)$/;

/** A plain `key:` at `at`: the key and the offset after its colon; undefined for anything else. */
function plainKey(text: string, at: number): { key: string; after: number } | undefined {
  const lineEnd = nextLine(text, at);
  for (let i = at; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (c === hash && text.charCodeAt(i - 1) === space) return undefined;
    if (c !== colon) continue;
    const n = text.charCodeAt(i + 1);
    if (i + 1 < text.length && n !== space && n !== newline && n !== carriageReturn) continue;
    const key = text.slice(at, i).trimEnd();
    return plainKeyStart.test(key) && !nonString.test(key) && !/[#'"\t]/.test(key) ? { key, after: i + 1 } : undefined;
  }
  return undefined;
}

/**
 * Text the end of a node is not read from without parsing it: a block scalar header that keeps
 * final line breaks (`|+`, `>2+`, or text that looks like one), a comment line, a tab (a line of
 * tabs is blank to the tree; a document reached whole was not checked for them on the way).
 */
const irregular = /[|>](?:[1-9]?\+|\+[1-9])|\n *#|\t/;

/** The span holding offset `at` (spans are in text order and disjoint). */
function spanAt(spans: readonly Region[], at: number): Region | undefined {
  const i = spanIndexAt(spans, at);
  return i === undefined ? undefined : spans[i];
}

/** The index of the span holding offset `at`, if one does. */
function spanIndexAt(spans: readonly Region[], at: number): number | undefined {
  const i = lastAtMost(spans.length, (k) => spans[k]!.start, at);
  const span = spans[i];
  return span && span.start <= at && at < span.end ? i : undefined;
}

/** Finds paths in the bulk-read YAML documents of one file. */
/** The entries of a block mapping or sequence: whether a sequence, and where each starts. */
interface Entries {
  readonly sequence: boolean;
  readonly starts: number[];
}

export class YamlLocator {
  private documents: Region[] | null | undefined;
  private readonly entryCache = new Map<string, Entries | undefined>();
  private readonly parsed = new Map<string, Document>();
  /** Characters parsed so far (the point of the locator: far fewer than the text has). */
  parsedChars = 0;

  /**
   * `documentCount`: how many documents the reader found (the splits must agree, so that paths
   * name the same documents); undefined when no reader finished (only {@link errorsAround}).
   */
  constructor(
    private readonly text: string,
    private readonly documentCount: number | undefined,
  ) {}

  /** The range of a path in a document, or undefined when the whole file must be parsed. */
  range(doc: number, path: readonly (string | number)[], key: boolean): [number, number] | undefined {
    const span = this.split()?.[doc];
    if (!span) return undefined;
    const start = firstContent(this.text, span.start, span.end);
    if (start === undefined) return undefined;
    let region: Region = { start, end: span.end };
    // The last step is left to the tree, which also knows where its key is; a last step into a
    // sequence has no key, and is taken here: a List item is then parsed alone, not with every
    // item of the List (20 000 pods' diagnostics parsed a 17 MB List whole, 15 s and 1.4 GB).
    const last = path.length - (typeof path[path.length - 1] === 'number' ? 0 : 1);
    let taken = 0;
    while (taken < last) {
      const child = this.child(region, path[taken]!);
      if (!child) break;
      region = child;
      taken++;
    }
    if (taken === path.length) {
      const end = this.mapEnd(region);
      if (end !== undefined) return [region.start, end];
    }
    const tree = this.parse(region);
    if (tree.errors.length > 0) return undefined;
    const offset = lineStartOf(this.text, region.start);
    const range = walkRange(tree.contents, path.slice(taken), key);
    return range && [range[0] + offset, range[1] + offset];
  }

  /**
   * Where the `yaml` tree ends a block mapping that a path reached whole (a List item, a
   * document), without parsing it: after the line break of its last line with content.
   * `validate -v` of a dump with 20 000 finished pods parsed each pod with the `yaml` package for
   * its range (7 of 9.5 s).
   * Undefined, for the parse to decide, where the tree may draw the end elsewhere: a block scalar
   * that keeps its final line breaks, comment lines anywhere in the node (a comment line at a
   * lower indentation ends a block scalar, and what follows it is read otherwise), tabs. kubectl
   * prints none of these.
   */
  private mapEnd(region: Region): number | undefined {
    const { text } = this;
    if (!plainKey(text, region.start) || irregular.test(text.slice(region.start, region.end))) return undefined;
    // From the region's end back (it ends where the next sibling starts, after its indentation)
    // to its last line with content; the region's first line has some, at its start.
    for (let line = lineStartOf(text, region.end); ; line = lineStartOf(text, line - 1)) {
      let p = Math.max(line, region.start);
      while (text.charCodeAt(p) === space) p++;
      if (p < region.end && !restIsEmpty(text, p)) return Math.min(nextLine(text, line), region.end);
    }
  }

  /** Document spans: `---` lines start documents; null when the text has anything else at the top. */
  private split(): Region[] | null {
    if (this.documents !== undefined) return this.documents;
    const { text } = this;
    const spans: Region[] = [];
    let from = 0;
    let content = false;
    for (let line = 0; line < text.length; line = nextLine(text, line)) {
      const c = text.charCodeAt(line);
      const marker = c === dash && text.startsWith('---', line) && restIsEmpty(text, line + 3);
      // `...`, directives and content on a marker line: leave those files to the parser.
      if ((c === dot && text.startsWith('...', line)) || c === percent || (c === dash && text.startsWith('---', line) && !marker)) return (this.documents = null);
      if (marker) {
        // The text before (bare content, or an explicit document even if empty) is a document.
        if (content) spans.push({ start: from, end: line });
        from = nextLine(text, line);
        content = true;
        continue;
      }
      if (!restIsEmpty(text, line)) content = true;
    }
    if (content) spans.push({ start: from, end: text.length });
    return (this.documents = this.documentCount === undefined || spans.length === this.documentCount ? spans : null);
  }

  /** The node that `step` leads to inside a block mapping or sequence, when it is plain to see. */
  private child(region: Region, step: string | number): Region | undefined {
    const found = this.entries(region);
    if (!found) return undefined;
    const { text } = this;
    let index: number;
    if (found.sequence) {
      if (typeof step !== 'number' || step < 0 || step >= found.starts.length) return undefined;
      index = step;
    } else {
      index = found.starts.findIndex((s) => plainKey(text, s)!.key === String(step));
      if (index < 0) return undefined;
    }
    return this.value(region, found, index);
  }

  /** The node of the entry that holds offset `at`, when it is plain to see. */
  private childAt(region: Region, at: number): Region | undefined {
    const found = this.entries(region);
    if (!found) return undefined;
    let index = 0;
    while (index + 1 < found.starts.length && found.starts[index + 1]! <= at) index++;
    const child = this.value(region, found, index);
    return child && child.start <= at && at < child.end ? child : undefined;
  }

  /**
   * Where the entries of a block mapping or sequence start (siblings at the region's column),
   * found once per region: every diagnostic in a List's items walks through the same root (a
   * scan of all its lines, 40k times for 40k diagnostics in a 739 MB List).
   */
  private entries(region: Region): Entries | undefined {
    const key = `${region.start}:${region.end}`;
    if (this.entryCache.has(key)) return this.entryCache.get(key);
    const found = this.findEntries(region);
    this.entryCache.set(key, found);
    return found;
  }

  private findEntries(region: Region): Entries | undefined {
    const { text } = this;
    const column = region.start - lineStartOf(text, region.start);
    const sequence = isEntry(text, region.start);
    if (!sequence && !plainKey(text, region.start)) return undefined;
    // Deeper lines belong to the entry above.
    const starts = [region.start];
    for (let line = nextLine(text, region.start); line < region.end; line = nextLine(text, line)) {
      let p = line;
      while (text.charCodeAt(p) === space) p++;
      if (text.charCodeAt(p) === tab) return undefined;
      if (restIsEmpty(text, p) || p - line > column) continue;
      if (p - line < column) return undefined;
      if (sequence ? !isEntry(text, p) : !isEntry(text, p) && !plainKey(text, p)) return undefined;
      // A sequence at its key's column belongs to that key (`items:` then `- ` lines).
      if (!sequence && isEntry(text, p)) continue;
      starts.push(p);
    }
    return { sequence, starts };
  }

  /** The value node of entry `index`, when it is a block node or a compact one after `- `. */
  private value(region: Region, found: Entries, index: number): Region | undefined {
    const { text } = this;
    const { sequence, starts } = found;
    const column = region.start - lineStartOf(text, region.start);
    const entry = starts[index]!;
    const end = starts[index + 1] ?? region.end;
    const after = sequence ? entry + 1 : plainKey(text, entry)!.after;
    // A value on the entry's own line: `- a: 1` (compact), or a scalar / flow value after `key:`.
    if (!restIsEmpty(text, after)) {
      if (!sequence) return undefined;
      return { start: firstContent(text, after, end)!, end };
    }
    const start = firstContent(text, nextLine(text, after), end);
    if (start === undefined) return undefined;
    const valueColumn = start - lineStartOf(text, start);
    return valueColumn > column || (valueColumn === column && !sequence && isEntry(text, start)) ? { start, end } : undefined;
  }

  /**
   * The yaml package's errors and warnings in the node around offset `at` (where js-yaml found
   * the text broken), parsed alone; undefined when that node parses cleanly or cannot be told
   * apart, and the whole file must be parsed to know.
   */
  errorsAround(at: number, small = 65_536): { readonly message: string; readonly pos: number; readonly end: number; readonly error: boolean }[] | undefined {
    const region = this.regionAround(at, small);
    if (!region) return undefined;
    const doc = this.parse(region);
    if (doc.errors.length === 0) return undefined;
    const lineStart = lineStartOf(this.text, region.start);
    return [...doc.errors.map((e) => ({ e, error: true })), ...doc.warnings.map((e) => ({ e, error: false }))].map(({ e, error }) => ({
      message: e.message.split('\n')[0] ?? e.code,
      pos: e.pos[0] + lineStart,
      end: e.pos[1] + lineStart,
      error,
    }));
  }

  /** The index of the document holding offset `at`, when the text splits into documents as the reader found them. */
  documentAt(at: number): number | undefined {
    const spans = this.split();
    return spans ? spanIndexAt(spans, at) : undefined;
  }

  /** The node the block structure narrows offset `at` to, down to `small` characters. */
  private regionAround(at: number, small: number): Region | undefined {
    const spans = this.split();
    const span = spans ? spanAt(spans, at) : undefined;
    const start = span ? firstContent(this.text, span.start, span.end) : undefined;
    if (!span || start === undefined) return undefined;
    let region: Region = { start, end: span.end };
    for (let inner = this.childAt(region, at); inner && region.end - region.start > small; inner = this.childAt(region, at)) region = inner;
    return region;
  }

  /**
   * The trees of small nodes around some offsets (for each, the node the block structure narrows
   * it to, down to `small` characters), in text order, each with the offset its ranges are
   * relative to; undefined when the file must be parsed whole.
   */
  treesAround(offsets: readonly number[], small = 16_384): { readonly tree: Document; readonly offset: number }[] | undefined {
    if (!this.split()) return undefined;
    const regions: Region[] = [];
    for (const at of offsets) {
      const region = this.regionAround(at, small);
      if (region) regions.push(region);
    }
    regions.sort((a, b) => a.start - b.start || b.end - a.end);
    const out: { tree: Document; offset: number }[] = [];
    let reached = -1;
    for (const r of regions) {
      // Nodes inside one already taken are visited with it.
      if (r.end <= reached) continue;
      const tree = this.parse(r);
      if (tree.errors.length > 0) return undefined;
      out.push({ tree, offset: lineStartOf(this.text, r.start) });
      reached = r.end;
    }
    return out;
  }

  /** The tree of a region's text alone (its first line's prefix blanked), errors included. */
  private parse(region: Region): Document {
    const key = `${region.start}:${region.end}`;
    let tree = this.parsed.get(key);
    if (tree === undefined) {
      const lineStart = lineStartOf(this.text, region.start);
      this.parsedChars += region.end - lineStart;
      tree = parseDocument(' '.repeat(region.start - lineStart) + this.text.slice(region.start, region.end), yamlOptions) as unknown as Document;
      this.parsed.set(key, tree);
    }
    return tree;
  }
}
