import fc from 'fast-check';
import { expect, it } from 'vitest';
import { diffConnectivity, endpointText, evaluate, hasErrors, parseCidr, parseIp, resolve, type ConnectionChange, type Connection, type Program, type Protocol } from '../src/index.js';
import { clusterArb, connectionArb, loadManifests, namespace, networkPolicy, node, numRuns, pod, policiesArb, type Manifest } from '../src/testing/index.js';
import { upstreamModel } from '../src/testing/index.js';
import { relabelArb, relabelled } from './support/relabel.js';

const params = { numRuns: numRuns(60) };

function load(objects: readonly Manifest[]): Program {
  const r = loadManifests(objects);
  if (hasErrors(r.diagnostics)) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.program;
}

function verdict(p: Program, c: Connection): boolean | undefined {
  const v = evaluate(p, c);
  return 'error' in v ? undefined : v.allowed;
}

const scenario = clusterArb({ maxPods: 5 }).chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    base: policiesArb(4),
    head: policiesArb(4),
    relabel: relabelArb,
    connections: fc.array(connectionArb(cluster), { minLength: 4, maxLength: 12 }),
  }),
);

function samplePort(c: ConnectionChange): [Protocol, number] | undefined {
  for (const p of ['TCP', 'UDP', 'SCTP'] as const) if (c.ports[p].length > 0) return [p, c.ports[p][0]![0] === 0 ? c.ports[p][0]![1] : c.ports[p][0]![0]];
  return undefined;
}

function covers(c: ConnectionChange, conn: Connection, p: Program): boolean {
  const match = (e: ConnectionChange['from'], ep: Connection['src']): boolean => {
    if (e.kind === 'pod') {
      if (ep.kind === 'pod') return ep.namespace === e.namespace && ep.name === e.name && (c.family === undefined || parseIp(ep.ip!)!.family === c.family);
      const owner = p.inventory.pods.find((q) => q.actionable && q.addresses.some((a) => a.ip === ep.ip));
      return owner !== undefined && owner.namespace === e.namespace && owner.name === e.name;
    }
    if (ep.kind === 'pod') return false;
    const ip = parseIp(ep.ip)!;
    const cidr = parseCidr(e.cidr)!;
    const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
    return ip.family === cidr.family && ip.value >> shift === cidr.network >> shift;
  };
  if (!match(c.from, conn.src) || !match(c.to, conn.dst)) return false;
  // The diff compares transports; the generated connections are no ICMP.
  return conn.protocol !== 'ICMP' && c.ports[conn.protocol].some(([a, b]) => conn.port >= a && conn.port <= b);
}

it('reports exactly the connections whose verdict changed, each once, with the right direction', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, base, head, relabel: rl, connections }) => {
      const headInventory = relabelled(cluster, rl);
      const pb = load([...cluster.manifests, ...base]);
      const ph = load([...headInventory, ...head]);
      const rb = resolve(pb);
      const diff = diffConnectivity(rb, resolve(ph));
      if (!rl) {
        // One inventory for both sides, as `netpolc diff` loads it: the very same pod objects,
        // which the diff takes in place instead of matching them by name. Same answer.
        const shared = resolve({ ...ph, inventory: { ...ph.inventory, pods: pb.inventory.pods } });
        expect(shared.pods.every((q, i) => q === rb.pods[i])).toBe(true);
        expect(diffConnectivity(rb, shared)).toEqual(diff);
      }
      // Soundness: each change is a real difference (checked on one port of it).
      for (const c of [...diff.added, ...diff.removed]) {
        const port = samplePort(c);
        if (!port) continue;
        const ep = (e: ConnectionChange['from']): Connection['src'] =>
          e.kind === 'pod' ? { kind: 'pod', namespace: e.namespace, name: e.name, ...(c.family ? { ip: pb.inventory.pods.find((q) => q.namespace === e.namespace && q.name === e.name)!.addresses.find((a) => a.family === c.family)!.ip } : {}) } : { kind: 'ip', ip: e.cidr.split('/')[0]! };
        const conn: Connection = { src: ep(c.from), dst: ep(c.to), protocol: port[0], port: port[1] };
        expect([verdict(pb, conn), verdict(ph, conn)]).toEqual(c.change === 'added' ? [false, true] : [true, false]);
      }
      // Completeness: a random connection whose verdict differs is covered by exactly one change.
      for (const conn of connections) {
        const vb = verdict(pb, conn);
        const vh = verdict(ph, conn);
        if (vb === undefined || vh === undefined) continue;
        const all = [...diff.added, ...diff.removed].filter((c) => covers(c, conn, pb));
        if (vb === vh) {
          expect(all).toEqual([]);
        } else {
          expect(all).toHaveLength(1);
          expect(all[0]!.change).toBe(vh ? 'added' : 'removed');
        }
      }
    }),
    params,
  );
});

it('finds nothing between a policy set and itself', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, base }) => {
      const p = load([...cluster.manifests, ...base]);
      const diff = diffConnectivity(resolve(p), resolve(load([...cluster.manifests, ...base].reverse())));
      expect([diff.added.length, diff.removed.length]).toEqual([0, 0]);
    }),
    params,
  );
});

it('reports a default-deny as removed connections into the namespace, on one port with --port', () => {
  const base = load(upstreamModel());
  const head = load([...upstreamModel(), networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
  const diff = diffConnectivity(resolve(base), resolve(head), { only: { protocol: 'TCP', port: 80 } });
  expect(diff.added).toEqual([]);
  // 9 pods -> the 3 pods of x, minus the 3 self pairs; plus every external address into x/a, x/b, x/c.
  const podPairs = diff.removed.filter((c) => c.from.kind === 'pod');
  expect(podPairs).toHaveLength(9 * 3 - 3);
  expect(podPairs.every((c) => c.to.kind === 'pod' && c.to.namespace === 'x' && c.ports.TCP.length === 1 && c.ports.UDP.length === 0)).toBe(true);
  const external = diff.removed.filter((c) => c.from.kind === 'cidr').map((c) => (c.from.kind === 'cidr' ? c.from.cidr : ''));
  // All of IPv4 except pod addresses and the pods' own node, for each of the 3 pods.
  expect(external.length % 3).toBe(0);
  expect(external).toContain('0.0.0.0/1');
});

it('tells apart replicas that a change treats differently (same tuples in BASE, different in HEAD)', () => {
  const shared = networkPolicy('x', 'shared', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }], ports: [{ port: 80 }] }] });
  const from = (ns: string, p: string) => ({ namespaceSelector: { matchLabels: { ns } }, podSelector: { matchLabels: { pod: p } } });
  const base = load([...upstreamModel(), shared]);
  const head = load([
    ...upstreamModel(),
    shared,
    networkPolicy('x', 'only-a', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [from('y', 'a')] }] }),
    networkPolicy('x', 'only-b', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [from('z', 'b')] }] }),
  ]);
  const diff = diffConnectivity(resolve(base), resolve(head));
  const pairs = (list: readonly ConnectionChange[]): string[] =>
    list.filter((c) => c.from.kind === 'pod' && c.to.kind === 'pod').map((c) => (c.from.kind === 'pod' && c.to.kind === 'pod' ? `${c.from.namespace}/${c.from.name}->${c.to.namespace}/${c.to.name}` : ''));
  expect(pairs(diff.added)).toEqual(['y/a->x/a', 'z/b->x/b']);
  expect(diff.removed).toEqual([]);
});

it('orders external CIDRs by family, first address, then prefix length, not as text', () => {
  // Text order put 8.8.8.16/28 before 8.8.8.9/32, 2001:db8::10/124 before 2001:db8::9/128 and
  // 10.0.0.0/16 before 10.0.0.0/8.
  const inventory = [
    node('node-1', ['198.19.0.1', 'fd00::1']),
    namespace('x', { ns: 'x' }),
    pod('x', 'a', { pod: 'a' }, ['198.18.0.10', 'fd00::a'], { node: 'node-1' }),
    pod('x', 'b', { pod: 'b' }, ['198.18.0.11', 'fd00::b'], { node: 'node-1' }),
  ];
  const deny = networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const base = load([...inventory, deny]);
  const headManifests = [
    ...inventory,
    deny,
    networkPolicy('x', 'a', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/120', except: ['2001:db8::8/128'] } }, { ipBlock: { cidr: '8.8.8.0/24', except: ['8.8.8.8/32'] } }] }],
    }),
    networkPolicy('x', 'b', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }] }),
  ];
  const diff = diffConnectivity(resolve(base), resolve(load(headManifests)));
  expect(diff.removed).toEqual([]);
  expect(diff.added.map((c) => `${endpointText(c.from)} -> ${endpointText(c.to)}`)).toEqual([
    ...['8.8.8.0/29', '8.8.8.9/32', '8.8.8.10/31', '8.8.8.12/30', '8.8.8.16/28', '8.8.8.32/27', '8.8.8.64/26', '8.8.8.128/25'].map((c) => `x/a -> ${c}`),
    ...['2001:db8::/125', '2001:db8::9/128', '2001:db8::a/127', '2001:db8::c/126', '2001:db8::10/124', '2001:db8::20/123', '2001:db8::40/122', '2001:db8::80/121'].map((c) => `x/a -> ${c}`),
    '10.0.0.0/8 -> x/a',
    '10.0.0.0/16 -> x/b',
  ]);
  // The same order whatever order the objects come in.
  expect(diffConnectivity(resolve(load([deny, ...inventory].reverse())), resolve(load([...headManifests].reverse())))).toEqual(diff);
});

it('reports the node addresses that change when an isolated pod moves to another node, its policies unchanged', () => {
  const at = (nodeName: string): Manifest[] => [
    node('node-1', '198.19.0.1'),
    node('node-2', '198.19.0.2'),
    namespace('x', { ns: 'x' }),
    pod('x', 'a', { pod: 'a' }, '198.18.0.10', { node: nodeName }),
    pod('x', 'b', { pod: 'b' }, '198.18.0.11', { node: 'node-1' }),
    networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
  ];
  const diff = diffConnectivity(resolve(load(at('node-1'))), resolve(load(at('node-2'))));
  const text = (list: readonly ConnectionChange[]): string[] => list.map((c) => `${endpointText(c.from)} -> ${endpointText(c.to)}`);
  // Node-local ingress: x/a now admits node-2's address and no longer node-1's; x/b is unchanged.
  expect(text(diff.added)).toEqual(['198.19.0.2/32 -> x/a']);
  expect(text(diff.removed)).toEqual(['198.19.0.1/32 -> x/a']);
});

it('reports what changes when a node or a pod gets another address, the policies unchanged (two inventories)', () => {
  // Old code: nothing for both. A node's addresses were not part of its pods' node key, and a
  // pod moving out of an ipBlock's except changed no signature (the peer set's addresses stay).
  const text = (list: readonly ConnectionChange[]): string[] => list.map((c) => `${endpointText(c.from)} -> ${endpointText(c.to)}`);
  const nodes = (ip: string): Manifest[] => [node('node-1', ip), namespace('x'), pod('x', 'a', { pod: 'a' }, '198.18.0.10', { node: 'node-1' }), networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })];
  const moved = diffConnectivity(resolve(load(nodes('198.19.0.1'))), resolve(load(nodes('198.19.0.9'))));
  expect([text(moved.added), text(moved.removed)]).toEqual([['198.19.0.9/32 -> x/a'], ['198.19.0.1/32 -> x/a']]);
  const pods = (ip: string): Manifest[] => [
    node('node-1', '198.19.0.1'),
    namespace('x'),
    pod('x', 'client', { app: 'client' }, ip, { node: 'node-1' }),
    pod('x', 'db', { app: 'db' }, '198.18.1.2', { node: 'node-1' }),
    networkPolicy('x', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.5/32'] } }] }] }),
  ];
  const readdressed = diffConnectivity(resolve(load(pods('198.18.1.5'))), resolve(load(pods('198.18.1.6'))));
  expect([text(readdressed.added), text(readdressed.removed)]).toEqual([['x/client -> x/db'], []]);
  const back = diffConnectivity(resolve(load(pods('198.18.1.6'))), resolve(load(pods('198.18.1.5'))));
  expect([text(back.added), text(back.removed)]).toEqual([[], ['x/client -> x/db']]);
});

it('does not report port 0, which no connection uses: {protocol: TCP} and 1-65535 are the same', () => {
  const cluster = [namespace('x'), pod('x', 'a', { app: 'a' }, '198.18.0.10'), pod('x', 'b', { app: 'b' }, '198.18.0.11')];
  const policy = (port: unknown) => networkPolicy('x', 'p', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ ports: [port] }] });
  const diff = diffConnectivity(resolve(load([...cluster, policy({ protocol: 'TCP' })])), resolve(load([...cluster, policy({ protocol: 'TCP', port: 1, endPort: 65535 })])));
  expect([diff.added, diff.removed]).toEqual([[], []]);
  // A real change next to it is still reported, without port 0.
  const narrower = diffConnectivity(resolve(load([...cluster, policy({ protocol: 'TCP' })])), resolve(load([...cluster, policy({ protocol: 'TCP', port: 2, endPort: 65535 })])));
  expect(narrower.removed.length).toBeGreaterThan(0);
  expect(narrower.removed.every((c) => JSON.stringify(c.ports.TCP) === '[[1,1]]')).toBe(true);
});

it('reports the connections of an address family a pod gains or loses between two inventories', () => {
  // Old code: pairs were compared only in the families all four pod snapshots have, so p1's new
  // IPv6 connections were no change.
  const text = (list: readonly ConnectionChange[]): string[] => list.map((c) => `${endpointText(c.from)} -> ${endpointText(c.to)} v${c.family ?? '*'}`);
  const cluster = (p1: string[]): Manifest[] => [
    namespace('x'),
    pod('x', 'p1', { app: 'web' }, p1),
    pod('x', 'p2', { app: 'db' }, ['198.18.1.2', '2001:db8::2']),
    networkPolicy('x', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32' } }] }] }),
  ];
  const pods = (list: readonly ConnectionChange[]): ConnectionChange[] => list.filter((c) => c.from.kind === 'pod' && c.to.kind === 'pod');
  // p1 is not isolated: with IPv6 it also reaches, and is reached from, every external IPv6 address.
  const external = (list: readonly ConnectionChange[]): string[] => [...new Set(list.filter((c) => c.from.kind === 'cidr' || c.to.kind === 'cidr').map((c) => `${c.from.kind === 'cidr' ? `v${c.from.family}` : endpointText(c.from)} -> ${c.to.kind === 'cidr' ? `v${c.to.family}` : endpointText(c.to)}`))];
  const gained = diffConnectivity(resolve(load(cluster(['198.18.1.1']))), resolve(load(cluster(['198.18.1.1', '2001:db8::1']))));
  expect([text(pods(gained.added)), gained.removed]).toEqual([['x/p1 -> x/p2 v6', 'x/p2 -> x/p1 v6'], []]);
  expect(external(gained.added)).toEqual(['x/p1 -> v6', 'v6 -> x/p1']);
  const lost = diffConnectivity(resolve(load(cluster(['198.18.1.1', '2001:db8::1']))), resolve(load(cluster(['198.18.1.1']))));
  expect([lost.added, text(pods(lost.removed))]).toEqual([[], ['x/p1 -> x/p2 v6', 'x/p2 -> x/p1 v6']]);
  expect(external(lost.removed)).toEqual(['x/p1 -> v6', 'v6 -> x/p1']);
});

it('keeps a pod that has an address of the destination\'s node (ir/duplicate-ip) node-local, as the evaluator does', () => {
  // Old code: the pod pair ignored the node-local rule, so a default deny reported y/b -> x/a as
  // removed, while the matrix, explain and every firewall keep it (its source is node-1's address).
  const inventory = [namespace('x'), namespace('y'), node('node-1', '198.19.255.1'), pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'node-1' }), pod('y', 'b', { app: 'b' }, '198.19.255.1', { node: 'node-1' })];
  const base = load([...inventory, networkPolicy('x', 'all', { podSelector: {}, ingress: [{}] })]);
  const head = load([...inventory, networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
  const conn: Connection = { src: { kind: 'pod', namespace: 'y', name: 'b' }, dst: { kind: 'pod', namespace: 'x', name: 'a' }, protocol: 'TCP', port: 80 };
  expect([verdict(base, conn), verdict(head, conn)]).toEqual([true, true]);
  const diff = diffConnectivity(resolve(base), resolve(head));
  expect(diff.removed.filter((c) => c.from.kind === 'pod')).toEqual([]);
  expect(diff.added).toEqual([]);
  // Both directions of the computation: the pair found from the changed ingress of x/a, and from
  // a changed egress of y/b.
  const headEgress = load([...inventory, networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }), networkPolicy('y', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] })]);
  const diff2 = diffConnectivity(resolve(base), resolve(headEgress));
  expect(diff2.removed.filter((c) => c.from.kind === 'pod' && c.to.kind === 'pod')).toEqual([]);
});
