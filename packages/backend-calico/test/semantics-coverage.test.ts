// Rules of semantics.md §1-§3 and §5.3 that no other Calico test pins by name, each checked on
// the emitted YAML read back (harness.emit), against the reference evaluator through the Calico
// evaluator (upstreamMismatches), and against the CRD schemas.
import { evaluate, type Program, type Protocol } from '@netpolc/ir';
import { icmpEssentialsScenario, icmpScenario, namedPortCluster, networkPolicy, node, pod, probeEndpoint, yaml11Namespaces, yaml11Objects, yaml11Values } from '@netpolc/ir/testing';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/lower.js';
import { parseOptions } from '../src/options.js';
import { printSelector } from '../src/selector.js';
import { calicoVerdicts, emit, load, upstreamMismatches } from './support/harness.js';
import { crdValidators, schemaErrors, schemasAvailable, semanticProblems } from './support/schema.js';

const ports: readonly (readonly [Protocol, number])[] = [['TCP', 80], ['TCP', 8080], ['UDP', 53], ['SCTP', 80], ['SCTP', 9000]];
const modes = [{}, { tier: 'netpolc', log: 'denied' }] as const;

const cluster = namedPortCluster();

/** The Calico evaluator over the emitted objects agrees with the reference evaluator, in both modes. */
function agrees(program: Program): void {
  for (const raw of modes) expect(upstreamMismatches(program, raw, ports), JSON.stringify(raw)).toEqual([]);
}

it('§5.3 types is always written, and policyTypes wins over the rules present (Calico defaults types to Egress-only)', () => {
  const program = load([
    ...cluster,
    networkPolicy('x', 'eg', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] }),
    // Egress rules without Egress in policyTypes are not enforced: types must stay [Ingress].
    networkPolicy('x', 'in', { podSelector: {}, policyTypes: ['Ingress'], egress: [{ to: [{ podSelector: {} }] }] }),
  ]);
  const { objects, text } = emit(program);
  const types = Object.fromEntries(objects.flatMap((o) => (o.kind === 'NetworkPolicy' ? [[o.metadata.name, o.spec.types]] : [])));
  expect(types).toEqual({ eg: ['Egress'], in: ['Ingress'] });
  expect(text.match(/^ {2}types:$/gm)?.length).toBe(2);
  agrees(program);
});

it('§1.3 ingress: [] isolates with nothing allowed (types Ingress, no rules), ingress: [{}] allows everything', () => {
  const program = load([...cluster, networkPolicy('x', 'deny', { podSelector: { matchLabels: { app: 'a' } }, ingress: [] }), networkPolicy('x', 'allow', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{}] })]);
  const pols = emit(program).objects.filter((o) => o.kind === 'NetworkPolicy');
  expect(pols.map((p) => [p.metadata.name, p.kind === 'NetworkPolicy' && p.spec.types, p.kind === 'NetworkPolicy' && p.spec.ingress])).toEqual([
    ['allow', ['Ingress'], [{ action: 'Allow' }]],
    ['deny', ['Ingress'], undefined],
  ]);
  agrees(program);
});

it('§3 ICMP knob: a rule without ports has no protocol (every protocol, ICMP too); a rule with ports always names its protocol', () => {
  const program = load([...cluster, networkPolicy('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }, { from: [{ podSelector: {} }], ports: [{ port: 80 }, { protocol: 'UDP' }] }] })]);
  const np = emit(program).objects.find((o) => o.kind === 'NetworkPolicy')!;
  const rules = np.kind === 'NetworkPolicy' ? np.spec.ingress! : [];
  expect(rules.map((r) => r.protocol)).toEqual([undefined, 'TCP', 'UDP']);
  agrees(program);
});

it('§2.3 SCTP named ports: Felix resolves names under the rule protocol, SCTP included (felix/calc/rule_scanner.go ruleToParsedRule)', () => {
  const policies = [
    networkPolicy('x', 'in', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 'sig' }] }] }),
    networkPolicy('y', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'SCTP', port: 'sig' }] }] }),
  ];
  const program = load([...cluster, ...policies]);
  const rules = emit(program).objects.flatMap((o) => (o.kind === 'NetworkPolicy' ? [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])] : []));
  expect(rules.map((r) => [r.protocol, r.destination?.ports])).toEqual([
    ['SCTP', [{ kind: 'named', name: 'sig' }]],
    ['SCTP', [{ kind: 'named', name: 'sig' }]],
  ]);
  agrees(program);
});

it('§2.3 egress named port towards an ipBlock: resolved on the pods inside it only, never on outside addresses or host endpoints', () => {
  const policies = [networkPolicy('y', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['198.18.0.11/32'] } }], ports: [{ port: 'web' }] }] })];
  const program = load([...cluster, ...policies]);
  const egress = emit(program).objects.flatMap((o) => (o.kind === 'NetworkPolicy' ? (o.spec.egress ?? []) : []));
  expect(egress).toHaveLength(1);
  const d = egress[0]!.destination!;
  expect([d.nets, d.notNets, d.namespaceSelector && printSelector(d.namespaceSelector), d.selector && printSelector(d.selector)]).toEqual([['0.0.0.0/0'], ['198.18.0.11/32'], 'all()', "projectcalico.org/orchestrator == 'k8s'"]);
  agrees(program);
});

it('§2.2 namespaceSelector on kubernetes.io/metadata.name NotIn / DoesNotExist, and NotIn on a pod label (missing key matches)', () => {
  const policies = [
    networkPolicy('x', 'p1', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] } }] }] }),
    networkPolicy('x', 'p2', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'DoesNotExist' }] } }] }] }),
    networkPolicy('y', 'p3', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] } }] }] }),
  ];
  const program = load([...cluster, ...policies]);
  agrees(program);
  const sels = emit(program).objects.flatMap((o) => (o.kind === 'NetworkPolicy' ? (o.spec.ingress ?? []).map((r) => `${r.source?.namespaceSelector ? printSelector(r.source.namespaceSelector) : ''} | ${r.source?.selector ? printSelector(r.source.selector) : ''}`) : []));
  expect(sels).toEqual([
    "kubernetes.io/metadata.name not in {'x'} | projectcalico.org/orchestrator == 'k8s'",
    "!has(kubernetes.io/metadata.name) | projectcalico.org/orchestrator == 'k8s'",
    "all() | projectcalico.org/orchestrator == 'k8s' && tier not in {'db'}",
  ]);
});

it('§2.2 except is scoped to its own ipBlock: an address excepted by one peer and allowed by another stays allowed', () => {
  agrees(
    load([
      ...cluster,
      networkPolicy('x', 'p', {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.0/24'] } }, { ipBlock: { cidr: '198.18.1.8/29' } }] }],
        egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.0/24'] } }, { namespaceSelector: { matchLabels: { team: 'b' } } }] }],
        policyTypes: ['Ingress', 'Egress'],
      }),
    ]),
  );
});

it('YAML 1.1: namespace, label values and named ports that a YAML 1.1 reader would retype stay strings', () => {
  const { text } = emit(load(yaml11Objects()));
  const docs = text.split(/^---$/m).map((d) => parse(d, { version: '1.1' }) as { metadata: { namespace: string }; spec: { ingress: { destination: { ports: unknown[] } }[] } });
  expect(docs.map((d) => d.metadata.namespace)).toEqual([...yaml11Namespaces].sort());
  for (const d of docs) expect(d.spec.ingress[0]!.destination.ports).toEqual(['off', 'y']);
  // The selector text (a plain or quoted scalar) reads back unchanged, values included.
  for (const d of docs) expect((d.spec as unknown as { selector: string }).selector).toBe(`k in {${[...yaml11Values].sort().map((v) => `'${v}'`).join(', ')}}`);
});

it.skipIf(!schemasAvailable)('schema: the objects of this file validate against the Calico CRDs and validator.go checks', () => {
  const validators = crdValidators();
  const program = load([
    ...cluster,
    networkPolicy('x', 'a', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ protocol: 'SCTP', port: 'sig' }, { port: 80, endPort: 90 }] }], egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['2001:db8::/32'] } }], ports: [{ port: 'web' }] }] }),
  ]);
  for (const raw of [{}, { tier: 'netpolc', log: 'all' }, { audit: true }]) {
    const objects = lowerProgram(program, parseOptions(raw).options).objects;
    expect([...objects.flatMap((o) => schemaErrors(validators, o)), ...semanticProblems(objects)]).toEqual([]);
  }
});

it('§2.1/§2.5 hostNetwork pods are never selector peers (only ipBlocks reach them); node-local ingress and pod-to-itself stay allowed under deny-all', () => {
  const hostPods = [node('n2', '198.19.0.2'), pod('x', 'h', { app: 'a' }, '198.19.0.2', { node: 'n2', hostNetwork: true })];
  const policies = [
    networkPolicy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('y', 'sel', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'a' } } }] }] }),
    networkPolicy('y', 'blk', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.19.0.2/32' } }] }] }),
  ];
  const program = load([...cluster, ...hostPods, ...policies]);
  agrees(program);
  // upstreamMismatches probes node n only: the hostNetwork pod's address (node n2) is probed here.
  const calico = calicoVerdicts(program, emit(program).objects);
  const verdicts = (from: string, to: string): { kubernetes: boolean; calico: boolean | undefined } => {
    const conn = { src: probeEndpoint(from), dst: probeEndpoint(to), protocol: 'TCP', port: 80 } as const;
    const ref = evaluate(program, conn);
    if ('error' in ref) throw new Error(ref.error);
    return { kubernetes: ref.allowed, calico: calico(conn)?.allowed };
  };
  // x/h has app=a, but y's ingress selector does not admit it; y's ipBlock egress reaches it.
  expect(verdicts('198.19.0.2', 'y/c')).toEqual({ kubernetes: false, calico: false });
  expect(verdicts('y/c', '198.19.0.2')).toEqual({ kubernetes: true, calico: true });
  expect(verdicts('x/a', 'x/a')).toEqual({ kubernetes: true, calico: true });
  expect(verdicts('198.19.0.1', 'x/a')).toEqual({ kubernetes: true, calico: true });
  expect(verdicts('198.19.0.2', 'x/a')).toEqual({ kubernetes: false, calico: false });
});

it('§3 ICMP knob: icmp-essentials puts Allow rules for the ICMP types first in each direction of every translated policy, never in isolation policies, never logged; verdicts as the kernel tests probe them', () => {
  const { objects: manifests, probes } = icmpEssentialsScenario();
  const program = load(manifests, { semantics: { allowIcmpEssentials: true } });
  const types = ['ICMP/8', 'ICMP/3', 'ICMP/11', 'ICMPv6/128', 'ICMPv6/1', 'ICMPv6/3', 'ICMPv6/135', 'ICMPv6/136', 'ICMPv6/129'];
  for (const raw of [{}, { tier: 'netpolc', log: 'all' }]) {
    const { objects, diagnostics } = emit(program, raw);
    expect(diagnostics).toEqual([]);
    const calico = calicoVerdicts(program, objects);
    expect(probes.map((p) => calico({ src: probeEndpoint(p.from), dst: probeEndpoint(p.to), protocol: p.protocol, port: p.port })?.allowed), JSON.stringify(raw)).toEqual(probes.map((p) => p.expected));
    for (const o of objects) {
      if (o.kind !== 'NetworkPolicy') continue;
      const isolation = o.metadata.name.includes('netpolc-isolate-');
      for (const d of ['ingress', 'egress'] as const) {
        const rules = o.spec[d] ?? [];
        const icmp = rules.filter((r) => r.icmp).map((r) => `${r.action} ${r.protocol}/${r.icmp!.type}`);
        const typed = o.spec.types.includes(d === 'ingress' ? 'Ingress' : 'Egress');
        expect(icmp, `${o.metadata.name} ${d}`).toEqual(typed && !isolation ? types.map((t) => `Allow ${t}`) : []);
        // First: before any Log rule, so that they are never logged.
        if (icmp.length > 0) expect(rules.slice(0, types.length).every((r) => r.icmp !== undefined), `${o.metadata.name} ${d}`).toBe(true);
      }
    }
  }
  // Without the knob the same echo requests follow the rules without ports only.
  const plain = load(manifests);
  const calico = calicoVerdicts(plain, emit(plain).objects);
  expect(icmpScenario().probes.map((p) => calico({ src: probeEndpoint(p.from), dst: probeEndpoint(p.to), protocol: 'ICMP', port: 0 })?.allowed)).toEqual(icmpScenario().probes.map((p) => p.expected));
  if (schemasAvailable) {
    const validators = crdValidators();
    const objects = lowerProgram(program, parseOptions({ tier: 'netpolc', log: 'all' }).options).objects;
    expect([...objects.flatMap((o) => schemaErrors(validators, o)), ...semanticProblems(objects)]).toEqual([]);
  }
});
