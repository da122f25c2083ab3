// Locating a path in JSON text without parsing it into nodes. A diagnostic on a 14 MB JSON file
// took 20 s to locate through the `yaml` package's node tree (about 1 MB/s); this scanner walks
// down the path, indexing each container it enters as far as it needs (the 150k items of a List:
// at most one pass, however many look-ups).
// The ranges are the ones that tree gives: a value from its first character to just after its
// last, a key with its quotes (a property test holds the two equal).
import { backslash, carriageReturn, closeBrace, closeBracket, colon, comma, newline, openBrace, openBracket, quote, space, tab } from './char-codes.js';
import type { Text } from './text.js';

/**
 * The children of one object or array read so far (keys for objects, and ranges, in text order),
 * and where reading resumes: a look-up reads only up to the child it wants.
 */
interface Container {
  readonly close: number;
  readonly keys: string[] | undefined;
  readonly keyRanges: [number, number][];
  readonly valueRanges: [number, number][];
  next: number;
}

function isSpace(c: number): boolean {
  return c === space || c === newline || c === carriageReturn || c === tab;
}

/** Offset just after the string whose opening quote is at `at`. */
export function stringEnd(text: Text, at: number): number {
  let from = at + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length;
    let slashes = 0;
    for (let b = q - 1; text.charCodeAt(b) === backslash; b--) slashes++;
    if (slashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** Offset just after the value that starts at `at`. */
export function valueEnd(text: Text, at: number): number {
  const c = text.charCodeAt(at);
  if (c === quote) return stringEnd(text, at);
  if (c === openBrace || c === openBracket) {
    let depth = 0;
    for (let i = at; i < text.length; ) {
      const ch = text.charCodeAt(i);
      if (ch === quote) {
        i = stringEnd(text, i);
        continue;
      }
      if (ch === openBrace || ch === openBracket) depth++;
      else if ((ch === closeBrace || ch === closeBracket) && --depth === 0) return i + 1;
      i++;
    }
    return text.length;
  }
  let i = at;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === comma || ch === closeBrace || ch === closeBracket || isSpace(ch)) break;
    i++;
  }
  return i;
}

/** Offset just after the last character that is not a space. */
function trimmedEnd(text: Text): number {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

export function skipSpaces(text: Text, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** Finds paths in the text of one JSON document (text that `JSON.parse` accepted). */
export class JsonLocator {
  private readonly containers = new Map<number, Container>();

  constructor(private readonly text: Text) {}

  /**
   * Offset range of the value at `path`, or of its nearest existing ancestor when a step is
   * missing; with `key`, of the last step's key when that step is an object key. The path starts
   * at the document, or at the value of range `from`.
   */
  range(path: readonly (string | number)[], key: boolean, from?: readonly [number, number]): [number, number] {
    const { text } = this;
    let [start, end] = from ?? [skipSpaces(text, 0), trimmedEnd(text)];
    let keyRange: [number, number] | undefined;
    for (const step of path) {
      keyRange = undefined;
      const c = text.charCodeAt(start);
      if (c === openBrace) {
        const children = this.container(start);
        // The first of repeated keys, as the tree finds it.
        const i = this.keyIndex(children, String(step));
        if (i < 0) break;
        keyRange = children.keyRanges[i];
        [start, end] = children.valueRanges[i]!;
      } else if (c === openBracket && typeof step === 'number' && step >= 0) {
        const children = this.container(start);
        while (children.valueRanges.length <= step && this.readChild(children));
        const range = children.valueRanges[step];
        if (!range) break;
        [start, end] = range;
      } else {
        break;
      }
    }
    return key && keyRange ? keyRange : [start, end];
  }

  private container(at: number): Container {
    let found = this.containers.get(at);
    if (!found) {
      const isObject = this.text.charCodeAt(at) === openBrace;
      found = { close: isObject ? closeBrace : closeBracket, keys: isObject ? [] : undefined, keyRanges: [], valueRanges: [], next: skipSpaces(this.text, at + 1) };
      this.containers.set(at, found);
    }
    return found;
  }

  /** The index of the first child with this key, reading on as far as needed; -1 for none. */
  private keyIndex(c: Container, key: string): number {
    let i = c.keys!.indexOf(key);
    while (i < 0 && this.readChild(c)) if (c.keys![c.keys!.length - 1] === key) i = c.keys!.length - 1;
    return i;
  }

  /** Reads the next child of a container; false when there is none left. */
  private readChild(c: Container): boolean {
    const { text } = this;
    let i = c.next;
    if (i >= text.length || text.charCodeAt(i) === c.close) return false;
    if (c.keys) {
      const keyEnd = stringEnd(text, i);
      const raw = text.slice(i + 1, keyEnd - 1);
      c.keys.push(raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw);
      c.keyRanges.push([i, keyEnd]);
      i = skipSpaces(text, keyEnd);
      if (text.charCodeAt(i) === colon) i = skipSpaces(text, i + 1);
    }
    const end = valueEnd(text, i);
    c.valueRanges.push([i, end]);
    i = skipSpaces(text, end);
    if (text.charCodeAt(i) === comma) i = skipSpaces(text, i + 1);
    c.next = i;
    return true;
  }
}
