// Typed Lists, as the API returns them (`kubectl get --raw /api/v1/pods`, client libraries):
// `kind: PodList`, whose items name neither kind nor apiVersion. Every reading (whole, item by
// item, window by window) must read them as the same objects.
import { afterEach, expect, it } from 'vitest';
import { loadProgram, type LoadResult } from '../src/index.js';
import { readDefaults } from '../src/source/read-objects.js';
import { byteWindows } from '../src/source/text.js';
import { namespace, networkPolicy, node, pod, type Manifest } from '../src/testing/index.js';

const defaults = { read: { ...readDefaults }, windows: { ...byteWindows } };
afterEach(() => {
  Object.assign(readDefaults, defaults.read);
  Object.assign(byteWindows, defaults.windows);
});

/** An object as an item of a typed List: without kind and apiVersion. */
function bare(o: Manifest): Manifest {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
  return rest;
}

/** What a load gave, without where (the same objects read from other texts). */
function summary(r: LoadResult): { errors: string[]; namespaces: string[]; nodes: string[]; pods: string[]; policies: string[] } {
  const p = r.program;
  return {
    errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
    namespaces: p.inventory.namespaces.filter((n) => n.declared).map((n) => n.name),
    nodes: p.inventory.nodes.map((n) => n.name),
    pods: p.inventory.pods.map((x) => `${x.namespace}/${x.name} ${x.addresses.map((a) => a.ip).join(',')}`),
    policies: p.policies.map((x) => `${x.namespace}/${x.name}`),
  };
}

const pods = Array.from({ length: 30 }, (_, i) => pod('x', `p${i}`, { app: `a${i % 3}` }, `198.18.0.${i + 1}`, { node: 'node-a' }));
const lists = [
  { apiVersion: 'v1', kind: 'NamespaceList', metadata: { resourceVersion: '7' }, items: [bare(namespace('x'))] },
  { apiVersion: 'v1', kind: 'NodeList', metadata: {}, items: [bare(node('node-a', '198.19.0.1'))] },
  { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods.map(bare) },
  { kind: 'NetworkPolicyList', apiVersion: 'networking.k8s.io/v1', items: [bare(networkPolicy('x', 'deny', { podSelector: { matchLabels: { app: 'a0' } } }))] },
];
const expected = {
  errors: [],
  namespaces: ['x'],
  nodes: ['node-a'],
  pods: pods.map((_, i) => `x/p${i} 198.18.0.${i + 1}`).sort(),
  policies: ['x/deny'],
};

it('reads the items of a typed List as objects of its kind and apiVersion, whole and item by item', () => {
  const sources = (space?: number) => lists.map((l, i) => ({ path: `l${i}.json`, content: JSON.stringify(l, null, space) }));
  expect(summary(loadProgram(sources()))).toEqual(expected);
  Object.assign(readDefaults, { lazyListChars: 0, listRunChars: 200 });
  expect(summary(loadProgram(sources(2)))).toEqual(expected);
  expect(summary(loadProgram(sources()))).toEqual(expected);
});

it('reads a typed List whose kind follows its items (keys in any order) as one whose kind comes first', () => {
  // kubectl-style key order: apiVersion, items, kind, metadata.
  const after = lists.map((l) => ({ apiVersion: l.apiVersion, items: l.items, kind: l.kind }));
  // New sources for each load: a load reuses the reading of a source it was given before.
  const sources = () => after.map((l, i) => ({ path: `l${i}.json`, content: JSON.stringify(l, null, 2) }));
  expect(summary(loadProgram(sources()))).toEqual(expected);
  Object.assign(readDefaults, { lazyListChars: 0, listRunChars: 200 });
  expect(summary(loadProgram(sources()))).toEqual(expected);
});

it('reads typed Lists longer than a string may be, JSON and YAML, from their bytes', () => {
  const podList = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods.map(bare) };
  const yaml = `kind: PodList\napiVersion: v1\nitems:\n${pods.map((p) => `- metadata: {name: ${(p['metadata'] as { name: string }).name}, namespace: x}\n  spec: {nodeName: node-a}\n  status: {phase: Running, podIP: ${(p['status'] as { podIP: string }).podIP}}\n`).join('')}`;
  Object.assign(readDefaults, { maxTextBytes: 0, listRunChars: 200, yamlRunBytes: 300 });
  Object.assign(byteWindows, { windowBytes: 512, behindBytes: 64 });
  for (const [path, text] of [
    ['pods.json', JSON.stringify(podList, null, 2)],
    ['pods.yaml', yaml],
  ] as const) {
    const r = loadProgram([{ path, content: new TextEncoder().encode(text) }]);
    expect({ path, ...(summary(r) as object) }).toEqual({ path, errors: [], namespaces: [], nodes: [], pods: expected.pods, policies: [] });
  }
});

it('still wants a kind for an item of a plain List, and keeps the kind an item names', () => {
  const plain = { apiVersion: 'v1', kind: 'List', items: [bare(namespace('x'))] };
  expect(summary(loadProgram([{ path: 'p.json', content: JSON.stringify(plain) }])).errors).toEqual(['ir/missing-kind']);
  const mixed = { apiVersion: 'v1', kind: 'PodList', items: [namespace('y'), bare(pods[0]!)] };
  const r = summary(loadProgram([{ path: 'm.json', content: JSON.stringify(mixed) }]));
  expect([r.namespaces, r.pods]).toEqual([['y'], ['x/p0 198.18.0.1']]);
});
