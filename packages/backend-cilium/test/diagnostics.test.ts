import { expect, it } from 'vitest';
import { namespace, networkPolicy, node, pod, upstreamModel, type Manifest } from '@netpolc/ir/testing';
import type { SemanticsOptions } from '@netpolc/ir';
import { ciliumDiagnostics, type CiliumDiagnosticCode } from '../src/diagnostics.js';
import { parseCiliumOptions } from '../src/options.js';
import { compile, options } from './support/harness.js';

const ingressPorts = (ports: unknown[]) => networkPolicy('x', 'np', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }], ports }] });
const egressTo = (to: unknown[], ports?: unknown[]) => networkPolicy('x', 'np', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to, ...(ports ? { ports } : {}) }] });

const ingressFromValues = (n: number) =>
  networkPolicy('x', 'np', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: Array.from({ length: n }, (_, i) => `v${i}-`.padEnd(60, 'x')) }] } }] }] });

/** One scenario per code: manifests and raw flags that must produce it. */
const triggers: Record<Exclude<CiliumDiagnosticCode, 'backend-cilium/invalid-option'>, { manifests: Manifest[]; flags?: Record<string, string | string[] | boolean>; semantics?: Partial<SemanticsOptions> }> = {
  'backend-cilium/ignored-option': { manifests: [...upstreamModel(), ingressPorts([{ port: 80 }])], flags: { 'node-entities': true }, semantics: { ipBlockMatchesNodes: false } },
  'backend-cilium/semantics-unsupported': { manifests: [...upstreamModel(), ingressPorts([{ port: 80 }])], semantics: { allowNodeLocalIngress: false } },
  'backend-cilium/icmp-rules-unsupported': { manifests: [...upstreamModel(), ingressPorts([{ port: 80 }])], flags: { 'cilium-version': '1.11' }, semantics: { allowIcmpEssentials: true } },
  'backend-cilium/inseparable-pods': { manifests: [namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10'), pod('x', 'b', { app: 'w' }, '198.18.0.11'), egressTo([{ ipBlock: { cidr: '198.18.0.10/32' } }])] },
  'backend-cilium/ipblock-partial-pod': { manifests: [namespace('x'), pod('x', 'a', { app: 'w' }, ['198.18.0.10', '2001:db8::a']), egressTo([{ ipBlock: { cidr: '198.18.0.10/32' } }])] },
  'backend-cilium/ipblock-pods-unknown': { manifests: [egressTo([{ ipBlock: { cidr: '10.0.0.0/8' } }])] },
  'backend-cilium/ipblock-pods-ambiguous': { manifests: [egressTo([{ ipBlock: { cidr: '10.1.0.0/16' } }])], flags: { 'cluster-cidr': ['10.0.0.0/8'] } },
  'backend-cilium/ipblock-covers-nodes': { manifests: [node('n1', '198.19.0.1'), node('n2', '198.19.0.2'), namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10', { node: 'n1' }), egressTo([{ ipBlock: { cidr: '198.19.0.2/32' } }])] },
  'backend-cilium/label-not-in-identity': { manifests: [...upstreamModel(), networkPolicy('x', 'np', { podSelector: { matchLabels: { 'controller-revision-hash': 'x' } } })] },
  'backend-cilium/label-key-too-long': { manifests: [...upstreamModel(), networkPolicy('x', 'np', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'tenant-owner-team-responsible-for-billing': 'finance' } } }] }] })] },
  'backend-cilium/label-owned-by-cilium': { manifests: [...upstreamModel(), networkPolicy('x', 'np', { podSelector: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'DoesNotExist' }] } })] },
  'backend-cilium/node-entities-unlisted': { manifests: [node('n1', '198.19.0.1'), namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10', { node: 'n1' }), egressTo([{ ipBlock: { cidr: '198.19.0.0/16' } }])], flags: { 'node-entities': true } },
  'backend-cilium/ipblock-remote-pods': { manifests: [node('n1', '198.19.0.1'), namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10', { node: 'n1' }), egressTo([{ ipBlock: { cidr: '172.16.0.0/12' } }])], flags: { 'cluster-name': 'west' } },
  'backend-cilium/node-entities-withheld': { manifests: [node('n1', '198.19.0.1'), namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10', { node: 'n1' }), egressTo([{ ipBlock: { cidr: '198.19.0.0/16' } }])] },
  'backend-cilium/port-range-expanded': { manifests: [...upstreamModel(), ingressPorts([{ port: 80, endPort: 81 }])], flags: { 'cilium-version': '1.14' } },
  'backend-cilium/port-range-unsupported': { manifests: [...upstreamModel(), ingressPorts([{ port: 1000, endPort: 2000 }])], flags: { 'cilium-version': '1.14' } },
  'backend-cilium/sctp-unsupported': { manifests: [...upstreamModel(), ingressPorts([{ port: 80, protocol: 'SCTP' }])], flags: { 'cilium-version': '1.12' } },
  'backend-cilium/sctp-needs-agent-flag': { manifests: [...upstreamModel(), ingressPorts([{ port: 80, protocol: 'SCTP' }])] },
  'backend-cilium/named-port-unresolved': { manifests: [egressTo([{ podSelector: {} }], [{ port: 'http' }])] },
  'backend-cilium/named-port-ipblock-unknown': { manifests: [egressTo([{ ipBlock: { cidr: '10.0.0.0/8' } }], [{ port: 'http' }])] },
  'backend-cilium/ipblock-nodes-unknown': { manifests: [namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10'), egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }])] },
  'backend-cilium/except-reads-as-ipv4': { manifests: [egressTo([{ ipBlock: { cidr: '::/0', except: ['::fffe:0:0/96'] } }])], flags: { 'cilium-version': '1.16' } },
  'backend-cilium/named-port-repeated': {
    manifests: [namespace('x'), { ...pod('x', 'a', { app: 'w' }, '198.18.0.10'), spec: { containers: [{ name: 'a', image: 'i', ports: [{ name: 'web', containerPort: 8080 }] }, { name: 'b', image: 'i', ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] }] } }, ingressPorts([{ port: 'web' }])],
  },
  'backend-cilium/other-family-block': { manifests: [namespace('x'), pod('x', 'a', { app: 'w' }, '198.18.0.10'), egressTo([{ ipBlock: { cidr: '::/0' } }])] },
  'backend-cilium/world-block-families-unknown': { manifests: [egressTo([{ ipBlock: { cidr: '::/0' } }])] },
  'backend-cilium/world-cidr-both-families': { manifests: [egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }])], flags: { 'cilium-version': '1.14' } },
  // Label values of 60 characters, In a peer selector: 30 000 take 2 MB as JSON, 6 000 take 400 KB.
  'backend-cilium/object-too-large': { manifests: [...upstreamModel(), ingressFromValues(30_000)] },
  'backend-cilium/object-needs-server-side-apply': { manifests: [...upstreamModel(), ingressFromValues(6_000)] },
  // The harness gives pods their sidecars' named ports, which the IR does not keep apart yet.
  'backend-cilium/sidecar-named-port': { manifests: [namespace('x'), { ...pod('x', 'a', { app: 'w' }, '198.18.0.10'), spec: { containers: [{ name: 'main', image: 'i' }], initContainers: [{ name: 'proxy', image: 'i', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090 }] }] } }, ingressPorts([{ port: 'metrics' }])] },
};

it('documents every diagnostic code with its backend prefix', () => {
  for (const [code, entry] of Object.entries(ciliumDiagnostics)) {
    expect(code.startsWith('backend-cilium/'), code).toBe(true);
    expect(entry.docs.length, code).toBeGreaterThan(40);
  }
});

for (const [code, t] of Object.entries(triggers)) {
  it(`reports ${code} where it applies`, () => {
    const c = compile(t.manifests, options(t.flags ?? {}), undefined, t.semantics);
    expect(c.diagnostics.map((d) => d.code)).toContain(code);
    // Every diagnostic about the input points at it.
    if (code !== 'backend-cilium/semantics-unsupported' && code !== 'backend-cilium/icmp-rules-unsupported' && code !== 'backend-cilium/ignored-option') for (const d of c.diagnostics.filter((x) => x.code === code)) expect(d.target.kind).toBe('ref');
  });
}

it('never reports a policy as translated one to one when a diagnostic about it fired', () => {
  for (const [code, t] of Object.entries(triggers)) {
    const c = compile(t.manifests, options(t.flags ?? {}), undefined, t.semantics);
    if (c.policies.length !== 1 || !c.diagnostics.some((d) => d.target.kind === 'ref')) continue;
    expect(c.policies[0]!.notes.length, code).toBeGreaterThan(0);
  }
});

it('reports backend-cilium/invalid-option for bad flags, and covers every code with a scenario', () => {
  expect(parseCiliumOptions({ 'cilium-version': 'next' }).diagnostics.map((d) => d.code)).toEqual(['backend-cilium/invalid-option']);
  expect([...Object.keys(triggers), 'backend-cilium/invalid-option'].sort()).toEqual(Object.keys(ciliumDiagnostics).sort());
});
