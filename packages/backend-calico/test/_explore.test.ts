import { it } from 'vitest';
import { networkPolicy as np, namespace, pod } from '@netpolc/ir/testing';
import { allConnections, allModes, buildCluster, compile, load, referenceOf, runProgram, trapObjects, rawOptions } from './support/independent/compare.js';
import { model } from './support/independent/scenarios.js';
const sel = (l: Record<string,string>) => ({ matchLabels: l });
function initPod(ns: string, name: string, labels: Record<string,string>, ip: string, initPorts: [string, number, string][], sidecar = false) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { nodeName: 'node-2', initContainers: [{ name: 'init', image: 'i', ...(sidecar ? { restartPolicy: 'Always' } : {}), ports: initPorts.map(([n, p, pr]) => ({ name: n, containerPort: p, protocol: pr })) }], containers: [{ name: 'main', image: 'm' }] }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } };
}
const cases: [string, any[], any[]][] = [
  ['init named port', [initPod('x', 'init', { pod: 'i' }, '198.18.0.50', [['serve-80-tcp', 8080, 'TCP']])], [np('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })]],
  ['sidecar named port', [initPod('x', 'side', { pod: 's' }, '198.18.0.51', [['side-port', 80, 'TCP']], true)], [np('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'side-port' }] }] }), np('y', 'e', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'side-port' }] }] })]],
  ['pcns label on pod', [pod('x', 'shadow', { pod: 'd', 'pcns.ns': 'y' }, '198.18.0.52', { node: 'node-1' })], [np('z', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] })]],
  ['calico-owned key', [], [np('x', 'p', { podSelector: { matchExpressions: [{ key: 'projectcalico.org/namespace', operator: 'DoesNotExist' }] }, policyTypes: ['Ingress'] })]],
  ['calico-owned key in peer', [], [np('x', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'projectcalico.org/orchestrator', operator: 'Exists' }] } }] }] })]],
  ['projectcalico.org/name ns', [], [np('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'projectcalico.org/name', operator: 'DoesNotExist' }] } }] }] })]],
  ['user policy named like isolation', [], [np('x', 'netpolc-isolate-ingress', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] }), np('x', 'other', { podSelector: sel({ pod: 'c' }), ingress: [] })]],
  ['empty label value', [pod('x', 'empty', { pod: '' , tier: ''}, '198.18.0.53', { node: 'node-2' })], [np('x', 'p', { podSelector: sel({ pod: '' }), ingress: [{ from: [{ podSelector: sel({ tier: '' }) }, { podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['', 'c'] }] } }] }] })]],
  ['300 excepts', [], [np('x', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/16', except: Array.from({ length: 300 }, (_, i) => `198.18.${Math.floor(i / 8)}.${(i % 8) * 32 + 10}/32`) } }] }] })]],
  ['many subjects (long isolation OR)', [], Array.from({ length: 40 }, (_, i) => np('x', `p${i}`, { podSelector: { matchExpressions: [{ key: `key-number-${i}-with-a-long-name.example.com/label`, operator: 'NotIn', values: ['value-number-one-that-is-long', 'value-number-two-that-is-long', `v${i}`] }] }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] }))],
  ['long selector', [], [np('x', 'p', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: Array.from({ length: 120 }, (_, i) => `value-${i}-xxxxxxxx`) }] }, ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] })]],
  ['hostNetwork pod', [pod('x', 'hn', { pod: 'a' }, '198.19.0.1', { node: 'node-1', hostNetwork: true })], [np('x', 'p', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'a' }) }] }] })]],
  ['many ports', [], [np('x', 'p', { podSelector: {}, ingress: [{ ports: Array.from({ length: 70 }, (_, i) => ({ port: 80 + i * 2 })) }] })]],
];
for (const [name, pods, pols] of cases) it(name, () => {
  const program = load([...model(), ...pods, ...pols]);
  if (!program) { console.log(name, 'LOAD ERROR'); return; }
  const conns = allConnections(program);
  const refs = referenceOf(program, conns);
  const cluster = buildCluster(program, trapObjects);
  for (const mode of [...allModes]) {
    try {
      const r = runProgram(program, mode, conns, refs, cluster);
      console.log(name, mode, r.compared, 'diag', r.compiled.diagnostics.map(d => `${d.severity}:${d.code}`).join(','), r.problems.length, r.problems.slice(0, 2).join('\n   '));
    } catch (e) { console.log(name, mode, 'THROW', (e as Error).message); }
  }
});
