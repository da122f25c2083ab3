// The scalar level of the plain YAML reader (`plain-yaml.ts`): how js-yaml's core schema types a
// plain scalar, quoted scalars, literal blocks. Pure functions of the text and positions in it.

/** Thrown where the text leaves the reader's subset; the caller then uses js-yaml. */
export class Unsupported extends Error {}

export function unsupported(): never {
  throw new Unsupported();
}

import { apostrophe, backslash, colon, dash, hash, pipe, quote, space } from './char-codes.js';

export { apostrophe, backslash, colon, dash, hash, pipe, quote, space };

// First characters after which a plain scalar is not plain (indicators), or not in our subset.
export const notPlainStart = new Set([...'[]{},#&*!|>%@`?:\'"'].map((c) => c.charCodeAt(0)));
// A superset of the int and float forms of YAML 1.2's core schema as the bulk reader takes them
// (jsyaml-core.ts) and of js-yaml's own (0b, 0o, 0x, decimal, 1.5e3, .5, +.5, .inf, .nan; `_`
// between digits too): such text goes to js-yaml; text that does not match is a string to both,
// whatever it starts with (`9e3779b1`, `10.0.0.1`, `fd00::1`).
const maybeNumber = /^(?:[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9_]+(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF)|\.[0-9_]+(?:[eE][-+]?[0-9]+)?)|\.(?:nan|NaN|NAN))$/;
// `-0` is left out: js-yaml reads it as 0, Number as -0.
const decimal = /^(0|-?[1-9][0-9]{0,14})$/;
const exponent = /^[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+$/;

/** A plain scalar's value as js-yaml's core schema reads it; numbers other than plain decimal integers are left out. */
export function plainValue(raw: string, first: number): unknown {
  switch (raw) {
    case 'null':
    case 'Null':
    case 'NULL':
    case '~':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  // Every number form starts with a digit, a sign or a dot.
  if (!((first >= 48 && first <= 57) || first === dash || first === 43 || first === 46) || !maybeNumber.test(raw)) return raw;
  if (decimal.test(raw)) return Number(raw);
  // js-yaml reads a float only if it is finite: `35e2982` (a pod-template-hash) stays text.
  if (exponent.test(raw) && !Number.isFinite(Number.parseFloat(raw))) return raw;
  return unsupported();
}

/** The quote closing a quoted scalar between `from` and `end`, or -1. */
export function closingQuote(text: string, q: number, from: number, end: number): number {
  if (q === apostrophe) {
    for (let i = text.indexOf("'", from); i >= 0 && i < end; i = text.indexOf("'", i + 2)) {
      if (text.charCodeAt(i + 1) !== apostrophe) return i;
    }
    return -1;
  }
  for (let i = text.indexOf('"', from); i >= 0 && i < end; i = text.indexOf('"', i + 1)) {
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === backslash) slashes++;
    if (slashes % 2 === 0) return i;
  }
  return -1;
}

/** The first position from `at` on that holds no space. */
export function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === space) at++;
  return at;
}

/** The end of the text before `end` without its trailing spaces. */
export function trimSpaces(text: string, end: number): number {
  while (text.charCodeAt(end - 1) === space) end--;
  return end;
}

/** The line at `pos`: where its text starts (after spaces) and ends; undefined at the end. */
export function rawLine(text: string, pos: number): { start: number; end: number; indent: number } | undefined {
  if (pos >= text.length) return undefined;
  let end = text.indexOf('\n', pos);
  if (end < 0) end = text.length;
  const start = skipSpaces(text, pos);
  return { start, end, indent: start - pos };
}

/** The value of a quoted scalar from its opening quote at `at` to its closing one. */
export function quoted(text: string, at: number, close: number): string {
  const raw = text.slice(at, close + 1);
  if (raw.charCodeAt(0) === apostrophe) return raw.slice(1, -1).replaceAll("''", "'");
  return doubleQuoted(raw.slice(1, -1));
}

// YAML 1.2 §5.7 escapes of one character (an escaped tab never gets here: tabs are outside the subset).
const escapes = new Map<number, string>(
  Object.entries({ '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' }).map(([k, v]) => [k.charCodeAt(0), v]),
);
const hexDigits = /^[0-9a-fA-F]*$/;

/** The text of a double-quoted scalar's body (between its quotes, line breaks already folded). */
export function doubleQuoted(body: string): string {
  let i = body.indexOf('\\');
  if (i < 0) return body;
  let out = '';
  let from = 0;
  for (; i >= 0; i = body.indexOf('\\', from)) {
    out += body.slice(from, i);
    const c = body.charCodeAt(i + 1);
    const simple = escapes.get(c);
    if (simple !== undefined) {
      out += simple;
      from = i + 2;
      continue;
    }
    // \xXX, \uXXXX, \UXXXXXXXX: a code point in hex.
    const digits = c === 120 ? 2 : c === 117 ? 4 : c === 85 ? 8 : 0;
    const hex = body.slice(i + 2, i + 2 + digits);
    if (digits === 0 || !hexDigits.test(hex) || hex.length !== digits) unsupported();
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff) unsupported();
    out += String.fromCodePoint(code);
    from = i + 2 + digits;
  }
  return out + body.slice(from);
}

/** A literal block scalar (`|`, `|-`, `|+`) whose header is at `at`; `next` is the line after it. */
export function literal(text: string, indent: number, at: number, lineEnd: number): { value: string; next: number } {
  const header = text.slice(at, lineEnd).trimEnd();
  if (header !== '|' && header !== '|-' && header !== '|+') unsupported();
  const lines: string[] = [];
  let contentIndent = -1;
  let trailing = 0;
  let pos = lineEnd + 1;
  for (;;) {
    const line = rawLine(text, pos);
    if (line === undefined) unsupported(); // up to the end of the file: chomping differs there
    if (line.start === line.end) {
      // A blank line; one with more spaces than the content keeps them, which we leave out.
      if (contentIndent < 0 ? line.indent > 0 : line.indent > contentIndent) unsupported();
      trailing++;
      pos = line.end + 1;
      continue;
    }
    if (contentIndent < 0) {
      if (line.indent <= indent) unsupported(); // an empty block scalar
      contentIndent = line.indent;
    } else if (line.indent < contentIndent) break;
    for (; trailing > 0; trailing--) lines.push('');
    lines.push(text.slice(pos + contentIndent, line.end));
    pos = line.end + 1;
  }
  if (lines.length === 0) unsupported();
  const body = lines.join('\n');
  const value = header === '|-' ? body : header === '|' ? body + '\n' : body + '\n'.repeat(trailing + 1);
  return { value, next: pos };
}
