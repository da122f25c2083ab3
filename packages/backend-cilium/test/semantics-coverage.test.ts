// Rules of semantics.md §2, §3 and §5.4 that no other Cilium test pins by name, each checked on
// the lowered model against the reference evaluator through the Cilium evaluator
// (harness.disagreements: every pod pair, node and outside address), on the printed YAML read as
// YAML 1.1, and against the cilium.io/v2 CRD.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { parseCidr } from '@netpolc/ir';
import { icmpEssentialsScenario, namedPortCluster, networkPolicy, node, pod, probeEndpoint, yaml11Namespaces, yaml11Objects, yaml11Values } from '@netpolc/ir/testing';
import { printStream } from '../src/print.js';
import { codes, compile, disagreements, options } from './support/harness.js';
import { repoRoot } from './support/sources.js';

const cluster = namedPortCluster();

const notInfo = (c: ReturnType<typeof compile>): string[] => c.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code);

it('§5.4 namespaceSelector {} is "the pod namespace label exists": every pod, never host, remote-node or world', () => {
  const c = compile([...cluster, networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: {} }] }], egress: [{ to: [{ namespaceSelector: {} }] }] })]);
  expect(c.objects[0]!.spec.ingress).toEqual([{ fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }]);
  expect(notInfo(c)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
});

it('§2.2 namespaceSelector kubernetes.io/metadata.name NotIn keeps the Exists requirement (NotIn alone also matches world and host)', () => {
  const c = compile([...cluster, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['y'] }] } }] }] })]);
  expect(c.objects[0]!.spec.ingress![0]!.fromEndpoints![0]!.matchExpressions).toEqual([
    { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
    { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['y'] },
  ]);
  expect(disagreements(c)).toEqual([]);
});

it('§5.4 default deny per direction: only the directions in policyTypes get rules; an empty direction is [{}]', () => {
  const c = compile([
    ...cluster,
    networkPolicy('x', 'in', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress'] }),
    networkPolicy('x', 'out', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Egress'], egress: [] }),
  ]);
  const spec = Object.fromEntries(c.objects.map((o) => [o.metadata.name, { ingress: o.spec.ingress, egress: o.spec.egress, dd: o.spec.enableDefaultDeny }]));
  expect(spec).toEqual({ in: { ingress: [{}], egress: undefined, dd: undefined }, out: { ingress: undefined, egress: [{}], dd: undefined } });
  expect(disagreements(c)).toEqual([]);
});

it('§3/§5.4 ports: none -> no toPorts (every protocol, ICMP too); {protocol} -> port "0"; endPort kept from 1.16, expanded before', () => {
  const pol = networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }, { from: [{ podSelector: {} }], ports: [{ protocol: 'UDP' }, { port: 80, endPort: 82 }] }] });
  const c = compile([...cluster, pol]);
  expect(c.objects[0]!.spec.ingress).toEqual([
    { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x' } }] },
    { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x' } }], toPorts: [{ ports: [{ port: '80', endPort: 82, protocol: 'TCP' }, { port: '0', protocol: 'UDP' }] }] },
  ]);
  expect(disagreements(c)).toEqual([]);
  const old = compile([...cluster, pol], options({ 'cilium-version': '1.15' }));
  expect(codes(old.diagnostics)).toEqual(['backend-cilium/port-range-expanded']);
  expect(old.objects[0]!.spec.ingress![1]!.toPorts![0]!.ports.map((p) => p.port)).toEqual(['80', '81', '82', '0']);
});

it('§2.3 named ports: ingress SCTP name kept (resolved on the pod itself); egress name resolved per destination pod', () => {
  const c = compile([
    ...cluster,
    networkPolicy('x', 'in', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 'sig' }] }] }),
    networkPolicy('y', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'web' }] }] }),
  ]);
  expect(notInfo(c)).toEqual([]);
  expect(c.objects[0]!.spec.ingress).toEqual([{ fromEntities: ['all'], toPorts: [{ ports: [{ port: 'sig', protocol: 'SCTP' }] }] }]);
  // web is 8080 on x/a and y/c, 80 on x/b: two rules, each towards the pods that use the number.
  expect(c.objects[1]!.spec.egress!.map((r) => r.toPorts![0]!.ports.map((p) => p.port))).toEqual([['80'], ['8080']]);
  expect(disagreements(c)).toEqual([]);
});

it('§2.2/§5.4 except stays with its own CIDR; pods inside the block are selected by label (CIDR rules never match pods)', () => {
  const c = compile([
    ...cluster,
    networkPolicy('y', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.0.8/29'] } }, { ipBlock: { cidr: '198.18.0.10/32' } }] }] }),
  ]);
  const egress = c.objects[0]!.spec.egress!;
  expect(egress.find((r) => r.toCIDRSet)!.toCIDRSet).toEqual([{ cidr: '198.18.0.0/16', except: ['198.18.0.8/29'] }, { cidr: '198.18.0.10/32' }]);
  expect(egress.some((r) => r.toEndpoints)).toBe(true);
  expect(notInfo(c)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
});

it('YAML 1.1: namespaces, label values and named ports a YAML 1.1 reader would retype stay strings', () => {
  const c = compile(yaml11Objects());
  const text = printStream(c.objects);
  for (const version of ['1.1', '1.2'] as const) {
    const docs = parseAllDocuments(text, { version }).map((d) => d.toJS() as { metadata: { namespace: string }; spec: { endpointSelector: { matchExpressions: { values: unknown[] }[] }; ingress: { toPorts: { ports: { port: unknown }[] }[] }[] } });
    expect(docs.map((d) => d.metadata.namespace).sort()).toEqual([...yaml11Namespaces].sort());
    for (const d of docs) {
      expect(d.spec.endpointSelector.matchExpressions[0]!.values).toEqual([...yaml11Values].sort());
      expect(d.spec.ingress[0]!.toPorts[0]!.ports.map((p) => p.port)).toEqual(['off', 'y']);
    }
  }
});

const schemaDir = join(repoRoot, '..', 'shared', 'schemas', 'cilium');

it.skipIf(!existsSync(schemaDir))('schema: the objects of this file validate against the cilium.io/v2 CRD', () => {
  const crd = parse(readFileSync(join(schemaDir, 'ciliumnetworkpolicies.yaml'), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
  const schema = JSON.parse(JSON.stringify(crd.spec.versions.find((v) => v.name === 'v2')!.schema.openAPIV3Schema).replace(/\\\\([pP])([A-Z])(?![a-z{])/g, '\\\\$1{$2}'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('cidr', (s: string) => parseCidr(s) !== undefined);
  for (const f of ['int32', 'int64', 'date-time', 'byte', 'idn-hostname']) ajv.addFormat(f, true);
  const validate = ajv.compile(schema);
  const manifests = [
    ...cluster,
    networkPolicy('x', 'a', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ protocol: 'SCTP', port: 'sig' }, { port: 80, endPort: 90 }, { protocol: 'UDP' }] }], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['198.18.0.0/15'] } }, { namespaceSelector: {} }], ports: [{ port: 'web' }] }] }),
    networkPolicy('x', 'b', { podSelector: {}, policyTypes: ['Egress'] }),
  ];
  // With icmp-essentials too: its icmps rules.
  for (const semantics of [{}, { allowIcmpEssentials: true }]) {
    const c = compile(manifests, options(), undefined, semantics);
    const docs = parseAllDocuments(printStream(c.objects)).map((d) => d.toJS() as unknown);
    for (const d of docs) expect(validate(d) ? [] : validate.errors).toEqual([]);
  }
});

it('§2.1/§2.5 hostNetwork pods are never selector peers; node-local ingress and pod-to-itself stay allowed under deny-all', () => {
  const c = compile([
    ...cluster,
    node('n2', '198.19.0.2'),
    pod('x', 'h', { app: 'a' }, '198.19.0.2', { node: 'n2', hostNetwork: true }),
    networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('y', 'sel', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'a' } } }] }] }),
  ]);
  expect(notInfo(c)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
  // x/a reaches itself and its own node reaches it although x denies everything.
  const self = { kind: 'pod', namespace: 'x', name: 'a', ip: '198.18.0.10' } as const;
  expect(c.evaluator.allowed({ src: self, dst: self, protocol: 'TCP', port: 80 })).toBe(true);
  expect(c.evaluator.allowed({ src: { kind: 'ip', ip: '198.19.0.1' }, dst: self, protocol: 'TCP', port: 80 })).toBe(true);
});

const essentialFields = ['IPv4/8', 'IPv4/3', 'IPv4/11', 'IPv6/128', 'IPv6/1', 'IPv6/3', 'IPv6/135', 'IPv6/136', 'IPv6/129'];

it('§3 ICMP knob: icmp-essentials is one icmps rule without peers per isolated direction; verdicts as the kernel tests probe them; left out before 1.12', () => {
  // IPv4 only: c's IPv4 block would cover dual-stack pods partly, which Cilium cannot express (an error).
  const { objects: manifests, probes } = icmpEssentialsScenario({ dualStack: false });
  const c = compile(manifests, options(), undefined, { allowIcmpEssentials: true });
  // The profile adds no diagnostic (the scenario's ipBlock around the nodes has its own).
  expect(notInfo(c)).toEqual(notInfo(compile(manifests)));
  // TCP to a node passes c's ipBlock in Kubernetes; Cilium's CIDR rules never match node addresses
  // and the warning node-entities-withheld says so (narrower). The profile's ICMP rule has no peer:
  // it reaches the nodes too.
  const nodeTcp = (p: (typeof probes)[number]): boolean => p.protocol === 'TCP' && /^[\d.]+$/.test(p.to);
  expect(notInfo(c)).toContain('backend-cilium/node-entities-withheld');
  expect(probes.map((p) => c.evaluator.allowed({ src: probeEndpoint(p.from), dst: probeEndpoint(p.to), protocol: p.protocol, port: p.port }))).toEqual(probes.map((p) => p.expected && !nodeTcp(p)));
  for (const o of c.objects) {
    for (const d of ['ingress', 'egress'] as const) {
      const rules = o.spec[d] ?? [];
      const icmp = rules.filter((r) => r.icmps !== undefined);
      // Exactly one, with no L3 field, in each direction the policy isolates.
      expect(icmp.map((r) => Object.keys(r)), `${o.metadata.name} ${d}`).toEqual(rules.length > 0 ? [['icmps']] : []);
      // kube-router's types, written out by hand: no other type is admitted by the profile.
      const fields = icmp.flatMap((r) => r.icmps!.flatMap((i) => i.fields.map((f) => `${f.family}/${f.type}`)));
      expect(fields, `${o.metadata.name} ${d}`).toEqual(rules.length > 0 ? essentialFields : []);
    }
  }
  const old = compile(manifests, options({ 'cilium-version': '1.11' }), undefined, { allowIcmpEssentials: true });
  expect(old.diagnostics.map((d) => [d.code, d.severity])).toContainEqual(['backend-cilium/icmp-rules-unsupported', 'warning']);
  expect(old.objects.flatMap((o) => [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]).filter((r) => r.icmps !== undefined)).toEqual([]);
});
