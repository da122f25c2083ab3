// A reader for the plain block YAML that `kubectl get -o yaml` and most generators print: block
// mappings and sequences, plain, 'single' and "double" quoted scalars (also folded over several
// lines, as kubectl prints long strings), literal block scalars, `{}` and `[]`, full-line comments
// and `---` between documents. It reads a line at a time, about twice as fast as js-yaml at
// kube-scale. Anything else (flow collections, anchors, tags, `>` blocks, a scalar js-yaml might
// read as a number we do not, a repeated key, an empty document, tabs, CR) stops it, and js-yaml
// reads the file from that document on. Scalars resolve as in js-yaml's core schema; property
// tests hold the two readers equal wherever this one answers.

import { yaml11Booleans } from './yaml11.js';
import { apostrophe, backslash, closingQuote, colon, dash, doubleQuoted, hash, literal, notPlainStart, pipe, plainValue, quote, quoted, rawLine, skipSpaces, space, trimSpaces, Unsupported, unsupported } from './yaml-scalars.js';

// Tabs, CR, and the characters js-yaml refuses (non-printable ones, lone surrogates) or drops (BOM).
const outsideSubset = /[\x00-\x09\x0B-\x1F\x7F-\x84\x86-\x9F\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const keyCacheSize = 1024;

/**
 * The documents read up to the first one outside the subset, and where the text goes on from
 * there (`text.length` when all were read): a file of many documents with one odd document
 * leaves only the rest to js-yaml (documents do not depend on each other; `rest` is the start of
 * a line, before the `---` that opens the next document).
 */
export function readPlainDocuments(text: string): { docs: unknown[]; rest: number; yaml11: boolean } {
  if (outsideSubset.test(text)) return { docs: [], rest: 0, yaml11: false };
  const reader = new Reader(text);
  try {
    reader.documents();
  } catch (err) {
    // RangeError: nesting deeper than the stack.
    if (!(err instanceof Unsupported || err instanceof RangeError)) throw err;
  }
  return { docs: reader.docs, rest: reader.rest, yaml11: reader.yaml11 };
}

class Reader {
  /** Start of the current line. */
  private pos = 0;
  /** The current line (not blank, not a comment): its indentation, first character, end. */
  private indent = 0;
  private start = 0;
  private end = 0;
  private eof = false;
  /** Recent keys, by indentation and length (see `key`). */
  private readonly keys: (string | undefined)[] = new Array<string | undefined>(keyCacheSize).fill(undefined);

  constructor(private readonly text: string) {}

  /** The documents read so far, and where the text after them starts. */
  readonly docs: unknown[] = [];
  rest = 0;
  /**
   * Whether a plain scalar read so far is a word YAML 1.1 reads as a boolean (`yes`, `off`). The
   * other YAML 1.1 differences are numbers this reader leaves to js-yaml (only plain decimal
   * integers are read here), so a file read entirely without one needs no YAML 1.1 scan.
   */
  yaml11 = false;

  /** Reads documents until the end, or until one leaves the subset (it then throws). */
  documents(): void {
    this.skipBlank();
    if (!this.eof && this.isDocumentMarker()) this.nextDocument();
    for (;;) {
      // An empty document (js-yaml's null) is rare in inventories: not in the subset.
      if (this.eof || this.indent !== 0 || this.isDocumentMarker()) unsupported();
      const doc = this.block();
      this.docs.push(doc);
      if (this.eof) {
        this.rest = this.text.length;
        return;
      }
      this.rest = this.pos;
      if (!this.isDocumentMarker()) unsupported();
      this.nextDocument();
    }
  }

  /** Past a `---` line; one with content after the marker (`--- !!map`) is not in the subset. */
  private nextDocument(): void {
    if (this.end !== this.start + 3) unsupported();
    this.advance();
  }

  /** Moves to the line at `pos` or the next one that is neither blank nor a comment. */
  private skipBlank(): void {
    const text = this.text;
    for (;;) {
      if (this.pos >= text.length) {
        this.eof = true;
        return;
      }
      let end = text.indexOf('\n', this.pos);
      if (end < 0) end = text.length;
      const s = skipSpaces(text, this.pos);
      if (s === end || text.charCodeAt(s) === hash) {
        this.pos = end + 1;
        continue;
      }
      this.indent = s - this.pos;
      this.start = s;
      this.end = end;
      return;
    }
  }

  private advance(): void {
    this.pos = this.end + 1;
    this.skipBlank();
  }

  private isDocumentMarker(): boolean {
    const { text, start } = this;
    if (this.indent !== 0) return false;
    if (text.startsWith('---', start)) {
      if (this.end === start + 3 || text.charCodeAt(start + 3) === space) return true;
      unsupported(); // `---x`: a plain scalar to YAML, too close to a marker to be worth reading here
    }
    if (text.startsWith('...', start) || text.charCodeAt(start) === 37) unsupported(); // '...', '%'
    return false;
  }

  private isDash(at: number): boolean {
    return this.text.charCodeAt(at) === dash && (at + 1 === this.end || this.text.charCodeAt(at + 1) === space);
  }

  /** A mapping or sequence starting at the current line. */
  private block(): unknown {
    return this.isDash(this.start) ? this.sequence(this.indent) : this.mapping(this.indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (;;) {
      const colonAt = this.keyEnd(this.start);
      if (colonAt < 0) unsupported();
      const key = this.key(this.start, colonAt);
      // Repeated keys are an error to js-yaml; `__proto__` and `<<` it treats specially.
      if (key === '__proto__' || key === '<<' || Object.hasOwn(obj, key)) unsupported();
      obj[key] = this.valueAfter(indent, colonAt + 1);
      if (this.eof || this.indent < indent) return obj;
      if (this.indent > indent || this.isDash(this.start)) unsupported();
      if (this.isDocumentMarker()) return obj;
    }
  }

  private sequence(indent: number): unknown[] {
    const list: unknown[] = [];
    const text = this.text;
    for (;;) {
      const at = skipSpaces(text, this.start + 1);
      if (at >= this.end) {
        this.advance();
        list.push(!this.eof && this.indent > indent ? this.block() : null);
      } else if (this.isDash(at)) {
        unsupported(); // a sequence inside a sequence on one line
      } else if (this.keyEnd(at) >= 0) {
        // `- key: value`: a mapping whose keys line up with this first one.
        this.indent = at - this.pos;
        this.start = at;
        list.push(this.mapping(this.indent));
      } else {
        list.push(this.flowScalar(indent, at));
      }
      if (this.eof || this.indent < indent) return list;
      if (this.indent > indent) unsupported();
      // At this indentation and no dash: the next key of a mapping holding this list unindented.
      if (!this.isDash(this.start)) return list;
    }
  }

  /** The colon ending a key that starts at `at` on the current line, or -1 if it is no key. */
  private keyEnd(at: number): number {
    const { text, end } = this;
    const c = text.charCodeAt(at);
    if (c === quote || c === apostrophe) {
      const close = this.quotedEnd(at);
      if (close < 0) return -1;
      const from = skipSpaces(text, close + 1);
      return text.charCodeAt(from) === colon && (from + 1 === end || text.charCodeAt(from + 1) === space) ? from : -1;
    }
    for (let i = text.indexOf(':', at); i >= 0 && i < end; i = text.indexOf(':', i + 1)) {
      if (i + 1 === end || text.charCodeAt(i + 1) === space) return i;
    }
    return -1;
  }

  /** The key between `at` and its colon, as js-yaml makes a property name of it. */
  private key(at: number, colonAt: number): string {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === quote || c === apostrophe) return String(quoted(text, at, this.quotedEnd(at)));
    const end = trimSpaces(text, colonAt);
    // Documents repeat their keys in the same places: the key last met at this indentation and
    // length is usually this one, and reusing it spares making and hashing a new string.
    const slot = ((this.indent << 5) ^ (end - at)) & (keyCacheSize - 1);
    const known = this.keys[slot];
    if (known !== undefined && known.length === end - at && text.startsWith(known, at)) return known;
    const value = this.plain(at, end);
    // A null key (`~:`, `null:`) is refused by kubectl (yaml-keys.ts): left to the readers that say so.
    if (value === null) unsupported();
    const key = String(value);
    if (typeof this.plainValueOf(key) === 'string') this.keys[slot] = key;
    return key;
  }

  /** The value after a key's colon (at `from`); leaves the reader at the line after it. */
  private valueAfter(indent: number, from: number): unknown {
    const text = this.text;
    const at = skipSpaces(text, from);
    if (at >= this.end) {
      this.advance();
      if (this.eof) return null;
      if (this.indent > indent) return this.block();
      // A list may sit at its key's indentation (kubectl prints it so).
      if (this.indent === indent && this.isDash(this.start)) return this.sequence(indent);
      return null;
    }
    if (text.charCodeAt(at) === pipe) {
      const { value, next } = literal(text, indent, at, this.end);
      this.pos = next;
      this.skipBlank();
      return value;
    }
    return this.flowScalar(indent, at);
  }

  /**
   * A scalar from `at`, on its line or folded over the following lines indented more than
   * `indent` (kubectl folds long strings at 80 columns: kubernetes/kubernetes#32335); leaves the
   * reader at the line after it.
   */
  private flowScalar(indent: number, at: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(at);
    const firstEnd = this.end;
    if ((c === apostrophe || c === quote) && this.quotedEnd(at) < 0) return this.foldedQuote(indent, at);
    const value = this.scalar(at);
    this.advance();
    if (this.eof || this.indent <= indent) return value;
    // Only a plain scalar goes on (a quoted one closed on its line); `{}` and `[]` do not.
    if (c === quote || c === apostrophe || typeof value === 'object') unsupported();
    const parts = [text.slice(at, trimSpaces(text, firstEnd))];
    let breaks = 0;
    let pos = firstEnd + 1;
    for (;;) {
      const line = rawLine(text, pos);
      if (line === undefined || (line.start < line.end && line.indent <= indent)) break;
      pos = line.end + 1;
      if (line.start === line.end) {
        breaks++;
        continue;
      }
      const end = trimSpaces(text, line.end);
      // Checked as a plain scalar of its own: a comment, an indicator or a key is not in the subset.
      this.plain(line.start, end);
      parts.push(breaks === 0 ? ' ' : '\n'.repeat(breaks), text.slice(line.start, end));
      breaks = 0;
    }
    this.pos = pos;
    this.skipBlank();
    return plainValue(parts.join(''), c);
  }

  /** A quoted scalar opening at `at` and closing on a later line, folded. */
  private foldedQuote(indent: number, at: number): string {
    const text = this.text;
    const q = text.charCodeAt(at);
    const parts = [this.foldedPiece(at + 1, this.end, q)];
    let breaks = 0;
    let pos = this.end + 1;
    for (;;) {
      const line = rawLine(text, pos);
      if (line === undefined) unsupported(); // never closed
      pos = line.end + 1;
      if (line.start === line.end) {
        breaks++;
        continue;
      }
      if (line.indent <= indent) unsupported();
      const close = closingQuote(text, q, line.start, line.end);
      const joiner = breaks === 0 ? ' ' : '\n'.repeat(breaks);
      breaks = 0;
      if (close < 0) {
        parts.push(joiner, this.foldedPiece(line.start, line.end, q));
        continue;
      }
      if (skipSpaces(text, close + 1) < line.end) unsupported();
      parts.push(joiner, text.slice(line.start, close));
      break;
    }
    this.pos = pos;
    this.skipBlank();
    const body = parts.join('');
    if (q === apostrophe) return body.replaceAll("''", "'");
    return doubleQuoted(body);
  }

  /** One line's part of a folded quoted text, without its trailing spaces. */
  private foldedPiece(from: number, end: number, q: number): string {
    const text = this.text;
    const stop = trimSpaces(text, end);
    // A backslash before the break escapes it (or a space): YAML's own, not in the subset.
    if (q === quote && text.charCodeAt(stop - 1) === backslash) unsupported();
    return text.slice(from, stop);
  }

  /** A scalar filling the rest of the current line from `at`. */
  private scalar(at: number): unknown {
    const { text, end } = this;
    const c = text.charCodeAt(at);
    if (c === quote || c === apostrophe) {
      const close = this.quotedEnd(at);
      if (close < 0) unsupported();
      if (skipSpaces(text, close + 1) < end) unsupported(); // a comment, or more
      return quoted(text, at, close);
    }
    const stop = trimSpaces(text, end);
    if (stop - at === 2 && c === 123 && text.charCodeAt(at + 1) === 125) return {};
    if (stop - at === 2 && c === 91 && text.charCodeAt(at + 1) === 93) return [];
    return this.plain(at, stop);
  }

  /** The plain scalar between `at` and `end` (trimmed), read on the text: no slice is checked. */
  private plain(at: number, end: number): unknown {
    const text = this.text;
    if (at === end) unsupported(); // an empty key is null to js-yaml
    const c = text.charCodeAt(at);
    if (notPlainStart.has(c) || (c === dash && (at + 1 === end || text.charCodeAt(at + 1) === space))) unsupported();
    if (text.charCodeAt(end - 1) === colon) unsupported();
    for (let i = at + 1; i < end; i++) {
      const d = text.charCodeAt(i);
      // ' #' starts a comment, ': ' a mapping: neither belongs in a plain scalar.
      if ((d === hash && text.charCodeAt(i - 1) === space) || (d === colon && text.charCodeAt(i + 1) === space)) unsupported();
    }
    const raw = text.slice(at, end);
    if (end - at <= 3 && !this.yaml11 && yaml11Booleans.test(raw)) this.yaml11 = true;
    return plainValue(raw, c);
  }

  /** The closing quote of a quoted scalar opening at `at`, on this line; -1 if it is not closed here. */
  private quotedEnd(at: number): number {
    return closingQuote(this.text, this.text.charCodeAt(at), at + 1, this.end);
  }

  /** What a key text reads as (a cached key must read as itself). */
  private plainValueOf(key: string): unknown {
    return plainValue(key, key.charCodeAt(0));
  }
}
