// Reading YAML text into documents: the line reader and js-yaml for bulk inventories (source
// locations only on demand), the `yaml` package for anything else, with every error located and
// the YAML 1.1 scalars kubectl reads differently reported.
import jsyaml from 'js-yaml';
import type { Document } from 'yaml';
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { appendAll } from '../util/append.js';
import { coreSchema } from './jsyaml-core.js';
import { readPlainDocuments } from './plain-yaml.js';
import { parseYamlDocuments } from './source-file.js';
import { YamlLocator } from './yaml-locate.js';
import { checkKeys, keyCandidateOffsets } from './yaml-keys.js';
import { badMergeSource, checkMerges } from './yaml-merge.js';
import { candidateScalar, checkYaml11Scalars, yaml11Candidate, yaml11ScalarTags } from './yaml11.js';

/** What reading a YAML text found besides its documents, for locating paths in it later. */
export interface YamlRead {
  /** The `yaml` package's trees, when it read the text. */
  readonly trees?: Document[];
  /** How many documents the bulk readers found, when they read the text. */
  readonly bulkDocuments?: number;
  /** The locator made for the YAML 1.1 check, kept for locating. */
  readonly locator?: YamlLocator;
}

/**
 * Reads the documents of a YAML text into `docs`, with its syntax errors and YAML 1.1 warnings
 * (spans into `text`). `bulk`: a large text, read by the line reader and js-yaml before the
 * `yaml` package; `jsonError`: the text is broken JSON too, whose error is reported instead of
 * YAML's when both fail.
 */
export function readYamlText(text: string, path: string, docs: unknown[], diagnostics: Diagnostic[], options: { bulk: boolean; jsonError?: { readonly reason: string; readonly position: number } | undefined }): YamlRead {
  const { jsonError } = options;
  const bulk = options.bulk ? readBulkYaml(text) : readPlainOnly(text);
  const around = bulk && 'syntax' in bulk && !jsonError ? new YamlLocator(text, undefined).errorsAround(bulk.syntax) : undefined;
  if (bulk && 'syntax' in bulk && jsonError) {
    // Broken as JSON and as YAML (a truncated `kubectl -o json`, say): JSON's own error, at
    // once, rather than every error the yaml package finds at about 1 MB/s.
    diagnostics.push(jsonDiagnostic(path, jsonError, text.length));
    return {};
  }
  if (around) {
    // The errors of the node where js-yaml stopped (a List item, a document), parsed alone:
    // the first broken place at once, not a parse of the whole file at about 1 MB/s.
    for (const e of around) {
      const d = irDiagnostic('ir/syntax', { detail: syntaxDetail(e.message) }, { kind: 'span', file: path, pos: e.pos, end: e.end });
      diagnostics.push(e.error || isError(e.message) ? d : { ...d, severity: 'warning' });
    }
    return {};
  }
  if (bulk && 'docs' in bulk) {
    // Locations (trees) are built only if a diagnostic needs one, as for JSON; so is the
    // YAML 1.1 check, when the readers saw a candidate and a scan of the text finds one (a
    // third of a second over a 90 MB inventory, which the line reader alone spares).
    const yaml11 = bulk.yaml11 && yaml11Candidate.test(text);
    const merges = mergeOffsets(text);
    // The line reader reads no key kubectl refuses: only what js-yaml read is scanned.
    const keys = bulk.jsyamlFrom < text.length ? keyCandidateOffsets(text, bulk.jsyamlFrom) : [];
    if (!yaml11 && merges.length === 0 && keys.length === 0) {
      appendAll(docs, bulk.docs);
      return { bulkDocuments: bulk.docs.length };
    }
    const locator = new YamlLocator(text, bulk.docs.length);
    let trees: Document[] | undefined;
    // The trees of the nodes around the candidates (a List item, a document) when the locator
    // finds them, else of the whole text, parsed once.
    const around = (offsets: number[]): { tree: Document; offset: number }[] => locator.treesAround(offsets) ?? (trees ??= parseYamlDocuments(text)).filter((t) => t.errors.length === 0).map((tree) => ({ tree, offset: 0 }));
    if (keys.length > 0) {
      const near = locator.treesAround(keys);
      const found: Diagnostic[] = [];
      const refused = near ? checkKeys(text, near, path, found).map((at) => locator.documentAt(at)) : [undefined];
      // Each document holding such a key is refused, as kubectl refuses it. Where the documents
      // cannot be told apart cheaply, or a node around a candidate does not parse alone (the
      // yaml package refuses `{a: 1}: b` in a block mapping, which js-yaml reads), the yaml
      // package reads the file as it reads a small one, errors and all.
      if (refused.includes(undefined)) return { trees: readYaml(text, path, docs, diagnostics) };
      appendAll(diagnostics, found);
      for (const doc of refused) bulk.docs[doc!] = undefined;
    }
    appendAll(docs, bulk.docs);
    if (yaml11) checkYaml11Scalars(around([...text.matchAll(new RegExp(yaml11Candidate.source, 'gm'))].map((m) => m.index + m[0].indexOf(candidateScalar(m)))), path, diagnostics);
    if (merges.length > 0) checkMerges(around(merges), path, diagnostics);
    return trees ? { bulkDocuments: bulk.docs.length, locator, trees } : { bulkDocuments: bulk.docs.length, locator };
  }
  const before = { diagnostics: diagnostics.length, docs: docs.length };
  const trees = readYaml(text, path, docs, diagnostics);
  if (!jsonError || !diagnostics.slice(before.diagnostics).some((d) => d.severity === 'error')) return { trees };
  // Broken JSON in a small file too: the yaml package's errors for it are one per token, in its
  // own words ("Flow map in block collection must be sufficiently indented").
  diagnostics.length = before.diagnostics;
  docs.length = before.docs;
  diagnostics.push(jsonDiagnostic(path, jsonError, text.length));
  return {};
}

/** JSON's own syntax error, in words for the two common cases (a file cut short, values run together). */
function jsonDiagnostic(path: string, { reason, position }: { readonly reason: string; readonly position: number }, length: number): Diagnostic {
  const detail = /^Unexpected end of JSON input/.test(reason) || position >= length
    ? 'the JSON ends before its objects and arrays are closed (is the file cut short?)'
    : /^Unexpected non-whitespace character after JSON/.test(reason)
      ? 'a second JSON value follows the first here: a file holds one JSON value (kubectl get of several objects prints one List; or write YAML documents separated by ---)'
      : `${reason} (read as JSON)`;
  return irDiagnostic('ir/syntax', { detail }, { kind: 'span', file: path, pos: position, end: position });
}

/** Files from this size on are read with js-yaml first (about 7x faster than `yaml`). */
export const bulkYamlBytes = 512 * 1024;

// An alias (`*name`) anywhere: js-yaml shares aliased nodes without the alias-count limit that
// protects against exponential expansion, so such files take the `yaml` path.
// The expression is the rule; hasAliasCandidate applies it (the tests hold the two equal).
export const aliasCandidate = /(^|[\s,[{:-])\*[^\s,\]}]/m;
const aliasBefore = /[\s,[{:-]/;
const notAliasAfter = /[\s,\]}]/;

/**
 * Whether {@link aliasCandidate} matches, looking only around each `*` (most inventories have
 * none): the expression over a 90 MB file took a third of a second.
 */
export function hasAliasCandidate(text: string): boolean {
  for (let i = text.indexOf('*'); i >= 0; i = text.indexOf('*', i + 1)) {
    const after = text[i + 1];
    if ((i === 0 || aliasBefore.test(text[i - 1]!)) && after !== undefined && !notAliasAfter.test(after)) return true;
  }
  return false;
}

/**
 * A merge key (`<<:`), as the readers find it (the line reader refuses them; js-yaml and the
 * `yaml` package merge as YAML 1.1 says): the mappings around each are then read as kubectl
 * reads them too (yaml-merge.ts). A `<<:` inside a quoted scalar only costs that check.
 */
export const mergeCandidate = /(?:^|[\s{,?])<<[ \t]*:/m;

/** Where {@link mergeCandidate} matches (at each `<<`), looking only around each `<<` (most files have none). */
export function mergeOffsets(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('<<'); i >= 0; i = text.indexOf('<<', i + 1)) {
    if (i > 0 && !/[\s{,?]/.test(text[i - 1]!)) continue;
    let j = i + 2;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] === ':') out.push(i);
  }
  return out;
}

/** A merge key written as an explicit key, which only the `yaml` package reads as a merge. */
const explicitMergeKey = /(?:^|[\s{,[])\?[ \t]+<<[ \t]*(?:$|:|\s)/m;

/**
 * Bulk inventories (`kubectl get -o yaml` of a big cluster) as js-yaml reads them with the YAML
 * 1.2 core schema, which resolves scalars as `yaml` does (no timestamps; merge keys as YAML 1.1
 * defines them, jsyaml-core.ts): the line
 * reader (`plain-yaml.ts`) reads the documents it can, js-yaml the rest. Undefined when the text
 * has aliases or tags js-yaml does not know, where js-yaml stopped when it does not parse: the
 * `yaml` path then reads it or gives located errors.
 */
function readBulkYaml(text: string): BulkRead | { readonly syntax: number } | undefined {
  // An explicit merge key (`? <<`) is a merge to the yaml package and a plain key to js-yaml.
  if (hasAliasCandidate(text) || explicitMergeKey.test(text)) return undefined;
  const { docs, rest, yaml11 } = readPlainDocuments(text);
  if (rest === text.length) return { docs, yaml11, jsyamlFrom: rest };
  try {
    // What js-yaml read is not known to be free of YAML 1.1 candidates.
    return { docs: appendAll(docs, jsyaml.loadAll(text.slice(rest), undefined, { schema: coreSchema })), yaml11: true, jsyamlFrom: rest };
  } catch (err) {
    // Tags the core schema does not know are read (with a warning) by the yaml package.
    return err instanceof jsyaml.YAMLException && !err.reason.startsWith('unknown tag') ? { syntax: rest + err.mark.position } : undefined;
  }
}

/**
 * A small file the line reader reads entirely (plain block YAML, as most policy files are), or
 * undefined: the yaml package then reads it, with every error located. One policy per file is
 * how repositories keep them: 5 000 such files took 7.7 s through the yaml package.
 */
function readPlainOnly(text: string): BulkRead | undefined {
  const { docs, rest, yaml11 } = readPlainDocuments(text);
  return rest === text.length ? { docs, yaml11, jsyamlFrom: rest } : undefined;
}

/**
 * Documents read in bulk, whether they may hold plain scalars YAML 1.1 reads differently, and
 * where js-yaml took over from the line reader (the text's length when it did not).
 */
interface BulkRead {
  readonly docs: unknown[];
  readonly yaml11: boolean;
  readonly jsyamlFrom: number;
}

/** The tag the yaml package names in an "Unresolved tag" warning, if the message is one. */
function unresolvedTag(message: string): string | undefined {
  return /^Unresolved tag: (\S+)/.exec(message)?.[1];
}

/**
 * Whether a parser's warning is one to report as an error: a core scalar tag its value does not
 * match ({@link yaml11ScalarTags}), not a tag kubectl ignores.
 */
function isError(message: string): boolean {
  const tag = unresolvedTag(message);
  return tag !== undefined && yaml11ScalarTags.has(tag);
}

/**
 * A parser's message as said to the user: the yaml package reports running out of stack (20 000
 * nested `[`) as "Maximum call stack size exceeded", which names nothing the user wrote.
 */
function syntaxDetail(message: string): string {
  if (message.startsWith('Maximum call stack size exceeded')) return 'collections nested too deeply to read (the reader ran out of stack here; Kubernetes objects nest a few dozen levels)';
  const tag = unresolvedTag(message);
  if (tag !== undefined) {
    const name = tag.replace(/^tag:yaml\.org,2002:/, '!!');
    if (yaml11ScalarTags.has(tag)) return `the value is no ${name} in YAML 1.2, and kubectl (go-yaml v2, YAML 1.1) reads it as another value or refuses it: write the value without the tag`;
    return `the tag ${name} is ignored, as kubectl ignores it: the value is read as the plain mapping, list or string it is written as${name === '!!set' ? " (a set's members are keys without values)" : ''}`;
  }
  return message;
}

/** Parses with `yaml`, reporting syntax errors and YAML 1.1 booleans; returns the trees. */
function readYaml(text: string, path: string, docs: unknown[], diagnostics: Diagnostic[]): Document[] {
  const parsed = parseYamlDocuments(text);
  const read: { tree: Document; offset: number }[] = [];
  parsed.forEach((doc) => {
    // Documents run together (files concatenated without a `---` between them) repeat
    // apiVersion and kind at the top level: said once, with the likely cause, instead of one
    // bare error per repeated key.
    let runTogether = false;
    /** Where the line after the last repeated apiVersion or kind starts. */
    let after = -1;
    let exhausted = false;
    for (const e of [...doc.errors, ...doc.warnings]) {
      const [pos, end] = e.pos;
      const topLevelDuplicate = e.code === 'DUPLICATE_KEY' && (pos === 0 || text[pos - 1] === '\n');
      const head = topLevelDuplicate ? /^(apiVersion|kind)\s*:/.exec(text.slice(pos, pos + 12))?.[1] : undefined;
      let detail = syntaxDetail(e.message.split('\n')[0] ?? e.code);
      // The parser may run out of stack more than once in a document; once is enough to say.
      if (e.code === 'RESOURCE_EXHAUSTION') {
        if (exhausted) continue;
        exhausted = true;
      }
      if (head !== undefined) {
        // apiVersion and kind on consecutive lines start one document.
        const joined = pos === after;
        after = text.indexOf('\n', pos) + 1;
        if (joined) continue;
        runTogether = true;
        detail += `: a second ${head} at the top level, as when two documents have no --- between them (files concatenated without one?)`;
      } else if (topLevelDuplicate && runTogether) continue;
      const error = doc.errors.includes(e as never) || isError(e.message);
      const d = irDiagnostic('ir/syntax', { detail }, { kind: 'span', file: path, pos, end });
      diagnostics.push(error ? d : { ...d, severity: 'warning' });
    }
    if (doc.errors.length > 0 || checkKeys(text, [{ tree: doc, offset: 0 }], path, diagnostics).length > 0) {
      docs.push(undefined);
      return;
    }
    try {
      docs.push(doc.toJS({ maxAliasCount: 100 }));
      read.push({ tree: doc, offset: 0 });
    } catch (err) {
      const [pos, end] = badMergeSource(doc) ?? doc.range ?? [0, 0];
      diagnostics.push(irDiagnostic('ir/syntax', { detail: (err as Error).message }, { kind: 'span', file: path, pos, end }));
      docs.push(undefined);
    }
  });
  checkYaml11Scalars(parsed.filter((d) => d.errors.length === 0).map((tree) => ({ tree, offset: 0 })), path, diagnostics);
  // Only documents read without error: a merge the yaml package refused was reported above. Every
  // tree is walked (a `? <<` key is no candidate of the text scan); this path reads small files.
  checkMerges(read, path, diagnostics);
  return parsed;
}

