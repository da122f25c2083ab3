import { isNode, isPair, isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
import type { SourceRef, SourceSpan, Target } from '../diagnostics/diagnostic.js';
import { JsonLocator } from './json-locate.js';
import type { ListItems } from './list-items.js';
import { YamlLocator } from './yaml-locate.js';
import { lastAtMost } from '../util/search.js';
import type { ByteSource, Text } from './text.js';

/**
 * One input as given to the loader: a path (for messages) and its text, its bytes, or a source of
 * its bytes read where they are needed (a file larger than a string may be).
 */
export interface InputSource {
  readonly path: string;
  readonly content: string | Uint8Array | ByteSource;
}

/** The syntax a file was read with. */
export type SourceFormat = 'yaml' | 'json';

/** A loaded file: its text and, lazily, the YAML trees that locate any path inside it. */
export interface SourceFile {
  readonly path: string;
  /** A string, or for an input larger than a string can hold (a List only), its bytes. */
  readonly text: Text;
  readonly format: SourceFormat;
  /** Parsed documents with node ranges (YAML; built on first use for large files). */
  trees: readonly Document[] | undefined;
  /** Offsets of the line starts of a string text (made on first use; a ByteText indexes its own). */
  lineStarts: number[] | undefined;
  /** Locates paths in a JSON file without a node tree (made on first use). */
  jsonLocator?: JsonLocator;
  /** A large List's items as the loader read them, which locate an item without reading those before it. */
  listItems?: ListItems;
  /** For YAML read in bulk (no trees): how many documents the reader found. */
  bulkDocuments?: number;
  /** Locates paths in a bulk-read YAML file by parsing only the node reached (made on first use). */
  yamlLocator?: YamlLocator;
}

/** A resolved position for printing. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** Text of the first line of the range, for a code frame. */
  readonly lineText: string;
}

/**
 * YAML 1.2 core schema, as the `yaml` package reads by default. Go tools (kubectl) read YAML 1.1,
 * where plain `yes`/`no`/`on`/`off`/`y`/`n` are booleans; we read them as strings and warn
 * (see `yaml11.ts`), so a file means the same to netpolc and to the user. `logLevel`: the package
 * would print warnings of its own on stderr (a key it stringifies); the readers report what
 * matters as located diagnostics instead (yaml-keys.ts).
 */
export const yamlOptions = { uniqueKeys: true, prettyErrors: false, merge: true, resolveKnownTags: false, customTags: coreTags, logLevel: 'error' } as const;

/**
 * The core schema's tags with netpolc's numbers, and the explicit YAML 1.1 tags read as kubectl
 * reads them. `resolveKnownTags: false` leaves `!!set`, `!!omap` and `!!pairs` unresolved (a
 * warning): the node is read as the mapping or list it is, as go-yaml v2 (sigs.k8s.io/yaml)
 * ignores the tag of a collection. Resolved, they became a JS Set or Map that read as an empty
 * mapping, so `matchLabels: !!set {admin}` selected every pod.
 */
function coreTags(tags: Tags): Tags {
  return [...finiteNumbers(tags), binaryText, timestampText];
}

/** Standard base64 with padding, as Go's `base64.StdEncoding` decodes it (line breaks ignored). */
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * `!!binary`: go-yaml v2 decodes the base64 into the string it holds (`resolve`, yaml_BINARY_TAG),
 * so `app: !!binary d2Vi` is the label value `web` to kubectl.
 */
const binaryText: ScalarTag = {
  tag: 'tag:yaml.org,2002:binary',
  resolve: (text, onError) => {
    const data = text.replace(/[\r\n]/g, '');
    if (base64.test(data)) return Buffer.from(data, 'base64').toString('utf8');
    onError('!!binary value contains invalid base64 data');
    return text;
  },
};

/** go-yaml v2's timestamp layouts (resolve.go allowedTimestampFormats): date, then time and zone. */
const timestamp = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?))?$/;

/**
 * `!!timestamp`: go-yaml v2 hands a timestamp to an untyped value as the text written (decode.go),
 * and refuses a text that is none ("cannot decode ... as a !!timestamp").
 */
const timestampText: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  resolve: (text, onError) => {
    if (!timestamp.test(text)) onError(`${JSON.stringify(text)} is no timestamp, which kubectl (go-yaml v2) refuses`);
    return text;
  },
};

/**
 * Core-schema numbers too large for a double (`35e2982`, `1e400`, 400 digits) read as the strings
 * they are written as, as js-yaml (the bulk path) and Go's YAML readers (kubectl) read them, not as
 * Infinity: a small and a large file then mean the same. `.inf` stays Infinity.
 */
function finiteNumbers(tags: Tags): Tags {
  return [...finiteCoreNumbers(tags), integerFloat];
}

/**
 * `!!float 80`: the core schema's floats need a dot or an exponent, so the `yaml` package left an
 * integer so tagged a string (and `port: !!float 80` a quoted number, refused), where js-yaml (the
 * bulk path) and go-yaml v2 (kubectl) read 80. Last in the list, after the core integers, so that a
 * plain `80` is still an integer; only an explicit `!!float` reaches it.
 */
const integerFloat: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^[-+]?[0-9]+$/,
  resolve: (text) => (Number.isFinite(Number(text)) ? Number(text) : text),
};

function finiteCoreNumbers(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || !('test' in t) || !t.test || t.test.test('.inf')) return t;
    if (t.tag !== 'tag:yaml.org,2002:float' && t.tag !== 'tag:yaml.org,2002:int') return t;
    const scalar = t as ScalarTag;
    const resolve: ScalarTag['resolve'] = (text, onError, options) => {
      const v = scalar.resolve(text, onError, options);
      // Plain floats resolve to a Scalar node (it keeps their fraction digits), the others to numbers.
      const n = isScalar(v) ? v.value : v;
      return typeof n === 'number' && !Number.isFinite(n) ? text : v;
    };
    return { ...scalar, resolve };
  });
}


/** Parses all YAML documents of a text. */
export function parseYamlDocuments(text: string): Document[] {
  return parseAllDocuments(text, yamlOptions) as unknown as Document[];
}

/** The YAML trees of a file, parsed on first use. */
export function trees(file: SourceFile): readonly Document[] {
  if (!file.trees) {
    const { text } = file;
    // A file read as bytes is a List, located through its items (listItems): no tree is made.
    if (typeof text !== 'string') file.trees = [];
    else file.trees = file.format === 'json' ? [parseDocument(text, { uniqueKeys: false })] : parseYamlDocuments(text);
  }
  return file.trees;
}

/** The line holding `offset` (from 0), its start, and the start of the next line. */
function lineAt(file: SourceFile, offset: number): { line: number; start: number; end: number } {
  const t = file.text;
  if (typeof t !== 'string') return t.lineAt(offset);
  if (!file.lineStarts) {
    const starts = [0];
    for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) starts.push(i + 1);
    file.lineStarts = starts;
  }
  const starts = file.lineStarts;
  const line = lastAtMost(starts.length, (i) => starts[i]!, offset);
  return { line, start: starts[line]!, end: starts[line + 1] ?? t.length + 1 };
}

/** 1-based line and column (in characters) of an offset. */
export function lineColumn(file: SourceFile, offset: number): { line: number; column: number } {
  const { line, start } = lineAt(file, offset);
  // Offsets into bytes count the bytes of characters beyond ASCII: the column counts characters.
  const column = typeof file.text === 'string' ? offset - start : file.text.unitsBetween(start, offset);
  return { line: line + 1, column: column + 1 };
}

/** Longest line of a file read as bytes that is decoded for a code frame. */
const frameLineBytes = 4096;

/** Offset range of the node a reference points at (or its nearest existing ancestor). */
export function rangeOf(file: SourceFile, ref: SourceRef): [number, number] {
  const [first, index] = ref.path;
  if (file.listItems && ref.doc === 0 && first === 'items' && typeof index === 'number') {
    // An item of a List read a run at a time: located within its run.
    const found = file.listItems.range(index, ref.path.slice(2), ref.key === true);
    if (found) return found;
  }
  if (file.format === 'json' && !file.trees) {
    if (ref.doc !== 0) return [0, 0];
    file.jsonLocator ??= new JsonLocator(file.text);
    return file.jsonLocator.range(ref.path, ref.key === true);
  }
  if (!file.trees && file.bulkDocuments !== undefined && typeof file.text === 'string') {
    file.yamlLocator ??= new YamlLocator(file.text, file.bulkDocuments);
    const found = file.yamlLocator.range(ref.doc, ref.path, ref.key === true);
    if (found) return found;
  }
  const doc = trees(file)[ref.doc];
  if (!doc) return [0, 0];
  return walkRange(doc.contents, ref.path, ref.key === true) ?? (doc.range ? [doc.range[0], doc.range[1]] : [0, 0]);
}

/**
 * The range of the node at `path` below `root` in a `yaml` tree (or of its nearest existing
 * ancestor; with `key`, of the last step's key), or undefined when that node has none.
 */
export function walkRange(root: unknown, path: readonly (string | number)[], key: boolean): [number, number] | undefined {
  let node: unknown = root;
  let keyNode: unknown;
  for (const step of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(step));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (item === undefined) break;
      node = item;
    } else {
      break;
    }
  }
  // A key without a value (`{admin}`, `admin:`) has no value node: its key is the place.
  const target = (key || !isNode(node)) && isNode(keyNode) ? keyNode : node;
  const range = isNode(target) ? (target as Node).range : undefined;
  return range ? [range[0], range[1]] : undefined;
}

function keyText(key: unknown): string | undefined {
  if (isNode(key) && 'value' in key) return String((key as { value: unknown }).value);
  return key === null || key === undefined ? undefined : String(key);
}

/** Resolves a target to a printable location, or undefined for `NoTarget`. */
export function locate(files: ReadonlyMap<string, SourceFile>, target: Target): Location | undefined {
  if (target.kind === 'none') return undefined;
  const file = files.get(target.file);
  if (!file) return { file: target.file, line: 1, column: 1, endLine: 1, endColumn: 1, lineText: '' };
  const [pos, end] = target.kind === 'span' ? [target.pos, target.end] : rangeOf(file, target);
  const start = lineColumn(file, pos);
  const stop = lineColumn(file, Math.max(pos, end));
  const { start: lineStart, end: lineEnd } = lineAt(file, pos);
  // A file read as bytes may be one line of a gigabyte: such a line is not decoded.
  const lineText = typeof file.text !== 'string' && lineEnd - lineStart > frameLineBytes ? '' : file.text.slice(lineStart, lineEnd - 1).replace(/\r$/, '');
  return { file: file.path, line: start.line, column: start.column, endLine: stop.line, endColumn: stop.column, lineText };
}

/**
 * {@link locate} for many targets, answered in the order given but located in file order: the
 * readers of large files keep the part they located last (a run of a List read from its bytes),
 * so 2 000 diagnostics of pods in name order, not file order, took 31 s against 1.2 s.
 */
export function locateAll(files: ReadonlyMap<string, SourceFile>, targets: readonly Target[]): (Location | undefined)[] {
  const order = targets.map((_, i) => i).sort((a, b) => compareTargets(targets[a]!, targets[b]!));
  const out = new Array<Location | undefined>(targets.length);
  for (const i of order) out[i] = locate(files, targets[i]!);
  return out;
}

/** File order, as far as a target tells without locating it: file, document, List item. */
function compareTargets(a: Target, b: Target): number {
  if (a.kind === 'none' || b.kind === 'none') return (a.kind === 'none' ? 0 : 1) - (b.kind === 'none' ? 0 : 1);
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return targetPlace(a) - targetPlace(b) || itemOf(a) - itemOf(b);
}

function targetPlace(t: SourceRef | SourceSpan): number {
  return t.kind === 'span' ? -1 : t.doc;
}

function itemOf(t: SourceRef | SourceSpan): number {
  if (t.kind === 'span') return t.pos;
  const [first, index] = t.path;
  return first === 'items' && typeof index === 'number' ? index : -1;
}
