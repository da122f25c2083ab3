// The scalars every YAML printer writes read back as the same value in YAML 1.1 (go-yaml v2,
// PyYAML) and YAML 1.2. The oracle for numbers is YAML 1.1's own resolution patterns
// (yaml.org/type/int.html, yaml.org/type/float.html), not a parser written in JavaScript, whose 1.1
// mode reads `5e-7` as a number where PyYAML reads the string '5e-7'.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { yamlCommentText, yamlNumber, yamlPlainTest, yamlQuoted } from '../src/index.js';
import { propertyParams } from '../src/testing/index.js';

const yaml11Int = /^[-+]?(?:0|[1-9][0-9_]*)$/;
const yaml11Float = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?$/;

it('writes every finite number so that YAML 1.1 and 1.2 read the same number', () => {
  // Old code: String(n), so 5e-7 and 1e+21 matched neither YAML 1.1 pattern (strings there).
  for (const n of [0, 80, 65535, -3, 0.5, 1.5e-7, 5e-7, 1e-7, 1e21, 1.25e300, -4e-10]) {
    const text = yamlNumber(n);
    expect(yaml11Int.test(text) || yaml11Float.test(text), text).toBe(true);
    expect(Number(text)).toBe(n);
    expect(parse(text)).toBe(n);
  }
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      const text = yamlNumber(n);
      // -0 is written 0, which reads as 0: the same number to every consumer of an order.
      return (yaml11Int.test(text) || yaml11Float.test(text)) && Number(text) === n && parse(text) === n;
    }),
    propertyParams(),
  );
  expect(() => yamlNumber(Infinity)).toThrow();
});

it('quotes strings so that YAML reads them back whole: controls escaped, lone surrogates as U+FFFD', () => {
  for (const s of ['a\u2028b', 'x\u0085y', 'del\u007f', '\ufeffbom', 'tab\tand "quotes"', 'ok']) expect(parse(yamlQuoted(s))).toBe(s);
  // A JSON \ud800 escape in the input: go-yaml refuses the escape, Go's JSON decoder read U+FFFD.
  expect(parse(yamlQuoted('a\ud800b'))).toBe('a\ufffdb');
  expect(parse(yamlQuoted('\udc00'))).toBe('\ufffd');
  expect(parse(yamlQuoted('pair \ud83d\ude00'))).toBe('pair \ud83d\ude00');
  for (const c of ['\u0085', '\u2028', '\u2029', '\u007f', '\ufeff']) expect(yamlQuoted(c)).not.toContain(c);
});

/** YAML's printable characters (YAML 1.1 and 1.2 §5.1) that break no line, one UTF-16 code unit at a time. */
const printableUnit = (c: number): boolean => (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xfffd && (c < 0xd800 || c > 0xdfff) && c !== 0x2028 && c !== 0x2029 && c !== 0xfeff);

it('writes every code unit of the BMP as printable YAML that reads back as the character (U+FFFD for a lone surrogate)', () => {
  // Old code: U+FFFE and U+FFFF raw, which go-yaml and PyYAML refuse ("unacceptable character").
  const unprintable: string[] = [];
  for (let c = 0; c <= 0xffff; c++) {
    const s = `a${String.fromCharCode(c)}b`;
    const quoted = yamlQuoted(s);
    const comment = yamlCommentText(s);
    for (const text of [quoted, comment]) {
      for (let i = 0; i < text.length; i++) if (!printableUnit(text.charCodeAt(i))) unprintable.push(`U+${c.toString(16)} in ${JSON.stringify(text)}`);
    }
    // Parsing back is the slow part: every character near the ranges YAML treats apart, a sample elsewhere.
    const near = c < 0x100 || (c >= 0x2000 && c < 0x2100) || (c >= 0xd7f0 && c < 0xe010) || c >= 0xfef0 || c % 97 === 0;
    if (near) expect(parse(quoted)).toBe(c >= 0xd800 && c <= 0xdfff ? 'a\ufffdb' : s);
  }
  expect(unprintable).toEqual([]);
});

it('writes plain only strings that YAML 1.1 and 1.2 read back as the same string, with each printer\'s extra characters', () => {
  // One test for the three printers (Calico selectors, Cilium label sources, the snapshot), which
  // each had a pattern of their own. Mapping values and keys in block style are where they print.
  const unit = fc.constantFrom('a', 'Z', 'y', 'e', 's', 'o', 'n', '_', '0', '9', '.', '/', '-', ':', ' ', '#', "'", '=', '!', '&', '|', '(', ')', '~', '+', '@', 'é');
  const text = fc.oneof(fc.constantFrom('y', 'No', 'ON', 'off', 'TRUE', 'null', 'e3', 'E-9', '_', 'a: b', 'a #b', 'a:', 'a '), fc.string({ unit, maxLength: 7 }));
  for (const extra of ['', ':', " ()'=!&|"]) {
    const plain = yamlPlainTest(extra);
    fc.assert(
      fc.property(text, (s) => {
        if (!plain(s)) return;
        for (const version of ['1.1', '1.2'] as const) {
          expect(parse(`${s}: ${s}\n`, { version }), `${JSON.stringify(s)} in YAML ${version}`).toEqual({ [s]: s });
          expect(parse(`- ${s}\n`, { version })).toEqual([s]);
        }
      }),
      propertyParams(),
    );
  }
  // What each printer keeps plain, for readability.
  expect(yamlPlainTest(" ()'=!&|")("app == 'web' && has(tier)")).toBe(true);
  expect(yamlPlainTest(':')('k8s:io.kubernetes.pod.namespace')).toBe(true);
  expect(['app.kubernetes.io/name', 'TCP', '_x', 'e', 'yes-no'].every(yamlPlainTest())).toBe(true);
  expect(['', 'y', 'Off', 'e10', '1a', 'a:', 'a ', 'k8s:app', 'a b', '-a', '.a', 'é'].some(yamlPlainTest())).toBe(false);
  expect(['a: b', 'a #b', 'a ', 'x:'].some(yamlPlainTest(': #'))).toBe(false);
});
