// topologyOf: a netpolc program's inventory as a harness spec (pure, no kernel).
import { loadValid, networkPolicy, node, pod, upstreamModel } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { checkPrefix, kernelGate, listNamespaces, TopologyPool, topologyOf } from '../src/index.js';

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

const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const ours = (prefix: string): string[] => listNamespaces().filter((name) => name.startsWith(`${prefix}`));

kit(gate.label('TopologyPool reuses a topology for a relabelled inventory, replaces the oldest past its size, and destroys all'), () => {
  gate.assertSupported();
  const small = (ip: string) => loadValid([node('n1', '198.19.0.1'), pod('x', 'a', { app: ip }, ip, { node: 'n1' })]).program;
  const one = new TopologyPool('npcpool');
  const many = new TopologyPool('npcpm', Infinity);
  try {
    const first = one.for(small('198.18.0.10'));
    expect(one.for(loadValid([node('n1', '198.19.0.1'), pod('x', 'a', { app: 'other' }, '198.18.0.10', { node: 'n1' })]).program)).toBe(first);
    const second = one.for(small('198.18.0.11'));
    expect(second).not.toBe(first);
    expect(ours('npcpool-').sort()).toEqual([...second.namespaces()].sort());
    const a = many.for(small('198.18.0.10'));
    const b = many.for(small('198.18.0.11'));
    expect([a.spec.prefix, b.spec.prefix]).toEqual(['npcpm0', 'npcpm1']);
    expect(many.for(small('198.18.0.10'))).toBe(a);
  } finally {
    one.destroy();
    many.destroy();
  }
  expect([...ours('npcpool-'), ...ours('npcpm')]).toEqual([]);
});
