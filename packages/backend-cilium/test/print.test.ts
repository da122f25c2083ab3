import fc from 'fast-check';
import { expect, it } from 'vitest';
import { hasErrors, resolve } from '@netpolc/ir';
import { clusterArb, loadManifests, numRuns, policiesArb } from '@netpolc/ir/testing';
import { ciliumBackend } from '../src/index.js';
import { lowerProgram } from '../src/lower.js';
import type { CiliumPolicy } from '../src/model.js';
import { isPlainSafe, printStream } from '../src/print.js';
import { options } from './support/harness.js';
import { parseCiliumYaml } from './support/parse.js';
import { validInputs } from './support/sources.js';

const seed = Number(process.env['NETPOLC_SEED'] ?? Date.now() % 2_147_483_647);

it('parses the printed YAML of every corpus case and example back into the same model, in YAML 1.2 and 1.1', () => {
  for (const { name, input } of validInputs()) {
    const objects = lowerProgram(input, options()).policies.map((p) => p.object);
    const text = printStream(objects);
    expect(parseCiliumYaml(text), name).toEqual(objects);
    expect(parseCiliumYaml(text, '1.1'), name).toEqual(objects);
  }
});

it('round-trips the model of random programs', () => {
  fc.assert(
    fc.property(clusterArb(), policiesArb(), (cluster, policies) => {
      const loaded = loadManifests([...cluster.manifests, ...policies]);
      fc.pre(!hasErrors(loaded.diagnostics));
      const objects = lowerProgram({ program: loaded.program, resolved: resolve(loaded.program) }, options()).policies.map((p) => p.object);
      const text = printStream(objects);
      expect(parseCiliumYaml(text, '1.1')).toEqual(objects);
    }),
    { numRuns: numRuns(), seed },
  );
});

it('quotes every string a YAML 1.1 reader would take for a boolean, null, number or time', () => {
  const risky = ['y', 'Y', 'n', 'yes', 'No', 'on', 'OFF', 'true', 'null', '~', '0', '080', '0x1F', '1e3', '1_000', '1:30', '2001-12-14', '.inf', '-', 'a: b', '#x', 'x #y', 'end:', '', ' a', 'é'];
  const object: CiliumPolicy = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'np', namespace: 'n', labels: Object.fromEntries(risky.map((s, i) => [`k${i}`, s])) },
    spec: { endpointSelector: { matchLabels: Object.fromEntries(risky.filter((s) => s !== '').map((s) => [s, s])) } },
  };
  const text = printStream([object]);
  expect(parseCiliumYaml(text, '1.1')).toEqual([object]);
  expect(parseCiliumYaml(text, '1.2')).toEqual([object]);
  for (const s of ['y', 'n', 'yes', 'no', 'on', 'off', '0']) expect(isPlainSafe(s), s).toBe(false);
  for (const s of ['x', 'k8s:io.kubernetes.pod.namespace', 'app.kubernetes.io/name', 'TCP']) expect(isPlainSafe(s), s).toBe(true);
});

it('prints byte-identical output whatever the order of the input documents', () => {
  for (const { name, loaded } of validInputs()) {
    const program = loaded.program;
    const reversed = { ...program, policies: [...program.policies].reverse() };
    const a = ciliumBackend.emit({ program, resolved: resolve(program) }, options({ 'out-dir': '-' }));
    // The IR sorts policies; the backend must not depend on anything else.
    const b = ciliumBackend.emit({ program: { ...reversed, policies: [...reversed.policies].sort((x, y) => (x.namespace + '/' + x.name < y.namespace + '/' + y.name ? -1 : 1)) }, resolved: resolve(program) }, options({ 'out-dir': '-' }));
    expect(b.files, name).toEqual(a.files);
  }
});

it('writes one file per namespace, or one stream for --out-dir -', () => {
  const { input } = validInputs().find((x) => x.name === 'examples')!;
  const dir = ciliumBackend.emit(input, options());
  expect(dir.files.map((f) => f.path)).toEqual(['monitoring.yaml', 'production.yaml']);
  const stream = ciliumBackend.emit(input, options({ 'out-dir': '-' }));
  expect(stream.files).toHaveLength(1);
  expect(parseCiliumYaml(stream.files[0]!.content)).toEqual(dir.files.flatMap((f) => parseCiliumYaml(f.content)));
  const empty = ciliumBackend.emit({ program: { ...input.program, policies: [] }, resolved: resolve({ ...input.program, policies: [] }) }, options({ 'out-dir': '-' }));
  expect(empty.files).toHaveLength(1);
  expect(parseCiliumYaml(empty.files[0]!.content)).toEqual([]);
});

it('writes plain exactly the strings the plain-safe pattern allows (letter or underscore first, label characters, no final colon, no YAML 1.1 word)', () => {
  const words = ['y', 'Yes', 'n', 'NO', 'true', 'False', 'on', 'Off', 'null', '~'];
  const text = fc.oneof(fc.constantFrom(...words, 'e3', 'E-9', 'e10'), fc.string({ unit: fc.constantFrom('a', 'Z', 'y', 'e', 's', '0', '9', '.', '_', '/', ':', '-', ' ', '#', 'é', '~'), maxLength: 8 }));
  fc.assert(
    fc.property(text, (s) => {
      // A bare exponent (e3, E-9) reads as NaN in the JavaScript yaml package's 1.1 mode.
      const expected = /^[A-Za-z_][A-Za-z0-9._/:-]*$/.test(s) && !s.endsWith(':') && !words.map((w) => w.toLowerCase()).includes(s.toLowerCase()) && !/^[eE][-+]?[0-9]+$/.test(s);
      expect(isPlainSafe(s)).toBe(expected);
    }),
    { numRuns: numRuns(2000), seed },
  );
});
