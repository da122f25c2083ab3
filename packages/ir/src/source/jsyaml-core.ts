// js-yaml's core schema reads a few plain scalars otherwise than the `yaml` package, which reads
// every small file and defines netpolc's YAML: `0b11` and signed `-0x1F`, `+0o17` are numbers to
// js-yaml and strings to `yaml` (YAML 1.2 has no binary and no signed hex or octal), and `+.5` is
// a string to js-yaml and a number to `yaml`. A label value `0b11` then was an error in a large
// file and a string in a small one. These types resolve plain scalars exactly as `yaml`'s core
// schema does (its `core` tags), so that the bulk path and the `yaml` path read one text alike.
// Explicit tags may still differ (`!!int 1_000`; `!!float 80` reads 80 in both, source-file.ts);
// js-yaml refusing one sends the text to the `yaml` package, which reports it.
import jsyaml from 'js-yaml';

const octal = /^0o[0-7]+$/;
const decimal = /^[-+]?[0-9]+$/;
const hex = /^0x[0-9a-fA-F]+$/;
const special = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const float = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** The integer of a plain scalar, or undefined (a number too large for a double stays text, as in source-file.ts). */
function intOf(text: string): number | undefined {
  const n = octal.test(text) ? parseInt(text.slice(2), 8) : hex.test(text) ? parseInt(text.slice(2), 16) : decimal.test(text) ? parseInt(text, 10) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function floatOf(text: string): number | undefined {
  if (special.test(text)) {
    const t = text.toLowerCase();
    return t.endsWith('nan') ? NaN : t.startsWith('-') ? -Infinity : Infinity;
  }
  if (!float.test(text)) return undefined;
  const n = parseFloat(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Whether text may be a number at all (a digit, sign or dot first): most scalars stop here. */
function numberLike(data: string | null): data is string {
  if (data === null || data.length === 0) return false;
  const c = data.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;
}

const int = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => numberLike(data) && intOf(data) !== undefined,
  construct: (data: string) => intOf(data),
});

const floats = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => numberLike(data) && floatOf(data) !== undefined,
  construct: (data: string) => floatOf(data),
});

const nulls = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || data === '' || ((data.length === 1 || data.length === 4) && /^(?:~|null|Null|NULL)$/.test(data)),
  construct: () => null,
});

const booleans = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (data.length === 4 || data.length === 5) && /^(?:true|True|TRUE|false|False|FALSE)$/.test(data),
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});

// Merge keys, read as the `yaml` package reads them with its `merge` option (yaml.org/type/merge).
const merge = new jsyaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: string | null) => data === '<<' });

/** YAML 1.2's core schema as the `yaml` package reads it (source-file.ts `yamlOptions`). */
export const coreSchema = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [nulls, booleans, int, floats, merge] });
