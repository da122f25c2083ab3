import fc from 'fast-check';
import { expect, it } from 'vitest';
import { namespace, networkPolicy, node, numRuns, pod, upstreamModel } from '@netpolc/ir/testing';
import { sameTree } from '../src/tree.js';
import { codes, compile, disagreements, options } from './support/harness.js';

const ingressFrom = (from: unknown[], ports?: unknown[]) => networkPolicy('x', 'np', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{ from, ...(ports ? { ports } : {}) }] });

it('keeps Kubernetes meaning for an egress ipBlock that is one pod IP (upstream e2e <podIP>/32)', () => {
  const c = compile([...upstreamModel(), networkPolicy('x', 'np', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] })]);
  expect(codes(c.diagnostics)).toEqual([]);
  expect(c.objects[0]!.spec.egress).toContainEqual({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y', 'k8s:pod': 'b' } }] });
  expect(disagreements(c)).toEqual([]);
});

it('keeps Kubernetes meaning for a CIDR around pods with an except for one pod (upstream e2e)', () => {
  const c = compile([...upstreamModel(), ingressFrom([{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.10/32'] } }])]);
  expect(codes(c.diagnostics)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
});

it('selects pods inside an ipBlock that only DoesNotExist can tell apart', () => {
  const c = compile([namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { app: 'web' }, '198.18.0.10', { node: 'n' }), pod('x', 'b', { app: 'web', canary: 'yes' }, '198.18.0.11', { node: 'n' }), ingressFrom([{ ipBlock: { cidr: '198.18.0.10/32' } }])]);
  expect(codes(c.diagnostics)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
});

it('reports pods that an ipBlock separates but Cilium identities cannot', () => {
  const c = compile([namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { pod: 'a' }, '198.18.0.9'), pod('x', 'web-1', { app: 'web' }, '198.18.0.10'), pod('x', 'web-2', { app: 'web', 'pod-template-hash': 'abc' }, '198.18.0.11'), ingressFrom([{ ipBlock: { cidr: '198.18.0.10/32' } }])]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/inseparable-pods']);
  // Fail closed: neither web pod is allowed by label.
  expect(disagreements(c).every((d) => d.includes('kubernetes true, cilium false'))).toBe(true);
});

it('reports a dual-stack pod that an ipBlock covers in one family only, and accepts both families together', () => {
  const pods = [namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { pod: 'a' }, ['198.18.0.9', '2001:db8::9'], { node: 'n' }), pod('x', 'b', { pod: 'b' }, ['198.18.0.10', '2001:db8::a'], { node: 'n' })];
  const one = compile([...pods, ingressFrom([{ ipBlock: { cidr: '198.18.0.10/32' } }])]);
  expect(codes(one.diagnostics)).toEqual(['backend-cilium/ipblock-partial-pod']);
  expect(disagreements(one).every((d) => d.includes('kubernetes true, cilium false'))).toBe(true);
  const both = compile([...pods, ingressFrom([{ ipBlock: { cidr: '198.18.0.10/32' } }, { ipBlock: { cidr: '2001:db8::a/128' } }])]);
  expect(codes(both.diagnostics)).toEqual([]);
  expect(disagreements(both)).toEqual([]);
});

it('reports the pods one ipBlock leaves out in one error, not one per pod (a message naming up to twelve, counting the rest)', () => {
  const web = Array.from({ length: 20 }, (_, i) => pod('x', `web-${String(i).padStart(2, '0')}`, { app: 'web' }, [`198.18.0.${10 + i}`, `2001:db8::${(10 + i).toString(16)}`]));
  const single = Array.from({ length: 30 }, (_, i) => pod('x', `web-${String(i).padStart(2, '0')}`, { app: 'web' }, `198.18.0.${10 + i}`));
  const inseparable = compile([namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { pod: 'a' }, '198.18.0.9'), ...single, ingressFrom([{ ipBlock: { cidr: '198.18.0.10/32' } }, { ipBlock: { cidr: '198.18.0.16/29' } }])]);
  expect(codes(inseparable.diagnostics)).toEqual(['backend-cilium/inseparable-pods']);
  expect(inseparable.diagnostics[0]!.message).toMatch(/^ipBlock .*: pods x\/web-\d\d(, x\/web-\d\d){8} must be allowed but pod x\/web-\d\d must not,/);
  const partial = compile([namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { pod: 'a' }, '198.18.0.9'), ...web, ingressFrom([{ ipBlock: { cidr: '198.18.0.0/24' } }])]);
  expect(codes(partial.diagnostics)).toEqual(['backend-cilium/ipblock-partial-pod']);
  expect(partial.diagnostics[0]!.message).toMatch(/^ipBlock covers some but not all addresses of pods x\/web-00, .* and 8 more \(198\.18\.0\.10 of x\/web-00 but not 2001:db8::a\)/);
  expect(disagreements(partial).every((d) => d.includes('kubernetes true, cilium false'))).toBe(true);
});

it('adds the host and remote-node entities when an ipBlock covers whole families, or every node with --node-entities, and warns when it covers some', () => {
  const cluster = [namespace('x'), node('n1', '198.19.0.1'), node('n2', '198.19.0.2'), pod('x', 'a', { pod: 'a' }, '198.18.0.10', { node: 'n1' }), pod('x', 'b', { pod: 'b' }, '198.18.0.11', { node: 'n2' })];
  const egress = (cidr: string) => networkPolicy('x', 'np', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr } }] }], egress: [{ to: [{ ipBlock: { cidr } }] }] });
  // The entities also hold node addresses no Node object lists, which may lie outside the block:
  // by default none is added and the node traffic is denied (a warning, once per direction) ...
  const withheld = compile([...cluster, egress('198.19.0.0/16')]);
  expect(codes(withheld.diagnostics)).toEqual(['backend-cilium/node-entities-withheld', 'backend-cilium/node-entities-withheld']);
  expect(withheld.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  expect(JSON.stringify(withheld.objects)).not.toContain('remote-node');
  const narrower = disagreements(withheld);
  expect(narrower.length).toBeGreaterThan(0);
  expect(narrower.every((d) => /198\.19\.0\.[12]/.test(d) && d.endsWith('kubernetes true, cilium false'))).toBe(true);
  // ... unless --node-entities accepts them (info, once per direction): exact on the inventory.
  const all = compile([...cluster, egress('198.19.0.0/16')], options({ 'node-entities': true }));
  expect(codes(all.diagnostics)).toEqual(['backend-cilium/node-entities-unlisted', 'backend-cilium/node-entities-unlisted']);
  expect(all.diagnostics.every((d) => d.severity === 'info')).toBe(true);
  expect(all.objects[0]!.spec.egress).toContainEqual({ toEntities: ['host', 'remote-node'] });
  expect(disagreements(all)).toEqual([]);
  // A block of the whole family covers every such address: nothing to say.
  const everything = compile([...cluster, egress('0.0.0.0/0')]);
  expect(codes(everything.diagnostics)).toEqual([]);
  expect(everything.objects[0]!.spec.egress).toContainEqual({ toEntities: ['host', 'remote-node'] });
  const some = compile([...cluster, egress('198.19.0.2/32')]);
  expect(codes(some.diagnostics)).toEqual(['backend-cilium/ipblock-covers-nodes', 'backend-cilium/ipblock-covers-nodes']);
  expect(disagreements(some).every((d) => d.includes('198.19.0.2') && d.includes('kubernetes true, cilium false'))).toBe(true);
});

it('resolves egress named ports per destination pod, where Cilium would resolve them cluster-wide', () => {
  const c = compile([
    namespace('x'),
    pod('x', 'client', { app: 'client' }, '198.18.0.9'),
    pod('x', 'a', { app: 'a' }, '198.18.0.10', { ports: [['http', 80, 'TCP']] }),
    pod('x', 'b', { app: 'b' }, '198.18.0.11', { ports: [['http', 8080, 'TCP']] }),
    pod('x', 'c', { app: 'c' }, '198.18.0.12'),
    networkPolicy('x', 'np', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
  ]);
  expect(codes(c.diagnostics)).toEqual([]);
  const ports = c.objects[0]!.spec.egress!.flatMap((r) => r.toPorts ?? []).flatMap((p) => p.ports.map((x) => x.port));
  expect(ports.sort()).toEqual(['80', '8080']);
  expect(disagreements(c)).toEqual([]);
});

it('keeps ingress named ports as names: Cilium resolves them on the selected pod', () => {
  const c = compile([...upstreamModel(), ingressFrom([{ podSelector: {} }], [{ port: 'serve-81-tcp' }, { protocol: 'UDP', port: 'serve-80-udp' }])]);
  expect(c.objects[0]!.spec.ingress![0]!.toPorts).toEqual([{ ports: [{ port: 'serve-81-tcp', protocol: 'TCP' }, { port: 'serve-80-udp', protocol: 'UDP' }] }]);
  expect(disagreements(c)).toEqual([]);
});

it('writes an empty rule for a direction that is isolated without rules', () => {
  const c = compile([...upstreamModel(), networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
  expect(c.objects[0]!.spec.ingress).toEqual([{}]);
  expect(c.objects[0]!.spec.egress).toEqual([{}]);
  expect(disagreements(c)).toEqual([]);
});

it('writes rules without peers as the all entity and namespace selectors with the namespace key', () => {
  const c = compile([
    ...upstreamModel(),
    networkPolicy('x', 'np', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 81 }] }, { from: [{ namespaceSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
    }),
  ]);
  expect(c.objects[0]!.spec.ingress![0]).toEqual({ fromEntities: ['all'], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] });
  expect(c.objects[0]!.spec.ingress![1]!.fromEndpoints).toEqual([
    { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
    { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y', 'k8s:pod': 'b' } },
  ]);
  expect(disagreements(c)).toEqual([]);
});

it('rejects selectors on labels that Cilium leaves out of identities', () => {
  const c = compile([...upstreamModel(), networkPolicy('x', 'np', { podSelector: { matchLabels: { 'pod-template-hash': 'abc' } }, ingress: [] })]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/label-not-in-identity']);
});

it('expands port ranges for Cilium before 1.16 and refuses ranges too large to expand', () => {
  const policy = (endPort: number) => ingressFrom([{ podSelector: {} }], [{ port: 80, endPort }]);
  const small = compile([...upstreamModel(), policy(83)], options({ 'cilium-version': '1.15' }), { version: [1, 15], namespaceLabelsSuppressInjection: false });
  expect(codes(small.diagnostics)).toEqual(['backend-cilium/port-range-expanded']);
  expect(small.objects[0]!.spec.ingress![0]!.toPorts![0]!.ports.map((p) => p.port)).toEqual(['80', '81', '82', '83']);
  expect(disagreements(small)).toEqual([]);
  const large = compile([...upstreamModel(), policy(9000)], options({ 'cilium-version': '1.15.4' }));
  expect(codes(large.diagnostics)).toEqual(['backend-cilium/port-range-unsupported']);
  const current = compile([...upstreamModel(), policy(9000)]);
  expect(current.objects[0]!.spec.ingress![0]!.toPorts).toEqual([{ ports: [{ port: '80', endPort: 9000, protocol: 'TCP' }] }]);
  expect(disagreements(current)).toEqual([]);
});

it('refuses SCTP for Cilium before 1.13 and notes the agent flag after', () => {
  const policy = ingressFrom([{ podSelector: {} }], [{ protocol: 'SCTP', port: 80 }]);
  expect(codes(compile([...upstreamModel(), policy], options({ 'cilium-version': '1.12' })).diagnostics)).toEqual(['backend-cilium/sctp-unsupported']);
  const current = compile([...upstreamModel(), policy]);
  expect(codes(current.diagnostics)).toEqual(['backend-cilium/sctp-needs-agent-flag']);
  expect(disagreements(current)).toEqual([]);
});

it('without an inventory, warns about ipBlocks and uses --cluster-cidr when given', () => {
  const policy = networkPolicy('x', 'np', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
  // Without Node objects, node coverage stays unknown whatever --cluster-cidr says.
  const nodes = 'backend-cilium/ipblock-nodes-unknown';
  expect(codes(compile([policy]).diagnostics)).toEqual([nodes, 'backend-cilium/ipblock-pods-unknown']);
  const full = compile([policy], options({ 'cluster-cidr': ['10.244.0.0/16'] }));
  expect(codes(full.diagnostics)).toEqual([nodes]);
  expect(full.objects[0]!.spec.egress).toContainEqual({ toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] });
  expect(codes(compile([policy], options({ 'cluster-cidr': ['10.0.0.0/7'] })).diagnostics)).toEqual([nodes, 'backend-cilium/ipblock-pods-ambiguous']);
  expect(codes(compile([policy], options({ 'cluster-cidr': ['192.168.0.0/16'] })).diagnostics)).toEqual([nodes]);
});

it('without an inventory, leaves egress named ports out: an error towards pods, a warning towards ipBlocks', () => {
  const c = compile([networkPolicy('x', 'np', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 'dns', protocol: 'UDP' }] }] })]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/ipblock-nodes-unknown', 'backend-cilium/ipblock-pods-unknown', 'backend-cilium/named-port-ipblock-unknown', 'backend-cilium/named-port-unresolved']);
  expect(c.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['backend-cilium/named-port-unresolved']);
  expect(c.objects[0]!.spec.egress).toEqual([{}]);
  const ipBlockOnly = compile([networkPolicy('x', 'np', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 'dns', protocol: 'UDP' }] }] })]);
  expect(ipBlockOnly.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
});

it('reports invalid flags', () => {
  expect(() => options({ 'cilium-version': 'latest' })).toThrow(/cilium-version/);
  expect(() => options({ 'cilium-version': '1.8' })).toThrow(/1.10 and later/);
  expect(() => options({ 'cluster-cidr': ['10.0.0.0/33'] })).toThrow(/cluster-cidr/);
});

it('never lets a namespace NotIn selector match the world or nodes', () => {
  const c = compile([...upstreamModel(), ingressFrom([{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['y'] }] } }])]);
  expect(c.objects[0]!.spec.ingress![0]!.fromEndpoints).toEqual([
    { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }, { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['y'] }] },
  ]);
  expect(disagreements(c)).toEqual([]);
});

it('finds repeated rules as their serialised forms would (sameTree against JSON.stringify)', () => {
  // Small trees from a few keys and values, so that equal and nearly equal pairs are common.
  const tree = fc.letrec<{ node: unknown }>((t) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('a', 'b', 1, true, null, undefined),
      fc.array(t('node'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('k', 'l', 'm'), t('node'), { maxKeys: 3 }),
    ),
  })).node;
  const pair = fc.oneof(fc.tuple(tree, tree), tree.map((a) => [a, structuredClone(a)] as const));
  fc.assert(
    fc.property(pair, ([a, b]) => {
      expect(sameTree(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
    }),
    { numRuns: numRuns(2000) },
  );
});

it('writes the same ports whatever the order of the policy port entries', () => {
  // Old code: toPorts followed the entries, so reordering UDP 53 and TCP 53 changed the output.
  const entries = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 'serve-80-tcp' }, { port: 81, protocol: 'SCTP' }, { port: 80, endPort: 90 }, { port: 80 }];
  const out = (ports: unknown[]) => compile([...upstreamModel(), ingressFrom([{ podSelector: {} }], ports)]).objects;
  const forward = out(entries);
  expect(out([...entries].reverse())).toEqual(forward);
  expect(forward[0]!.spec.ingress![0]!.toPorts![0]!.ports.map((p) => `${p.protocol}/${p.port}${p.endPort ? `-${p.endPort}` : ''}`)).toEqual(['TCP/53', 'TCP/80', 'TCP/80-90', 'TCP/serve-80-tcp', 'UDP/53', 'SCTP/81']);
});

it('writes a selector once in a rule when a namespaceSelector {} peer and an ipBlock over every pod both give it', () => {
  // Old code: the same "namespace label exists" selector twice in one toEndpoints.
  const c = compile([namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n' }), networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '198.18.0.0/16' } }] }] })]);
  const endpoints = c.objects[0]!.spec.egress!.flatMap((r) => r.toEndpoints ?? []);
  expect(endpoints.length).toBeGreaterThan(0);
  expect(new Set(endpoints.map((e) => JSON.stringify(e))).size).toBe(endpoints.length);
});

it('writes each selector once in a rule of many peers too (repeats found by key from 16 on)', () => {
  const peers = [...Array.from({ length: 20 }, () => ({ namespaceSelector: {} })), ...Array.from({ length: 20 }, (_, i) => ({ podSelector: { matchLabels: { app: `a${i % 5}` } } }))];
  const c = compile([namespace('x'), node('n', '198.19.0.1'), pod('x', 'a', { app: 'a0' }, '198.18.0.10', { node: 'n' }), networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: peers }] })]);
  const endpoints = c.objects[0]!.spec.egress!.flatMap((r) => r.toEndpoints ?? []);
  expect(endpoints).toHaveLength(6);
  expect(new Set(endpoints.map((e) => JSON.stringify(e))).size).toBe(6);
});
