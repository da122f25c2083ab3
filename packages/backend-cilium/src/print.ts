// Typed model → YAML text. A small printer of our own: the model fixes key order, so the output
// is byte-deterministic, and every string that a YAML 1.1 reader (kubectl and Cilium use Go
// YAML 1.1 parsers) could read as something else is double-quoted.
import { memoized, ownedName, yamlNumber, yamlQuoted, type everyNamespace } from '@netpolc/ir';
import type { CiliumPolicy } from './model.js';

type Tree = string | number | boolean | readonly Tree[] | { readonly [k: string]: Tree | undefined };

/** YAML 1.1 plain scalars that resolve to booleans or null (yaml.org/type/bool.html, null.html). */
const yaml11Words = new Set(['y', 'yes', 'n', 'no', 'true', 'false', 'on', 'off', 'null', '~']);
const bareExponent = /^[eE][-+]?[0-9]+$/;

/**
 * True when a string can be written plain and still reads back as the same string in YAML 1.1
 * and 1.2: starts with a letter (so never a number, timestamp, sexagesimal or indicator), holds
 * only label-ish characters, does not end with ':' and is not a boolean/null word. A character
 * loop: the printer asks for every key and value of 75k policies.
 */
export function isPlainSafe(s: string): boolean {
  const n = s.length;
  if (n === 0 || !isLetter(s.charCodeAt(0)) || s.charCodeAt(n - 1) === 58) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    // [A-Za-z0-9] and . _ / : -
    if (!(isLetter(c) || (c >= 48 && c <= 58) || c === 46 || c === 95 || c === 47 || c === 45)) return false;
  }
  // A bare exponent (`e3`, `E-9`) is a string to YAML 1.1 and 1.2, but NaN (null) to the
  // JavaScript `yaml` package in its 1.1 mode, which a checker written in JavaScript may use.
  if (bareExponent.test(s)) return false;
  // The longest YAML 1.1 word is five letters.
  return n > 5 || !yaml11Words.has(s.toLowerCase());
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function scalar(v: string | number | boolean): string {
  if (typeof v === 'string') return isPlainSafe(v) ? v : yamlQuoted(v);
  return typeof v === 'number' ? yamlNumber(v) : String(v);
}

function isMap(v: Tree): v is { readonly [k: string]: Tree | undefined } {
  return typeof v === 'object' && !Array.isArray(v);
}

/** True for a map with a defined entry or a non-empty list: written as a block. */
function isBlock(v: Tree): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v !== 'object') return false;
  for (const k in v) if ((v as { readonly [k: string]: Tree | undefined })[k] !== undefined) return true;
  return false;
}

function inline(v: Tree): string {
  if (isMap(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  return scalar(v as string | number | boolean);
}

/** A mapping key as written before its value. */
const keyText = (k: string): string => `${scalar(k)}:`;

/**
 * Writes the objects of one stream. Keys recur in every object (`matchLabels`, the same label
 * keys) and so do indentations: each is made once per stream, not per line.
 */
class Printer {
  private readonly keys = new Map<string, string>();
  /** `indents[d]`: 2d spaces; `dashes[d]`: the same followed by `- `. */
  private readonly indents: string[] = [''];
  private readonly dashes: string[] = ['- '];

  constructor(private readonly out: string[]) {}

  /** Prints one object as a YAML document body (no `---`). */
  object(v: Tree): void {
    const lines: string[] = [];
    this.block(v, 0, '', lines);
    this.out.push(`${lines.join('\n')}\n`);
  }

  private key(k: string): string {
    return memoized(this.keys, k, keyText);
  }

  private indent(depth: number): string {
    while (this.indents.length <= depth) {
      const next = `${this.indents[this.indents.length - 1]!}  `;
      this.indents.push(next);
      this.dashes.push(`${next}- `);
    }
    return this.indents[depth]!;
  }

  /**
   * Writes a block collection, one line per entry at `depth`; its first line starts with `first`
   * instead (same length: the `- ` of the list item that holds it).
   */
  private block(v: Tree, depth: number, first: string, out: string[]): void {
    const indent = this.indent(depth);
    let lead = first;
    if (isMap(v)) {
      for (const k in v) {
        const child = v[k];
        if (child === undefined) continue;
        if (isBlock(child)) {
          out.push(`${lead}${this.key(k)}`);
          const inner = this.indent(depth + 1);
          this.block(child, depth + 1, inner, out);
        } else {
          out.push(`${lead}${this.key(k)} ${inline(child)}`);
        }
        lead = indent;
      }
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v as readonly Tree[]) {
        const dash = lead === indent ? this.dashes[depth]! : `${lead}- `;
        if (isBlock(item)) this.block(item, depth + 1, dash, out);
        else out.push(`${dash}${inline(item)}`);
        lead = indent;
      }
    }
  }
}

/** Prints one object as a YAML document body (no `---`). */
export function printObject(p: CiliumPolicy): string {
  const out: string[] = [];
  new Printer(out).object(p as unknown as Tree);
  return out[0]!;
}

/** First line of every file. */
const streamHeader = '# Generated by netpolc (backend cilium) from Kubernetes NetworkPolicies; edit the source policies instead.\n';

/** Whether a file is the one this backend writes for one of `namespaces` (`EmitResult.owns`): by its name and first line. */
export function isOwnFile(namespaces: ReadonlySet<string> | typeof everyNamespace, path: string, head: () => string): boolean {
  return ownedName(path, namespaces, ['.yaml']) !== undefined && head().startsWith(streamHeader);
}

/** Appends objects as one multi-document stream, with a header comment, to `out`. */
export function writeStream(objects: readonly CiliumPolicy[], out: string[]): void {
  out.push(streamHeader);
  const printer = new Printer(out);
  for (const o of objects) {
    out.push('---\n');
    printer.object(o as unknown as Tree);
  }
}

/** Prints objects as one multi-document stream, with a header comment. */
export function printStream(objects: readonly CiliumPolicy[]): string {
  const out: string[] = [];
  writeStream(objects, out);
  return out.join('');
}
