// What netpolc cannot know without a complete inventory (nodes, pods' named ports), and Cilium
// releases that read a lone /0 as the world of both families.
import { expect, it } from 'vitest';
import { evaluate, type Connection, type Endpoint } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import type { CiliumPolicy } from '../src/model.js';
import { CiliumEvaluator } from './support/cilium-eval.js';
import { codes, compile, disagreements, options } from './support/harness.js';

const egressTo = (to: unknown[], ports?: unknown[]) => networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to, ...(ports ? { ports } : {}) }] });
const podEp = (name: string): Endpoint => ({ kind: 'pod', namespace: 'x', name });

/** Kubernetes and Cilium verdicts for the objects compiled from a partial view, in the full cluster. */
function verdicts(full: readonly Manifest[], objects: readonly CiliumPolicy[], conn: Connection): { kubernetes: boolean; cilium: boolean | undefined } {
  const program = loadValid(full).program;
  const ref = evaluate(program, conn);
  if ('error' in ref) throw new Error(ref.error);
  return { kubernetes: ref.allowed, cilium: new CiliumEvaluator(program, objects).allowed(conn) };
}

it('warns at each ipBlock that node coverage is unknown when the inventory has no Node objects', () => {
  // Old code: no diagnostic, and the report said "translated one to one".
  const c = compile([namespace('x'), pod('x', 'client', { app: 'client' }, '198.18.0.10'), egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '10.0.0.0/8' } }])]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/ipblock-nodes-unknown', 'backend-cilium/ipblock-nodes-unknown']);
  for (const d of c.diagnostics) expect(d.target.kind).toBe('ref');
  expect(c.policies[0]!.notes.length).toBeGreaterThan(0);
  expect(c.objects[0]!.spec.egress!.some((r) => r.toEntities)).toBe(false);
});

it('adds no node entities when pods run on nodes the inventory lacks, which the entities would also admit', () => {
  // Old code: the ipBlock covered every known node, so host and remote-node were added, and they
  // also admitted node-2 (outside the ipBlock): wider.
  const known = [namespace('x'), node('node-1', '198.19.0.1'), pod('x', 'client', { app: 'client' }, '198.18.0.10', { node: 'node-1' }), pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'node-2' })];
  const policy = networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.19.0.0/24' } }] }] });
  const c = compile([...known, policy]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/ipblock-nodes-unknown']);
  expect(c.objects[0]!.spec.ingress!.some((r) => r.fromEntities)).toBe(false);
  const full = [...known, node('node-2', '10.0.0.2'), policy];
  const fromNode2 = verdicts(full, c.objects, { src: { kind: 'ip', ip: '10.0.0.2' }, dst: podEp('client'), protocol: 'TCP', port: 80 });
  expect(fromNode2).toEqual({ kubernetes: false, cilium: false });
});

it('keeps the node entities when only a finished pod names a node the inventory lacks', () => {
  const manifests = [namespace('x'), node('node-1', '198.19.0.1'), pod('x', 'client', { app: 'client' }, '198.18.0.10', { node: 'node-1' }), pod('x', 'job', { app: 'job' }, [], { node: 'gone', phase: 'Succeeded' })];
  const c = compile([...manifests, networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.19.0.0/24' } }] }] })], options({ 'node-entities': true }));
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/node-entities-unlisted']);
  expect(c.objects[0]!.spec.ingress).toContainEqual({ fromEntities: ['host', 'remote-node'] });
});

it('reports ipBlocks without an inventory in the migration report instead of "one to one"', () => {
  // Old code: ipblock-pods-unknown fired but the policy had no report note.
  const c = compile([egressTo([{ ipBlock: { cidr: '10.0.0.0/8' } }])]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/ipblock-nodes-unknown', 'backend-cilium/ipblock-pods-unknown']);
  expect(c.policies[0]!.notes.length).toBe(2);
});

it('refuses egress named ports without an inventory: Cilium would allow the number towards peers that lack the name', () => {
  const cluster = [
    namespace('x'),
    node('n', '198.19.0.1'),
    pod('x', 'client', { app: 'client' }, '198.18.0.9', { node: 'n' }),
    pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n', ports: [['http', 80, 'TCP']] }),
    pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'n' }),
  ];
  const policy = egressTo([{ podSelector: {} }], [{ port: 'http' }]);
  const c = compile([policy]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/named-port-unresolved']);
  expect(c.diagnostics[0]!.severity).toBe('error');
  expect(c.objects[0]!.spec.egress).toEqual([{}]);
  // Old code wrote `port: http` towards every pod of x: Cilium resolves it to 80 cluster-wide and
  // allowed client -> b:80, which Kubernetes denies (b has no port named http).
  expect(verdicts([...cluster, policy], c.objects, { src: podEp('client'), dst: podEp('b'), protocol: 'TCP', port: 80 }).cilium).toBe(false);
  // With the inventory the name is resolved per destination pod, exactly.
  const exact = compile([...cluster, policy]);
  expect(codes(exact.diagnostics)).toEqual([]);
  expect(disagreements(exact)).toEqual([]);
});

it('writes a lone 0.0.0.0/0 as its halves on Cilium before 1.15, which reads a bare /0 as both families, and leaves it when the rule has ::/0 as well', () => {
  const dual = [namespace('x'), node('n', '198.19.0.1'), pod('x', 'client', { app: 'client' }, ['198.18.0.10', '2001:db8::a'], { node: 'n' })];
  // The second rule allows every pod on both families, so the client's own IPv6 address does not
  // make the IPv4 /0 a partial cover of it.
  const world = (blocks: string[]) => networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: blocks.map((cidr) => ({ ipBlock: { cidr } })) }, { to: [{ namespaceSelector: {} }] }] });
  const externals = ['203.0.113.5', '2001:db8:99::1'];
  const v14 = { version: [1, 14] as const, namespaceLabelsSuppressInjection: false };
  const old = compile([...dual, world(['0.0.0.0/0'])], options({ 'cilium-version': '1.14' }), v14);
  // The node lists IPv4 only, but the cluster is dual-stack: the entities would admit the node's
  // IPv6 (router) addresses, outside 0.0.0.0/0, so they are withheld (they were added).
  expect(codes(old.diagnostics)).toEqual(['backend-cilium/node-entities-withheld', 'backend-cilium/world-cidr-both-families']);
  expect(old.diagnostics[1]!.target.kind).toBe('ref');
  // Written as 0.0.0.0/1 + 128.0.0.0/1, which Cilium 1.14 reads as IPv4 alone: exact, but for
  // the node, which is denied as the warning says (narrower, never wider).
  const offNode = (c: Parameters<typeof disagreements>[0]): string[] => {
    const found = disagreements(c, externals);
    expect(found.filter((d) => d.includes(' 198.19.0.1 ')).every((d) => d.endsWith('kubernetes true, cilium false'))).toBe(true);
    return found.filter((d) => !d.includes(' 198.19.0.1 '));
  };
  expect(offNode(old)).toEqual([]);
  // The bare /0 is what 1.14 widens: under Cilium 1.14 the client reaches the IPv6 world.
  const text = JSON.stringify(old.objects);
  expect(text).toContain('{"cidr":"0.0.0.0/1"},{"cidr":"128.0.0.0/1"}');
  const bareObjects = JSON.parse(text.replaceAll('{"cidr":"0.0.0.0/1"},{"cidr":"128.0.0.0/1"}', '{"cidr":"0.0.0.0/0"}')) as CiliumPolicy[];
  const bare = { ...old, objects: bareObjects, evaluator: new CiliumEvaluator(old.loaded.program, bareObjects, v14) };
  const wider = offNode(bare);
  expect(wider.length).toBeGreaterThan(0);
  expect(wider.every((d) => d.startsWith('x/client -> 2001:db8:99::1 ') && d.endsWith('kubernetes false, cilium true'))).toBe(true);
  const both = compile([...dual, world(['0.0.0.0/0', '::/0'])], options({ 'cilium-version': '1.14' }), v14);
  expect(codes(both.diagnostics)).toEqual([]);
  expect(disagreements(both, externals)).toEqual([]);
  const current = compile([...dual, world(['0.0.0.0/0'])], options({ 'cilium-version': '1.15' }), { version: [1, 15], namespaceLabelsSuppressInjection: true });
  expect(codes(current.diagnostics)).toEqual(['backend-cilium/node-entities-withheld']);
  expect(JSON.stringify(current.objects)).not.toContain('remote-node');
  // Both families whole: every node address, listed or not, is inside; the entities are exact.
  expect(JSON.stringify(both.objects)).toContain('"toEntities":["host","remote-node"]');
  expect(offNode(current)).toEqual([]);
});

it('judges an ipBlock that covers part of a pod or of the nodes conservatively when its policy selects no pod yet', () => {
  // Old code: with no subject the check "the policy's pods may reach the rest anyway" held
  // vacuously, so the whole dual-stack pod (or both nodes) was selected: once a pod was labelled
  // app=batch, Cilium let it reach x/server's IPv6 address (or node n2), which Kubernetes denies.
  const cluster = [namespace('x'), node('n1', '198.19.0.1'), node('n2', '198.19.0.2'), pod('x', 'server', { app: 'server' }, ['198.18.0.10', '2001:db8::a'], { node: 'n1' }), pod('x', 'client', { app: 'client' }, ['198.18.0.11', '2001:db8::b'], { node: 'n1' })];
  const batch = (cidr: string) => networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'batch' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }] }] });
  const toPod = compile([...cluster, batch('198.18.0.10/32')]);
  expect(codes(toPod.diagnostics)).toEqual(['backend-cilium/ipblock-partial-pod']);
  expect(JSON.stringify(toPod.objects)).not.toContain('"k8s:app":"server"');
  // The same rule for a policy that selects a pod was refused already: the two now agree.
  const selected = compile([...cluster, networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.10/32' } }] }] })]);
  expect(codes(selected.diagnostics)).toEqual(['backend-cilium/ipblock-partial-pod']);
  // One node of two, even with --node-entities: the entities would admit n2 too.
  const toNode = compile([...cluster, batch('198.19.0.1/32')], options({ 'node-entities': true }));
  expect(codes(toNode.diagnostics)).toEqual(['backend-cilium/ipblock-covers-nodes']);
  expect(JSON.stringify(toNode.objects)).not.toContain('remote-node');
  // Every node address inside: the entities are added as before (with the note on unlisted ones).
  const both = compile([...cluster, batch('198.19.0.0/30')], options({ 'node-entities': true }));
  expect(codes(both.diagnostics)).toEqual(['backend-cilium/node-entities-unlisted']);
  expect(JSON.stringify(both.objects)).toContain('remote-node');
});

it('counts what the policy\'s other rules allow: 0.0.0.0/0 and ::/0 in two rules of a dual-stack policy get the entities, with or without pods selected', () => {
  // Review of the fixes above: both were refused (a warning with a pod selected; two
  // ipblock-partial-pod errors without), though the policy allows every address of both families.
  const cluster = [namespace('a'), node('n1', '192.168.1.10'), pod('a', 'p', { app: 'web' }, ['10.0.0.5', 'fd00::5'], { node: 'n1' })];
  const twoRules = (app: string) => networkPolicy('a', 'e', { podSelector: { matchLabels: { app } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }, { to: [{ ipBlock: { cidr: '::/0' } }] }] });
  for (const app of ['web', 'none']) {
    const c = compile([...cluster, twoRules(app)]);
    expect(codes(c.diagnostics), app).toEqual([]);
    expect(JSON.stringify(c.objects), app).toContain('"toEntities":["host","remote-node"]');
  }
  // The other rule allows fewer ports than this one: it shows nothing allowed anyway.
  const narrower = networkPolicy('a', 'e', { podSelector: { matchLabels: { app: 'none' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }, { to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 80 }] }] });
  expect(codes(compile([...cluster, narrower]).diagnostics)).toEqual(['backend-cilium/ipblock-partial-pod', 'backend-cilium/node-entities-withheld']);
});
