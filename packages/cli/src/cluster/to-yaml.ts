import { yamlNumber, yamlPlainTest, yamlQuoted } from '@netpolc/ir';
import { keysInGoOrder } from './go-order.js';

// A YAML printer for JSON data (what the API returns). The CLI has no YAML library of its own;
// JSON-quoted strings are valid YAML double-quoted scalars (YAML 1.2 §7.3.1), so quoting is
// always safe and is used whenever a plain scalar could be read differently.

const plainSafe = yamlPlainTest();

function scalarText(s: string): string {
  return plainSafe(s) ? s : yamlQuoted(s);
}

function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return scalarText(v);
  if (typeof v === 'number') return Number.isFinite(v) ? yamlNumber(v) : 'null';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (typeof v === 'object' && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalar(item);
      if (s !== undefined) {
        out.push(`${indent}- ${s}`);
        continue;
      }
      // A block inside a sequence entry starts on the dash line: `- key: value`.
      const lines: string[] = [];
      emit(item, `${indent}  `, lines);
      out.push(`${indent}- ${lines[0]!.slice(indent.length + 2)}`, ...lines.slice(1));
    }
    return;
  }
  const map = v as Readonly<Record<string, unknown>>;
  for (const k of keysInGoOrder(map)) {
    const value = map[k];
    if (value === undefined) continue;
    const s = scalar(value);
    const key = scalarText(k);
    if (s !== undefined) out.push(`${indent}${key}: ${s}`);
    else {
      out.push(`${indent}${key}:`);
      // Sequences under a key sit at the key's indentation, as kubectl prints them.
      emit(value, Array.isArray(value) ? indent : `${indent}  `, out);
    }
  }
}

/** Prints a JSON value (an object at the top) as block-style YAML, ending with a newline. */
export function toYaml(value: Readonly<Record<string, unknown>>): string {
  const s = scalar(value);
  if (s !== undefined) return `${s}\n`;
  const out: string[] = [];
  emit(value, '', out);
  return out.join('\n') + '\n';
}
