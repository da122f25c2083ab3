// topologyOf: a netpolc program's inventory as a harness spec (pure, no kernel).
import { loadValid, networkPolicy, node, pod, upstreamModel } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { checkPrefix, topologyOf } from '../src/index.js';

it('gives the upstream model as one node and its nine pods, whatever the labels and policies', () => {
  const spec = topologyOf(loadValid(upstreamModel()).program, 'npcprg');
  expect(spec.prefix).toBe('npcprg');
  expect(spec.nodes).toEqual([{ name: 'node-1', addresses: ['198.19.0.1'] }]);
  expect(spec.pods).toEqual(['x', 'y', 'z'].flatMap((ns, i) => ['a', 'b', 'c'].map((p, j) => ({ id: `${ns}/${p}`, node: 'node-1', addresses: [`198.18.${i}.${j + 10}`] }))));
  const relabelled = loadValid([...upstreamModel({ y: { ns2: 'updated' }, 'x/a': { target: 'isolated' } }), networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })]).program;
  expect(topologyOf(relabelled, 'npcprg')).toEqual(spec);
  expect(() => checkPrefix(spec.prefix)).not.toThrow();
});

it('leaves out pods on no node or on a node the inventory does not list, and pods that are not actionable', () => {
  const objects = [
    node('n1', '198.19.0.1'),
    pod('x', 'here', {}, '198.18.0.10', { node: 'n1' }),
    pod('x', 'nowhere', {}, '198.18.0.11'),
    pod('x', 'elsewhere', {}, '198.18.0.12', { node: 'n2' }),
    pod('x', 'done', {}, '198.18.0.13', { node: 'n1', phase: 'Succeeded' }),
    pod('x', 'host', {}, '198.19.0.1', { node: 'n1', hostNetwork: true }),
  ];
  const { program } = loadValid(objects);
  expect(topologyOf(program, 'npcprg').pods.map((p) => p.id)).toEqual(['x/here']);
});
