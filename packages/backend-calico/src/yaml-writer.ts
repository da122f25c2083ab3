// A small deterministic YAML emitter for plain data: block style, keys sorted, and scalars
// quoted whenever a YAML 1.1 reader could take them for something else. calicoctl and kubectl
// are Go programs whose YAML libraries follow YAML 1.1, where `yes`/`no`/`on`/`off`/`y`/`n` are
// booleans, `~` is null and `80:81` is a base-60 integer (4881): all must stay strings.

import { compareValues } from '@netpolc/ir';

/** Data the emitter accepts. */
export type YamlData = string | number | boolean | readonly YamlData[] | { readonly [key: string]: YamlData };

// Plain only when the text starts with a letter or underscore (so it cannot read as a number,
// timestamp, base-60 integer, tag, anchor, alias, block indicator or flow collection) and holds
// no ':' or '#' (so no mapping key or comment can appear) and no flow indicators.
const plainSafe = /^[A-Za-z_][A-Za-z0-9_./ ()'=!&|-]*$/;
// YAML 1.1 booleans and nulls (yaml.org/type/bool.html, yaml.org/type/null.html), any case.
const keywords = /^(y|yes|n|no|true|false|on|off|null)$/i;

/** A scalar as YAML text: plain when unambiguous in YAML 1.1 and 1.2, double-quoted otherwise. */
export function scalar(value: string | number | boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (plainSafe.test(value) && !value.endsWith(' ') && !keywords.test(value)) return value;
  // JSON string syntax is valid YAML double-quoted syntax (every JSON escape is a YAML escape).
  return JSON.stringify(value);
}

function isCollection(v: YamlData): v is readonly YamlData[] | { readonly [key: string]: YamlData } {
  return typeof v === 'object';
}

function isEmpty(v: YamlData): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0;
}

function emptyText(v: YamlData): string {
  return Array.isArray(v) ? '[]' : '{}';
}

function writeMapping(map: { readonly [key: string]: YamlData }, indent: string, out: string[]): void {
  for (const key of Object.keys(map).sort(compareValues)) {
    const v = map[key]!;
    if (!isCollection(v)) out.push(`${indent}${scalar(key)}: ${scalar(v)}`);
    else if (isEmpty(v)) out.push(`${indent}${scalar(key)}: ${emptyText(v)}`);
    else {
      out.push(`${indent}${scalar(key)}:`);
      write(v, `${indent}  `, out);
    }
  }
}

function writeSequence(list: readonly YamlData[], indent: string, out: string[]): void {
  for (const item of list) {
    if (!isCollection(item)) out.push(`${indent}- ${scalar(item)}`);
    else if (isEmpty(item)) out.push(`${indent}- ${emptyText(item)}`);
    else {
      // The first line of a nested collection shares the "- " line.
      const inner: string[] = [];
      write(item, `${indent}  `, inner);
      out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
    }
  }
}

function write(v: YamlData, indent: string, out: string[]): void {
  if (Array.isArray(v)) writeSequence(v, indent, out);
  else writeMapping(v as { readonly [key: string]: YamlData }, indent, out);
}

/** One YAML document holding a mapping, with a trailing newline. */
export function writeDocument(data: { readonly [key: string]: YamlData }): string {
  const out: string[] = [];
  writeMapping(data, '', out);
  return `${out.join('\n')}\n`;
}

/** A multi-document stream: documents separated by `---`. */
export function writeStream(documents: readonly { readonly [key: string]: YamlData }[]): string {
  return documents.map(writeDocument).join('---\n');
}
