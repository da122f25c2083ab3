// LoadOptions.onObject: the objects a load reads and lowers, as parsed (`netpolc snapshot` of
// local files keeps them).
import { afterEach, expect, it } from 'vitest';
import { loadProgram, type LoadedObject } from '../src/index.js';
import { readDefaults } from '../src/source/read-objects.js';
import { namespace, networkPolicy, node, pod } from '../src/testing/index.js';

const defaults = { ...readDefaults };
afterEach(() => {
  Object.assign(readDefaults, defaults);
});

const seen = (shown: readonly LoadedObject[]): string[] => shown.map((o) => `${o.kind}/${o.namespace}/${o.name}`);

it('shows each object lowered, with its namespace defaulted, and not skipped kinds or objects that did not lower', () => {
  const bare = pod('x', 'bare', { app: 'a' }, '198.18.0.2');
  delete (bare['metadata'] as Record<string, unknown>)['namespace'];
  const objects = [
    namespace('x'),
    node('node-1', '198.19.0.1'),
    pod('x', 'web', { app: 'a' }, '198.18.0.1'),
    bare,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' } },
    // An invalid name: an error, and no object.
    pod('x', 'Bad_Name', {}, '198.18.0.3'),
    networkPolicy('x', 'deny', { podSelector: {} }),
  ];
  const shown: LoadedObject[] = [];
  const r = loadProgram([{ path: 'a.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }], { defaultNamespace: 'shop', onObject: (o) => shown.push(o) });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(1);
  expect(seen(shown)).toEqual(['Namespace//x', 'Node//node-1', 'Pod/x/web', 'Pod/shop/bare', 'NetworkPolicy/x/deny']);
  // The parsed objects themselves.
  expect(shown.map((o) => (o.value['metadata'] as { name: string }).name)).toEqual(['x', 'node-1', 'web', 'bare', 'deny']);
  expect(shown[2]!.value['spec']).toEqual(objects[2]!['spec']);
});

it('shows a List read item by item once per item, and again when it is read again whole', () => {
  const items = [namespace('a'), namespace('b'), namespace('c')];
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  Object.assign(readDefaults, { lazyListChars: 0, listRunChars: 0 });
  const shown: LoadedObject[] = [];
  loadProgram([{ path: 'l.json', content: text }], { onObject: (o) => shown.push(o) });
  expect(seen(shown)).toEqual(['Namespace//a', 'Namespace//b', 'Namespace//c']);
  // A List inside the List is not read item by item: the file is read again whole.
  const nested = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...items.slice(0, 2), { apiVersion: 'v1', kind: 'List', items: [items[2]] }] });
  const again: LoadedObject[] = [];
  const r = loadProgram([{ path: 'n.json', content: nested }], { onObject: (o) => again.push(o) });
  expect(r.program.inventory.namespaces.map((n) => n.name)).toEqual(['a', 'b', 'c']);
  expect(new Set(seen(again))).toEqual(new Set(['Namespace//a', 'Namespace//b', 'Namespace//c']));
});

it('does not show objects an earlier load of the same source lowered', () => {
  const source = { path: 'l.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [namespace('a'), pod('a', 'p', {}, '198.18.0.1')] }) };
  Object.assign(readDefaults, { lazyListChars: 0 });
  const first: LoadedObject[] = [];
  loadProgram([source], { onObject: (o) => first.push(o) });
  expect(seen(first)).toEqual(['Namespace//a', 'Pod/a/p']);
  const second: LoadedObject[] = [];
  expect(loadProgram([source], { onObject: (o) => second.push(o) }).program.inventory.pods).toHaveLength(1);
  expect(second).toEqual([]);
});
