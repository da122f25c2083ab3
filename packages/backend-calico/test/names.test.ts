// Emitted policy names are names Calico (up to 3.31) accepts and stores: checked with the
// validator.go / lib/names rules of support/schema.ts, for Kubernetes names Calico would refuse
// as they are (dots, knp.default.*, ossg.*), in the default tier and in a tier of our own.
import type { RawOptions } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, pod } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/lower.js';
import type { CalicoObject } from '../src/model.js';
import { parseOptions } from '../src/options.js';
import { semanticProblems } from './support/schema.js';

const names = ['allow.dns', 'allow-dns', 'a.b.c', 'knp.default.web', 'ossg.default.x', 'plain'];
const manifests = [
  namespace('x'),
  namespace('y'),
  pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n' }),
  ...names.map((n) => networkPolicy('x', n, { podSelector: { matchLabels: { app: 'a' } } })),
  networkPolicy('y', 'allow.dns', { podSelector: {} }),
];

function lower(raw: RawOptions, order = manifests): ReturnType<typeof lowerProgram> {
  return lowerProgram(loadValid(order).program, parseOptions(raw).options);
}

const policyNamesOf = (objects: readonly CalicoObject[]): string[] => objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

it('emits only names Calico accepts, unique in their namespace, in every tier and mode', () => {
  for (const raw of [{}, { log: 'denied' }, { 'name-prefix': 'k8s-' }, { tier: 'netpolc' }, { tier: 'netpolc', log: 'all', 'name-prefix': 'k8s-' }] as RawOptions[]) {
    const { objects } = lower(raw);
    expect(semanticProblems(objects), JSON.stringify(raw)).toEqual([]);
    const emitted = policyNamesOf(objects);
    expect(new Set(emitted).size, JSON.stringify(raw)).toBe(emitted.length);
  }
});

it('replaces the dots of a name, suffixing when the result is taken, and warns at the policy', () => {
  const { objects, diagnostics } = lower({});
  expect(policyNamesOf(objects)).toEqual(['x/a-b-c', 'x/allow-dns', 'x/allow-dns-2', 'x/knp-default-web', 'x/ossg-default-x', 'x/plain', 'y/allow-dns']);
  expect(diagnostics.map((d) => [d.code, d.severity, d.target.kind])).toEqual(Array(5).fill(['backend-calico/renamed-policy', 'warning', 'ref']));
  expect(policyNamesOf(lower({ tier: 'netpolc', 'name-prefix': 'k8s-' }).objects)).toContain('x/netpolc.k8s-allow-dns-2');
});

it('names do not depend on the order of the input', () => {
  const reversed = [...manifests.slice(0, 3), ...manifests.slice(3).reverse()];
  expect(policyNamesOf(lower({}, reversed).objects)).toEqual(policyNamesOf(lower({}).objects));
});
