import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

// kubectl turns YAML into JSON with sigs.k8s.io/yaml, which gives every mapping key a JSON name
// and refuses a key that is no string, number or boolean ("unsupported map key of type",
// yaml.go yamlToJSONTarget): a null key (`~:`, `null:`, an empty `: x`) or a list or mapping used
// as a key (`? [a, b]`, `{a: b}: c`). The readers here would make "", "null", "[ a, b ]" or
// "[object Object]" of them (each its own) and read on; such a document is refused instead, as
// kubectl refuses it.

/** What a key kubectl refuses is, in words; undefined for a key it reads. */
function refusedKey(doc: Document, key: unknown): string | undefined {
  const node = isAlias(key) ? (key.resolve(doc) as unknown) : key;
  if (node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === undefined))) return 'null';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  return undefined;
}

/**
 * Reports the keys of trees (whose ranges start at `offset` in `text`) that kubectl refuses;
 * returns where each is (an offset into the text).
 */
export function checkKeys(text: string, docs: readonly { readonly tree: Document; readonly offset: number }[], path: string, diagnostics: Diagnostic[]): number[] {
  const refused: number[] = [];
  for (const { tree, offset } of docs) {
    visit(tree, {
      Pair(_, pair, ancestors) {
        const what = refusedKey(tree, pair.key);
        if (what === undefined) return;
        // An empty key has no node, or one of no width: the pair's value, or its parent, says where.
        const keyRange = (pair.key as Node | null)?.range;
        const near = keyRange ?? (pair.value as Node | null)?.range ?? (ancestors[ancestors.length - 1] as Node | undefined)?.range ?? [0, 0];
        let [pos, end] = [near[0] + offset, (keyRange ? keyRange[1] : near[0]) + offset];
        // The tree puts an empty block key at its line's start: the user looks for the colon.
        if (pos === end) while (text[pos] === ' ') end = ++pos;
        diagnostics.push(irDiagnostic('ir/yaml-key', { what }, { kind: 'span', file: path, pos, end }));
        refused.push(pos);
      },
    });
  }
  return refused;
}

/**
 * Where a key kubectl refuses may be: an explicit key (`? `), an empty, `~` or `null` key, or a
 * flow collection closed right before a key's colon (a colon after whitespace counts too, for the
 * `~ :` and `[a] :` forms). The expression is the rule; {@link keyCandidateOffsets} applies it
 * (the tests hold the two to the same lines). The node of each is then parsed alone and asked
 * ({@link checkKeys}); kubectl's own output has none.
 */
export const keyCandidate = /(?:^|[\s{,[])\?(?=[ \t]|$)|(?:^|[\s{,[?]|(?:^|\s)-)[ \t]*(?:~|null|Null|NULL)?[ \t]*:(?=[ \t]|$|[,\]}])|[\]}][ \t]*:(?=[ \t]|$|[,\]}])/m;

const whitespace = /\s/;
const lineBreak = /[\n\r\u2028\u2029]/;

/** Whether a character is `\s` to a regular expression (start of text: true, as `^`). */
function isSpace(c: string | undefined): boolean {
  if (c === undefined) return true;
  const code = c.charCodeAt(0);
  return code === 32 || code === 10 || code === 9 || code === 13 || ((code > 127 || code === 11 || code === 12) && whitespace.test(c));
}

/** Whether what follows an indicator at `i` ends it: a space, a tab, a line's or the text's end (and `,]}` after a colon). */
function endsIndicator(text: string, i: number, flow: boolean): boolean {
  const c = text[i];
  return c === undefined || c === ' ' || c === '\t' || lineBreak.test(c) || (flow && (c === ',' || c === ']' || c === '}'));
}

/** Whether a key may start after the character at `p`: a line's start, whitespace, `{,[?`, or a dash after whitespace. */
function keyMayFollow(text: string, p: number): boolean {
  const c = text.charCodeAt(p);
  // Letters and digits first: the colon after a key of them is every line's.
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90)) return false;
  return isSpace(text[p]) || c === 123 || c === 44 || c === 91 || c === 63 || (c === 45 && isSpace(text[p - 1]));
}

const nullWords = ['~', 'null', 'Null', 'NULL'];

/**
 * The offsets of the {@link keyCandidate}s of a text from `from` on (each `?` or colon), found
 * from each `?` and colon instead of by the expression, which took 1.5 s over a 90 MB inventory.
 */
export function keyCandidateOffsets(text: string, from = 0): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('?', from); i >= 0; i = text.indexOf('?', i + 1)) {
    const c = text[i - 1];
    if ((isSpace(c) || c === '{' || c === ',' || c === '[') && endsIndicator(text, i + 1, false)) out.push(i);
  }
  for (let i = text.indexOf(':', from); i >= 0; i = text.indexOf(':', i + 1)) {
    if (!endsIndicator(text, i + 1, true)) continue;
    const c = text.charCodeAt(i - 1);
    // Most colons end a key of letters: one look at the character before settles them.
    if (c === 93 || c === 125 || keyMayFollow(text, i - 1)) out.push(i);
    else if ((c === 126 || c === 108 || c === 76) && nullWords.some((w) => text.endsWith(w, i) && i - w.length >= from && keyMayFollow(text, i - w.length - 1))) out.push(i);
  }
  return out.sort((a, b) => a - b);
}
