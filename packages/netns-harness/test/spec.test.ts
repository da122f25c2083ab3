import { expect, it } from 'vitest';
import { parseAddress } from '../src/index.js';
import { planTopology } from '../src/plan.js';
import { checkSpec, type TopologySpec } from '../src/spec.js';
import { twoNodeSpec } from './support/fixtures.js';

const base = twoNodeSpec('unit', 4, true);
const withPodAddress = (address: string): TopologySpec => ({
  ...base,
  pods: [...base.pods, { id: 'ns/extra', node: 'node-a', addresses: [address] }],
});

it('refuses pod IPv4 addresses outside 198.18.0.0/15', () => {
  for (const address of ['10.0.0.1', '198.17.255.255', '198.20.0.1', '127.0.0.1', '192.168.1.1']) {
    expect(() => checkSpec(withPodAddress(address)), address).toThrow(/outside the test ranges/);
  }
});

it('accepts both ends of 198.18.0.0/15', () => {
  for (const address of ['198.18.0.0', '198.19.255.255']) {
    expect(checkSpec(withPodAddress(address)).pods.at(-1)?.addresses.v4).toBe(address);
  }
});

it('refuses node addresses outside the test ranges', () => {
  const spec = { ...base, nodes: [{ name: 'node-a', addresses: ['10.1.2.3'] }, base.nodes[1]!] };
  expect(() => checkSpec(spec)).toThrow(/node node-a: address 10.1.2.3 is outside/);
});

it('refuses IPv6 addresses outside 2001:db8::/32 and accepts them inside', () => {
  for (const address of ['fd00::1', '2001:db9::1', '::1', '::ffff:198.18.0.9', 'fe80::1']) {
    expect(() => checkSpec(withPodAddress(address)), address).toThrow(/outside the test ranges/);
  }
  expect(checkSpec(withPodAddress('2001:DB8:0:0::ff')).pods.at(-1)?.addresses.v6).toBe('2001:db8::ff');
});

it('refuses legacy and malformed address forms instead of reinterpreting them', () => {
  for (const address of ['198.18.1', '198.018.0.1', '0xc6.18.0.1', '198.18.0.1/32', '2001:db8::1%eth0', '', 'pod']) {
    expect(parseAddress(address), address).toBeUndefined();
    expect(() => checkSpec(withPodAddress(address)), address).toThrow(/not a plain IPv4 or IPv6 address/);
  }
});

it('refuses duplicate addresses, two addresses of one family, unknown nodes and duplicate ids', () => {
  expect(() => checkSpec(withPodAddress('198.18.1.1'))).toThrow(/also used by pod ns0\/pod-0/);
  expect(() => checkSpec(withPodAddress('198.18.0.1'))).toThrow(/also used by node node-a/);
  const twoV4 = { ...base, pods: [{ id: 'a/b', node: 'node-a', addresses: ['198.18.9.1', '198.18.9.2'] }] };
  expect(() => checkSpec(twoV4)).toThrow(/more than one IPv4 address/);
  const lost = { ...base, pods: [{ id: 'a/b', node: 'node-z', addresses: ['198.18.9.1'] }] };
  expect(() => checkSpec(lost)).toThrow(/unknown node 'node-z'/);
  expect(() => checkSpec({ ...base, pods: [...base.pods, base.pods[0]!] })).toThrow(/duplicate pod/);
  expect(() => checkSpec({ ...base, nodes: [base.nodes[0]!, base.nodes[0]!] })).toThrow(/duplicate node/);
  expect(() => checkSpec({ ...base, pods: [{ id: 'a/b', node: 'node-a', addresses: [] }] })).toThrow(/at least one/);
});

it('accepts several addresses per family on a node, the first being its primary', () => {
  const spec = { ...base, nodes: [{ name: 'node-a', addresses: ['198.18.0.1', '2001:db8::1', '198.18.0.9'] }, base.nodes[1]!] };
  const node = checkSpec(spec).nodes[0]!;
  expect(node.addresses).toEqual({ v4: '198.18.0.1', v6: '2001:db8::1' });
  expect(node.all).toEqual({ v4: ['198.18.0.1', '198.18.0.9'], v6: ['2001:db8::1'] });
});

it('requires every node to have IPv4 when IPv4 pods are routed between nodes', () => {
  const spec = { ...base, nodes: [{ name: 'node-a', addresses: ['2001:db8::1'] }, base.nodes[1]!] };
  expect(() => checkSpec(spec)).toThrow(/node node-a: needs an IPv4 address/);
});

it('validates the prefix: 1-8 characters of [a-z0-9]', () => {
  for (const prefix of ['', 'toolongxx', 'Upper', 'a-b', 'a_b', 'a b']) {
    expect(() => checkSpec({ ...base, prefix }), prefix).toThrow(/prefix/);
  }
  expect(checkSpec({ ...base, prefix: 'abcdefg8' }).prefix).toBe('abcdefg8');
});

it('plans short namespace names under the prefix and interface names within IFNAMSIZ', () => {
  const spec: TopologySpec = {
    prefix: 'abcdefgh',
    nodes: [{ name: 'node-with-a-very-long-name', addresses: ['198.18.0.1'] }],
    pods: Array.from({ length: 2000 }, (_, i) => ({
      id: `namespace-${i}/pod-with-a-long-name-${i}`,
      node: 'node-with-a-very-long-name',
      addresses: [`198.18.${8 + (i >> 8)}.${i & 0xff}`],
    })),
  };
  const plan = planTopology(checkSpec(spec));
  expect(plan.namespaces).toHaveLength(2002);
  expect(new Set(plan.namespaces).size).toBe(2002);
  for (const ns of plan.namespaces) expect(ns).toMatch(/^abcdefgh-(fab|n\d+|p\d+)$/);
  const names = plan.rootBatch.flatMap((line) => [...line.matchAll(/\bname (\S+)/g)].map((m) => m[1] ?? ''));
  expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(15);
  const macs = plan.rootBatch.flatMap((line) => [...line.matchAll(/\baddress (\S+)/g)].map((m) => m[1]));
  expect(new Set(macs).size).toBe(macs.length);
});

it('plans nothing in the root namespace but namespaces and links created inside them', () => {
  const plan = planTopology(checkSpec(base));
  for (const line of plan.rootBatch) {
    expect(line).toMatch(/^netns add unit-\S+$|^link add name \S+ netns unit-\S+ .*type (bridge|veth peer name \S+ netns unit-\S+ .*)$/);
  }
  expect([...plan.namespaceBatches.keys()].sort()).toEqual([...plan.namespaces].sort());
});
