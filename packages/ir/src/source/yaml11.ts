import { isPair, isScalar, visit, type Document } from 'yaml';
import { irDiagnostic } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

// netpolc reads YAML 1.2 (core schema); kubectl reads YAML 1.1 (go-yaml v2 under sigs.k8s.io/yaml).
// The plain scalars the two read differently are reported here, so a file means the same to
// netpolc and to the cluster it is applied to.

/** The plain words YAML 1.1 (go-yaml v2, kubectl) resolves to booleans, as a regular expression alternation. */
const booleanWords = 'y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF';

/** Plain scalars that YAML 1.1 (go-yaml v2, kubectl) resolves to booleans. */
export const yaml11Booleans = new RegExp(`^(${booleanWords})$`);

// Plain integers go-yaml v2 reads differently: it drops every `_` and parses with Go's
// strconv.ParseInt(text, 0, 64), where a leading 0 means octal (`0120` is 80, 120 in YAML 1.2)
// and 0b binary (a string in YAML 1.2) (gopkg.in/yaml.v2 resolve.go, `case 'D', 'S'`).
const octal = /^([-+]?)0([0-7]+)$/;
const prefixed = /^([-+]?)0([box])([0-9a-fA-F]+)$/;
const decimal = /^[-+]?[0-9]+$/;

/** The integer go-yaml v2 reads from a plain scalar, if it reads one. */
export function yaml11Integer(text: string): number | undefined {
  if (!/^[-+]?[0-9]/.test(text)) return undefined;
  const plain = text.replace(/_/g, '');
  const o = octal.exec(plain);
  if (o) return (o[1] === '-' ? -1 : 1) * parseInt(o[2]!, 8);
  const p = prefixed.exec(plain);
  if (p) {
    const digits = p[3]!;
    const base = p[2] === 'b' ? 2 : p[2] === 'o' ? 8 : 16;
    if (![...digits].every((d) => parseInt(d, 16) < base)) return undefined;
    return (p[1] === '-' ? -1 : 1) * parseInt(digits, base);
  }
  // Past int64 and a double, go-yaml v2 keeps the text: a string, as here.
  return decimal.test(plain) && Number.isFinite(Number(plain)) ? Number(plain) : undefined;
}

/** Fields netpolc reads as numbers: where a YAML 1.1 reading that differs changes the policy. */
const numberFields = new Set(['port', 'endPort', 'containerPort']);

/** Plain numbers go-yaml v2 may read otherwise: a leading 0, a 0b/0o/0x prefix, an underscore. */
const numberForms = '[-+]?0[0-9_]*[1-9][0-9_]*|[-+]?0[box][0-9a-fA-F_]+|[-+]?[0-9][0-9_]*_[0-9_]*';

/**
 * A plain scalar, after a key, a flow indicator or a list dash (a dash followed by a space: `- -n`
 * is the scalar `-n`), that YAML 1.1 may read differently: a boolean word, or a number with a
 * leading 0, a 0b/0o/0x prefix or an underscore; or such a word or number as a key (`on: a`:
 * kubectl stores the label key `true`). A cheap test of a whole file before any tree is built;
 * the scalar is the first capture that matched ({@link candidateScalar}).
 */
export const yaml11Candidate = new RegExp(
  `(?:[:[,{]|(?:^|\\s)-(?=\\s))\\s*(${booleanWords}|${numberForms})\\s*($|[,\\]}#])|(?:^|[\\s{,])(${booleanWords}|${numberForms})\\s*:(?=\\s|$)`,
  'm',
);

/** The scalar a match of {@link yaml11Candidate} found. */
export function candidateScalar(m: RegExpMatchArray): string {
  return (m[1] ?? m[3])!;
}

/**
 * The core schema's explicit scalar tags, whose values YAML 1.1 resolves otherwise than 1.2
 * (`!!int 0120`, `!!bool yes`): a value such a tag does not match to the yaml package is another
 * value to kubectl, or one it refuses.
 */
export const yaml11ScalarTags: ReadonlySet<string> = new Set(['int', 'float', 'bool', 'null'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Reports plain scalars of trees (whose ranges start at `offset`) that YAML 1.1 reads differently:
 * booleans once per distinct value and file (a warning: quoting them is the fix), and numbers in
 * the fields netpolc reads as numbers whenever kubectl would read another value (an error: the
 * compiled rule would not be the one the cluster enforces).
 */
export function checkYaml11Scalars(docs: readonly { readonly tree: Document; readonly offset: number }[], path: string, diagnostics: Diagnostic[]): void {
  const warned = new Set<string>();
  for (const { tree, offset } of docs) {
    visit(tree, {
      Scalar(key, node, ancestors) {
        // `!!str 0120` is a string to every reader, kubectl's too (not so `!!int 0120`: octal 80 in
        // YAML 1.1), and so is the text of `!!binary`, `!!timestamp` or a local tag (`!mine on`).
        if (node.type !== 'PLAIN' || (node.tag !== undefined && !yaml11ScalarTags.has(node.tag))) return;
        const [pos, end] = node.range ?? [0, 0];
        const at = { kind: 'span', file: path, pos: pos + offset, end: end + offset } as const;
        const parent = ancestors[ancestors.length - 1];
        const field = key !== 'key' && isPair(parent) && isScalar(parent.key) ? parent.key.value : undefined;
        const numberField = typeof field === 'string' && numberFields.has(field);
        // A key too: sigs.k8s.io/yaml turns the boolean key of `on: a` into the string "true".
        if (typeof node.value === 'string' && yaml11Booleans.test(node.value)) {
          if (numberField) {
            // `port: on` is a named port here and a boolean to kubectl, which the API server
            // refuses: two different objects, as for numbers below (each one reported).
            const kubectl = /^(y|yes|on)$/i.test(node.value);
            diagnostics.push(irDiagnostic('ir/yaml11-number', { value: node.value, kubectl: String(kubectl), here: JSON.stringify(node.value) }, at));
            return;
          }
          if (warned.has(node.value)) return;
          warned.add(node.value);
          diagnostics.push(irDiagnostic('ir/yaml11-boolean', { value: node.value }, at));
          return;
        }
        const text = node.source ?? String(node.value);
        const kubectl = yaml11Integer(text);
        if (kubectl === undefined || kubectl === node.value) return;
        // A key that is a number to both readers is the text of that number to each (`012:` is the
        // key "12" here and "10" to kubectl): two different objects, as in a port.
        if (numberField || (key === 'key' && typeof node.value === 'number')) {
          diagnostics.push(irDiagnostic('ir/yaml11-number', { value: text, kubectl, here: JSON.stringify(node.value) }, at));
          return;
        }
        // `1_000` or `0b101` elsewhere: a string here, a number to kubectl (as a key, the string
        // "1000" through sigs.k8s.io/yaml). Where a string is read (a label value, a name) the API
        // server refuses the number; where a number is (a grace period), quoting would be wrong:
        // the message says both.
        if (typeof node.value !== 'string' || warned.has(text)) return;
        warned.add(text);
        diagnostics.push(irDiagnostic('ir/yaml11-string', { value: text, kubectl }, at));
      },
    });
  }
}
