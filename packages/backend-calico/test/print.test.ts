// Printer fidelity: scalars read back as the same strings in YAML 1.1 (Go tools) and 1.2, the
// emitted stream parses back to the typed model exactly, and output does not depend on input order.
import { clusterArb, numRuns, policiesArb } from '@netpolc/ir/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { calicoBackend } from '../src/index.js';
import { lowerProgram } from '../src/lower.js';
import { defaultOptions, parseOptions } from '../src/options.js';
import { parseCalicoYaml } from '../src/parse.js';
import { printObjects } from '../src/print.js';
import { scalar, writeDocument } from '../src/yaml-writer.js';
import { load, unresolved } from './support/harness.js';

function readBack(text: string, version: '1.1' | '1.2'): unknown {
  return (parse(`k: ${text}\n`, { version }) as { k: unknown }).k;
}

const tricky = ['y', 'Y', 'n', 'yes', 'No', 'ON', 'off', 'true', 'False', 'null', '~', '', ' ', 'a ', '80:81', '20:30', '1:20:30', '-1:30', '1e3', '0x1F', '0o17', '012', '1_000', '.5', '.inf', '-.Inf', '.NaN', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '=', '<<', '- x', '? x', 'a: b', 'a #b', '#x', '!has(a)', '&a', '*a', '|', '>', "'q'", '"q"', '@x', '`x', '%x', '[a]', '{a}', 'a,b', "app == 'web'", "k in {'a', 'b'}", 'all()', 'x\ny', 'tab\there', 'üñí', 'e3', 'E-9', 'e+10'];

it('writes YAML 1.1 keywords, numbers, timestamps and indicators so that they read back as strings', () => {
  for (const s of tricky) {
    const text = scalar(s);
    expect(readBack(text, '1.1'), `${JSON.stringify(s)} -> ${text}`).toBe(s);
    expect(readBack(text, '1.2'), `${JSON.stringify(s)} -> ${text}`).toBe(s);
  }
});

it('keeps identifiers and selectors plain for readability', () => {
  expect(scalar('allow-dns')).toBe('allow-dns');
  expect(scalar("app == 'web' && !has(x)")).toBe("app == 'web' && !has(x)");
  expect(scalar('all()')).toBe('all()');
  expect(scalar('80:81')).toBe('"80:81"');
  expect(scalar('yes')).toBe('"yes"');
});

it('reads back every random string as itself in YAML 1.1 and 1.2', () => {
  const chars = fc.constantFrom(...'aZye_0 9.:-+#!&*|>\'"%@`{}[],?=~<\t/()'.split(''));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 10 }).map((a) => a.join('')), (s) => {
      expect(readBack(scalar(s), '1.1')).toBe(s);
      expect(readBack(scalar(s), '1.2')).toBe(s);
    }),
    { numRuns: numRuns(500) },
  );
});

it('sorts mapping keys, quotes keys like values and writes empty collections inline', () => {
  expect(writeDocument({ b: 1, a: { d: [], c: {} }, c: [{ y: 1, x: 2 }, 'v'] })).toBe('a:\n  c: {}\n  d: []\nb: 1\nc:\n  - x: 2\n    "y": 1\n  - v\n');
});

const programs = clusterArb().chain((cluster) => policiesArb(8).map((policies) => load([...cluster.manifests, ...policies])));
const modes = fc.record({
  tier: fc.constantFrom('default', 'netpolc', 'kube-admin'),
  log: fc.constantFrom('none', 'denied', 'allowed', 'all'),
  audit: fc.boolean(),
  order: fc.constantFrom('1000', '2.5', '-3'),
  'name-prefix': fc.constantFrom('', 'k8s.', 'np-'),
});

it('parses the printed stream back to the lowered model (round trip, every mode)', () => {
  fc.assert(
    fc.property(programs, modes, (program, mode) => {
      const { options } = parseOptions(mode);
      const lowered = lowerProgram(program, options);
      const text = printObjects(lowered.objects);
      const back = parseCalicoYaml(text);
      expect(back).toEqual({ objects: lowered.objects });
    }),
    { numRuns: numRuns(100) },
  );
});

it('emits byte-identical output whatever the order of the input policies', () => {
  fc.assert(
    fc.property(clusterArb(), policiesArb(8), (cluster, policies) => {
      const a = load([...cluster.manifests, ...policies]);
      const b = load([...[...policies].reverse(), ...[...cluster.manifests].reverse()]);
      const out = (p: typeof a): string => calicoBackend.emit({ program: p, resolved: unresolved }, { ...defaultOptions, stdout: true }).files[0]!.content;
      expect(out(b)).toBe(out(a));
    }),
    { numRuns: numRuns(60) },
  );
});

it('writes one file per namespace and one for cluster-wide objects, the cluster file first', () => {
  const program = load([
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a', namespace: 'zeta' }, spec: { podSelector: {} } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'b', namespace: '0ns' }, spec: { podSelector: {} } },
  ]);
  const { options } = parseOptions({ tier: 'netpolc' });
  const files = calicoBackend.emit({ program, resolved: unresolved }, options).files;
  expect(files.map((f) => f.path)).toEqual(['cluster.yaml', 'namespace-0ns.yaml', 'namespace-zeta.yaml']);
  const kinds = files.map((f) => {
    const r = parseCalicoYaml(f.content);
    return 'error' in r ? [] : r.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  });
  expect(kinds).toEqual([
    ['Tier//netpolc'],
    ['NetworkPolicy/0ns/netpolc.b', 'NetworkPolicy/0ns/netpolc.netpolc-isolate-ingress'],
    ['NetworkPolicy/zeta/netpolc.a', 'NetworkPolicy/zeta/netpolc.netpolc-isolate-ingress'],
  ]);
});

it('prints an empty stream (one file) for standard output when there is nothing to emit', () => {
  const program = load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }]);
  const files = calicoBackend.emit({ program, resolved: unresolved }, { ...defaultOptions, stdout: true }).files;
  expect(files).toEqual([{ path: 'calico.yaml', content: '' }]);
});

it('reads an unquoted port range as YAML 1.1 does: a base-60 integer (why the printer quotes it)', () => {
  const text = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: a\n  namespace: b\nspec:\n  selector: all()\n  types: [Ingress]\n  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: [20:30, "20:30"]\n';
  const r = parseCalicoYaml(text);
  if ('error' in r) throw new Error(r.error);
  const policy = r.objects[0]!;
  expect(policy.kind === 'NetworkPolicy' && policy.spec.ingress?.[0]?.destination?.ports).toEqual([
    { kind: 'number', port: 20 * 60 + 30 },
    { kind: 'range', from: 20, to: 30 },
  ]);
});

it('rejects YAML that is not a Calico object of the modelled shape', () => {
  const base = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: a\n  namespace: b\nspec:\n  selector: all()\n  types: [Ingress]\n';
  expect(parseCalicoYaml(base)).toHaveProperty('objects');
  expect(parseCalicoYaml(base.replace('all()', "a == 'b"))).toHaveProperty('error');
  expect(parseCalicoYaml(`${base}  extra: 1\n`)).toHaveProperty('error');
  expect(parseCalicoYaml(base.replace('v3', 'v1'))).toHaveProperty('error');
  expect(parseCalicoYaml(`${base}  ingress:\n    - action: Allow\n      destination:\n        ports: [80]\n`)).toHaveProperty('objects');
  expect(parseCalicoYaml('a: [')).toHaveProperty('error');
});
