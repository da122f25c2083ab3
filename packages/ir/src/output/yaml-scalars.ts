// Scalars every YAML printer of netpolc writes alike (the Calico and Cilium backends, the CLI's
// snapshot): numbers and quoted strings that YAML 1.1 readers (go-yaml v2 in kubectl, calicoctl and
// Cilium; PyYAML) and YAML 1.2 readers read as the same value.

/**
 * A finite number as YAML. JavaScript writes a number below 1e-6 or from 1e21 on in exponent form
 * without a dot (`5e-7`, `1e+21`); YAML 1.1's float needs a dot and a signed exponent
 * (yaml.org/type/float.html), so PyYAML read `order: 5e-7` as a string. With the dot (`5.0e-7`)
 * it is a float to YAML 1.1 and 1.2 alike.
 */
export function yamlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} as YAML`);
  const text = String(n);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const mantissa = text.slice(0, e);
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}${text.slice(e)}`;
}

/** YAML 1.1 plain scalars that resolve to booleans or null (yaml.org/type/bool.html, null.html), lowercased. */
const yaml11Words = new Set(['y', 'yes', 'n', 'no', 'true', 'false', 'on', 'off', 'null']);
const bareExponent = /^[eE][-+]?[0-9]+$/;

/**
 * A test of whether a string may be written plain and still read back as the same string in
 * YAML 1.1 and 1.2. It starts with a letter or underscore (so it is never a number, timestamp,
 * base-60 integer, indicator, tag, anchor or alias), holds only letters, digits, `_ . / -` and
 * the printer's `extra` ASCII characters (a Calico selector's spaces and operators, a Cilium
 * label source's colon), ends with neither a space nor a colon, holds no `: ` or ` #`, and is no
 * YAML 1.1 boolean or null word. A bare exponent (`e3`, `E-9`) is a string to YAML 1.1 and 1.2
 * but NaN (null) to the JavaScript `yaml` package in its 1.1 mode, which a checker may use, so it
 * is quoted too. A character loop over a table: printers ask for every key and value.
 */
export function yamlPlainTest(extra = ''): (s: string) => boolean {
  const allowed = new Uint8Array(128);
  for (const ch of `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-${extra}`) allowed[ch.charCodeAt(0)] = 1;
  return (s) => {
    const n = s.length;
    if (n === 0) return false;
    const first = s.charCodeAt(0);
    if (!(first === 95 || (first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return false;
    const last = s.charCodeAt(n - 1);
    if (last === 32 || last === 58) return false;
    for (let i = 1; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128 || allowed[c] === 0) return false;
      const next = s.charCodeAt(i + 1);
      if ((c === 58 && next === 32) || (c === 32 && next === 35)) return false;
    }
    if (n <= 5 && yaml11Words.has(s.toLowerCase())) return false;
    return !((first === 101 || first === 69) && bareExponent.test(s));
  };
}

/** Lone surrogates, which no UTF-8 text holds. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * What JSON leaves raw and YAML wants escaped: DEL, C1 controls, line and paragraph separators,
 * BOM, and U+FFFE and U+FFFF, which YAML's printable set leaves out (go-yaml refuses the file).
 */
const rawInJson = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;
/** The same and C0 controls, which a comment cannot hold either (a line break ends it). */
const rawInComment = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A string as a double-quoted YAML scalar: JSON's string syntax, which YAML's double-quoted style
 * reads alike (every JSON escape is a YAML escape), with what YAML 1.1 readers refuse raw escaped.
 * A lone surrogate (`\ud800` in JSON input) becomes U+FFFD, as Go's JSON decoder reads it: go-yaml
 * refuses a `\ud800` escape, and UTF-8 cannot hold one.
 */
export function yamlQuoted(s: string): string {
  return JSON.stringify(s.replace(loneSurrogate, '\ufffd')).replace(rawInJson, escaped);
}

/**
 * Text for a YAML comment line (a header naming input paths, say): line breaks of any YAML
 * version, controls and what YAML cannot hold are written as `\uXXXX`, so the comment stays one
 * line and the file stays readable.
 */
export function yamlCommentText(text: string): string {
  return text.replace(rawInComment, escaped).replace(loneSurrogate, escaped);
}
