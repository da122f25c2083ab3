// A small deterministic YAML emitter for plain data: block style, keys sorted, and scalars
// quoted whenever a YAML 1.1 reader could take them for something else. calicoctl and kubectl
// are Go programs whose YAML libraries follow YAML 1.1, where `yes`/`no`/`on`/`off`/`y`/`n` are
// booleans, `~` is null and `80:81` is a base-60 integer (4881): all must stay strings.

import { compareValues, memoized, yamlNumber, yamlPlainTest, yamlQuoted } from '@netpolc/ir';

/** Data the emitter accepts. */
export type YamlData = string | number | boolean | readonly YamlData[] | { readonly [key: string]: YamlData };

// Calico selectors (`app == 'web' && has(tier)`) stay plain: spaces and their operators do not
// change how YAML reads a plain scalar that starts with a letter.
const plainSafe = yamlPlainTest(" ()'=!&|");

/** A scalar as YAML text: plain when unambiguous in YAML 1.1 and 1.2, double-quoted otherwise. */
export function scalar(value: string | number | boolean): string {
  if (typeof value === 'number') return yamlNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return plainSafe(value) ? value : yamlQuoted(value);
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

/** A mapping key as written before its value. */
const keyText = (k: string): string => `${scalar(k)}:`;

/**
 * Writes the documents of one stream. Keys recur in every document (`selector`, `action`, the
 * same label keys): their text is made once per stream, not per line.
 */
class Printer {
  private readonly keys = new Map<string, string>();

  private key(k: string): string {
    return memoized(this.keys, k, keyText);
  }

  /** One document holding a mapping, with a trailing newline. */
  document(data: { readonly [key: string]: YamlData }): string {
    const out: string[] = [];
    this.write(data, '', '', out);
    return `${out.join('\n')}\n`;
  }

  /**
   * Writes a non-empty collection, one line per entry at `indent`; its first line starts with
   * `first` instead (the `- ` of the list item that holds it, or the indent itself).
   */
  private write(v: YamlData, indent: string, first: string, out: string[]): void {
    let lead = first;
    if (Array.isArray(v)) {
      for (const item of v as readonly YamlData[]) {
        // The first line of a nested collection shares the "- " line.
        if (!isCollection(item)) out.push(`${lead}- ${scalar(item)}`);
        else if (isEmpty(item)) out.push(`${lead}- ${emptyText(item)}`);
        else this.write(item, `${indent}  `, `${lead}- `, out);
        lead = indent;
      }
      return;
    }
    const map = v as { readonly [key: string]: YamlData };
    for (const key of Object.keys(map).sort(compareValues)) {
      const child = map[key]!;
      if (!isCollection(child)) out.push(`${lead}${this.key(key)} ${scalar(child)}`);
      else if (isEmpty(child)) out.push(`${lead}${this.key(key)} ${emptyText(child)}`);
      else {
        out.push(`${lead}${this.key(key)}`);
        this.write(child, `${indent}  `, `${indent}  `, out);
      }
      lead = indent;
    }
  }
}

/** One YAML document holding a mapping, with a trailing newline. */
export function writeDocument(data: { readonly [key: string]: YamlData }): string {
  return new Printer().document(data);
}

/** A multi-document stream: documents separated by `---`. */
export function writeStream(documents: readonly { readonly [key: string]: YamlData }[]): string {
  const printer = new Printer();
  return documents.map((d) => printer.document(d)).join('---\n');
}
