import { irDiagnostic } from '../diagnostics/catalog.js';
import { hasErrors, pathWith, refAt, type Diagnostic, type SourceRef } from '../diagnostics/diagnostic.js';
import type { InputSource, SourceFile, SourceFormat } from './source-file.js';
import { appendAll } from '../util/append.js';
import { isListValue, itemsStart, JsonItems } from './json-items.js';
import { skipSpaces } from './json-locate.js';
import { openBrace, openBracket } from './char-codes.js';
import { typedListDefaults, type ItemDefaults, type ListItems } from './list-items.js';
import { YamlItems, yamlItemsStart } from './yaml-items.js';
import { ByteText, bytesIndexOf, checkSource, maxStringLength, readFully, type ByteSource, type Text } from './text.js';
import { isUtf8 } from 'node:buffer';
import { bulkYamlBytes, readYamlText } from './yaml-read.js';

/** A Kubernetes object read from a file, with the reference of its root. */
export interface ManifestObject {
  readonly value: Readonly<Record<string, unknown>>;
  readonly ref: SourceRef;
  /** The kind and apiVersion of an item of a typed List, for an item that names neither. */
  readonly defaults?: ItemDefaults;
}

/** Result of reading one input. */
export interface ReadResult {
  readonly file: SourceFile;
  readonly objects: ManifestObject[];
  /**
   * The items of a large JSON `List`, parsed one at a time as they are lowered (the List itself
   * is not in `objects`). When they turn out not to be a List of objects (see
   * {@link JsonItems.forEach}), or an item is a List itself, the file is read again whole, with
   * `lazyListChars: Infinity`.
   */
  readonly items?: ListItems;
  readonly diagnostics: Diagnostic[];
}

/** Options of {@link readObjects}. */
export interface ReadOptions {
  /** JSON Lists of at least this many characters are read item by item (see {@link ReadResult.items}); Infinity never. */
  readonly lazyListChars?: number;
}

/**
 * JSON Lists from this size on are parsed item by item, in runs of items of up to
 * `listRunChars` parsed by one `JSON.parse` each: a call costs about as much as parsing a small
 * item (kube-scale's 185k items of 440 characters: load medians of 3.42 s against 3.78 s one by
 * one), and a run this size is still in the cache when its items are lowered. A YAML List
 * longer than `maxTextBytes` is read in runs of about `yamlRunBytes` (see yaml-items.ts).
 * Mutable for tests only, which hold these readings to the whole one on the same inputs.
 */
export const readDefaults = { lazyListChars: 512 * 1024, listRunChars: 16 * 1024, yamlRunBytes: 1 << 20, maxTextBytes: maxStringLength };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Why a file cannot be read as text, and the text before the place where that shows. */
type DecodeError = { readonly error: string; readonly before?: string };

function decode(source: InputSource): { text: string } | { bytes: ByteText } | DecodeError {
  const { content } = source;
  if (typeof content === 'string') {
    const nul = content.indexOf('\u0000');
    return nul >= 0 ? { error: 'contains NUL bytes', before: content.slice(0, nul) } : { text: content };
  }
  const whole = content instanceof Uint8Array;
  const size = whole ? content.length : content.size;
  const head = Buffer.alloc(Math.min(3, size));
  if (whole) head.set(content.subarray(0, head.length));
  else readFully(content, head, 0);
  // A UTF-16 byte-order mark (Windows PowerShell 5.1's `kubectl get -o yaml > file`): kubectl
  // decodes such files (cli-runtime resource/visitor.go FileVisitor.Visit, unicode.BOMOverride).
  const utf16 = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : undefined;
  if (utf16 !== undefined) {
    if (size > readDefaults.maxTextBytes) return { error: `UTF-16 text too large to convert here; convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)` };
    try {
      const text = new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(whole ? content : readWhole(content));
      return text.includes('\u0000') ? { error: 'contains NUL characters' } : { text };
    } catch {
      return { error: `invalid ${utf16.toUpperCase()} after its byte-order mark` };
    }
  }
  if (size > readDefaults.maxTextBytes) {
    // Longer than a string may be: decoded a List item at a time, from bytes held whole or read
    // a window at a time.
    const checked = whole ? checkBytes(content) : checkSource(content);
    if ('error' in checked) return checked;
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    return { bytes: new ByteText(content, bom ? 3 : 0, checked.ascii) };
  }
  const bytes = whole ? content : readWhole(content);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    // Located at the first byte that is no UTF-8 (a Latin-1 `café`), not at the file's start.
    return { error: 'invalid UTF-8', before: decoder.decode(bytes.subarray(0, validUtf8Prefix(bytes))) };
  }
  const nul = text.indexOf('\u0000');
  return nul >= 0 ? { error: 'contains NUL bytes', before: text.slice(0, nul) } : { text: text.replace(/^\uFEFF/, '') };
}

/** The length of the longest prefix of `bytes` that is whole, valid UTF-8 characters. */
function validUtf8Prefix(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    // The exact set of valid sequences is the decoder's: each character is checked by it.
    if (n > 1 && !isUtf8(bytes.subarray(i, i + n))) return i;
    i += n;
  }
  return i;
}

/** {@link checkSource} of bytes held whole (whose ASCII check waits for a located diagnostic). */
function checkBytes(content: Uint8Array): { error: string } | { ascii: undefined } {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (!isUtf8(bytes)) return { error: 'invalid UTF-8' };
  return bytesIndexOf(bytes, 0, 0) >= 0 ? { error: 'contains NUL bytes' } : { ascii: undefined };
}

/** All bytes of a source small enough to be a string. */
function readWhole(source: ByteSource): Uint8Array {
  const out = new Uint8Array(source.size);
  readFully(source, out, 0);
  return out;
}

/**
 * Whether a file is read as JSON first: by its name, or its first character after spaces. A
 * string is trimmed of every space JavaScript knows; bytes of the ASCII ones (a text that long
 * is read as JSON only when it is plainly a List).
 */
function looksLikeJson(path: string, text: Text): boolean {
  if (path.endsWith('.json')) return true;
  const first = typeof text === 'string' ? text.trimStart().charCodeAt(0) : text.charCodeAt(skipSpaces(text, 0));
  return first === openBrace || first === openBracket;
}

/**
 * Reads every document of a file. JSON takes the `JSON.parse` fast path; its locations are
 * computed only if a diagnostic needs one. Plain block YAML (most files) is read by the line
 * reader, large files by it and js-yaml, with locations also computed on demand; anything else is
 * parsed with `yaml`, keeping node ranges and reporting every error.
 */
export function readObjects(source: InputSource, options: ReadOptions = {}): ReadResult {
  const diagnostics: Diagnostic[] = [];
  const decoded = decode(source);
  if ('error' in decoded) {
    // The text before the bad place, so that it is located by line and column.
    const before = decoded.before ?? '';
    const file: SourceFile = { path: source.path, text: before, format: 'yaml', trees: undefined, lineStarts: undefined };
    diagnostics.push(irDiagnostic('ir/binary-input', { detail: decoded.error }, { kind: 'span', file: source.path, pos: before.length, end: before.length }));
    return { file, objects: [], diagnostics };
  }
  if ('bytes' in decoded) return readBytes(source.path, decoded.bytes, options);
  const text = decoded.text;
  const docs: unknown[] = [];
  let format: SourceFormat = 'yaml';
  let jsonError: { readonly reason: string; readonly position: number } | undefined;
  let items: JsonItems | undefined;
  if (looksLikeJson(source.path, text)) {
    const open = text.length >= (options.lazyListChars ?? readDefaults.lazyListChars) ? itemsStart(text) : undefined;
    if (open !== undefined) {
      items = new JsonItems(text, open, readDefaults.listRunChars);
      format = 'json';
    } else {
      try {
        docs.push(JSON.parse(text));
        format = 'json';
      } catch (err) {
        // Not strict JSON: the YAML readers (JSON is YAML) read it, or give a located error.
        jsonError = jsonSyntaxError(err, text.length);
      }
    }
  }
  const file: SourceFile = { path: source.path, text, format, trees: undefined, lineStarts: undefined, ...(items ? { listItems: items } : {}) };
  if (file.format === 'yaml') {
    const read = readYamlText(text, source.path, docs, diagnostics, { bulk: text.length >= bulkYamlBytes, jsonError });
    if (read.trees) file.trees = read.trees;
    if (read.bulkDocuments !== undefined) file.bulkDocuments = read.bulkDocuments;
    if (read.locator) file.yamlLocator = read.locator;
  }
  const objects: ManifestObject[] = [];
  docs.forEach((value, doc) => collectObjects(value, { kind: 'ref', file: source.path, doc, path: [] }, objects, diagnostics));
  if (objects.length === 0 && !items && !hasErrors(diagnostics)) {
    diagnostics.push(irDiagnostic('ir/empty-file', {}, { kind: 'span', file: source.path, pos: 0, end: 0 }));
  }
  return items ? { file, objects, items, diagnostics } : { file, objects, diagnostics };
}

/**
 * A file longer than a string may be: read only as a List whose items are read a run at a time
 * (what `kubectl get -o json` or `-o yaml` prints for a large cluster). Anything else, or a List
 * the item reading gives up on (the loader then asks for the whole, `lazyListChars: Infinity`),
 * is refused with the limit and the way around it.
 */
function readBytes(path: string, bytes: ByteText, options: ReadOptions): ReadResult {
  const json = looksLikeJson(path, bytes);
  const file: SourceFile = { path, text: bytes, format: json ? 'json' : 'yaml', trees: undefined, lineStarts: undefined };
  let items: ListItems | undefined;
  if (options.lazyListChars !== Infinity) {
    if (json) {
      const open = itemsStart(bytes);
      if (open !== undefined) items = new JsonItems(bytes, open, readDefaults.listRunChars);
    } else {
      const at = yamlItemsStart(bytes);
      if (at) items = new YamlItems(bytes, path, at, readDefaults.yamlRunBytes);
    }
  }
  if (!items) {
    const detail = { bytes: String(bytes.length), limit: String(readDefaults.maxTextBytes) };
    return { file, objects: [], diagnostics: [irDiagnostic('ir/input-too-large', detail, { kind: 'span', file: path, pos: 0, end: 0 })] };
  }
  file.listItems = items;
  return { file, objects: [], items, diagnostics: [] };
}

/** JSON.parse's complaint and where it is (the end of the text when it does not say). */
function jsonSyntaxError(err: unknown, length: number): { reason: string; position: number } {
  const message = err instanceof Error ? err.message : String(err);
  const at = / in JSON at position (\d+)/.exec(message);
  return { reason: at ? message.slice(0, at.index) : message, position: at ? Math.min(Number(at[1]), length) : length };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function collectObjects(value: unknown, ref: SourceRef, out: ManifestObject[], diagnostics: Diagnostic[], defaults?: ItemDefaults): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    diagnostics.push(irDiagnostic('ir/not-an-object', { found: describe(value) }, ref));
    return;
  }
  const obj = value as Record<string, unknown>;
  // `kubectl get -o yaml` prints `kind: List`; the raw API returns `PodList` and the like.
  if (isListValue(obj)) {
    const items = obj['items'];
    if (items === null || items === undefined) return;
    if (!Array.isArray(items)) {
      diagnostics.push(
        irDiagnostic('ir/invalid-type', { field: 'items', expected: 'a list', found: describe(items), hint: '' }, refAt(ref, 'items')),
      );
      return;
    }
    const itemDefaults = typedListDefaults(obj);
    items.forEach((item, i) => collectObjects(item, { kind: 'ref', file: ref.file, doc: ref.doc, path: pathWith(ref.path, 'items', i) }, out, diagnostics, itemDefaults));
    return;
  }
  out.push(defaults ? { value: obj, ref, defaults } : { value: obj, ref });
}
