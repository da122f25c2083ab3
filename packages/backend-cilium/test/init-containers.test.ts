// Named ports of init containers. Kubernetes resolves names on containers and native sidecars
// (restartPolicy: Always; kubernetes/kubernetes#127958); Cilium on spec.containers only
// (pkg/k8s/labels.go GetPodMetadata, pkg/k8s/watchers/pod.go updatePodHostData). So a plain
// init container's name resolves nowhere, as in Kubernetes (unlike Calico, calico#8885), and a
// sidecar's name resolves in Kubernetes but not in Cilium.
import { expect, it } from 'vitest';
import { resolve, type Connection } from '@netpolc/ir';
import { loadValid, namespace, networkPolicy, pod, type Manifest } from '@netpolc/ir/testing';
import { lowerProgram } from '../src/lower.js';
import type { CiliumPolicy } from '../src/model.js';
import { CiliumEvaluator } from './support/cilium-eval.js';
import { codes, compile, disagreements, options } from './support/harness.js';

/** A pod manifest with init containers added to its spec. */
function withInit(m: Manifest, initContainers: Record<string, unknown>[]): Manifest {
  return { ...m, spec: { ...(m['spec'] as Record<string, unknown>), initContainers } };
}

const plainInit = { name: 'migrate', image: 'i', ports: [{ name: 'metrics', containerPort: 80 }] };
const sidecar = { name: 'proxy', image: 'i', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 80 }] };
const server = (init: Record<string, unknown>) => withInit(pod('x', 'server', { app: 'server' }, '198.18.0.20', { ports: [['web', 8080, 'TCP']] }), [init]);
const cluster = (init: Record<string, unknown>): Manifest[] => [namespace('x'), pod('x', 'client', { app: 'client' }, '198.18.0.10'), server(init)];
const ingressNamed = networkPolicy('x', 'in', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'metrics' }, { port: 'web' }] }] });
const egressNamed = networkPolicy('x', 'out', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 'metrics' }, { port: 'web' }] }] });
const toServer = (port: number): Connection => ({ src: { kind: 'pod', namespace: 'x', name: 'client', ip: '198.18.0.10' }, dst: { kind: 'pod', namespace: 'x', name: 'server', ip: '198.18.0.20' }, protocol: 'TCP', port });

it("leaves plain init containers' names unresolved, as Kubernetes does: nothing to refuse, unlike Calico", () => {
  const c = compile([...cluster(plainInit), ingressNamed, egressNamed]);
  // The premise: the IR keeps the init container's name apart, out of Pod.ports.
  const srv = c.loaded.program.inventory.pods.find((p) => p.name === 'server')!;
  expect(srv.initPorts).toEqual([{ name: 'metrics', port: 80, protocol: 'TCP' }]);
  expect(srv.ports.map((p) => p.name)).toEqual(['web']);
  expect(codes(c.diagnostics)).toEqual([]);
  // Ingress keeps the name (Cilium finds it on no container of the pod, as Kubernetes); egress
  // resolves it on the destination pods' containers, where no pod has it.
  expect(c.objects[0]!.spec.ingress![0]!.toPorts).toEqual([{ ports: [{ port: 'metrics', protocol: 'TCP' }, { port: 'web', protocol: 'TCP' }] }]);
  expect(c.evaluator.allowed(toServer(80))).toBe(false);
  expect(c.evaluator.allowed(toServer(8080))).toBe(true);
  expect(disagreements(c)).toEqual([]);
});

it("warns when an ingress name is declared on a native sidecar, which Cilium does not read (narrower, never wider)", () => {
  // Old code: no diagnostic, and the report said "translated one to one".
  const c = compile([...cluster(sidecar), ingressNamed]);
  expect(codes(c.diagnostics)).toEqual(['backend-cilium/sidecar-named-port']);
  const d = c.diagnostics[0]!;
  expect(d.severity).toBe('warning');
  expect(d.target.kind).toBe('ref');
  expect(d.message).toContain('pod x/server (container proxy)');
  expect(c.policies[0]!.notes.join('\n')).toContain('sidecar');
  // The name is still written: it resolves on pods that declare it on a container.
  expect(c.objects[0]!.spec.ingress![0]!.toPorts![0]!.ports).toContainEqual({ port: 'metrics', protocol: 'TCP' });
  // Kubernetes allows the sidecar's port, Cilium does not; nothing else differs.
  expect(disagreements(c)).toEqual(['x/client -> x/server TCP/80: kubernetes true, cilium false']);
});

it('warns only for the policy whose pods declare the name on a sidecar', () => {
  const other = pod('x', 'plain', { app: 'plain' }, '198.18.0.30', { ports: [['metrics', 80, 'TCP']] });
  const toPlain = networkPolicy('x', 'plain', { podSelector: { matchLabels: { app: 'plain' } }, ingress: [{ ports: [{ port: 'metrics' }] }] });
  const c = compile([...cluster(sidecar), other, toPlain]);
  expect(codes(c.diagnostics)).toEqual([]);
  expect(disagreements(c)).toEqual([]);
});

it('resolves egress names declared on sidecars into numbers, which Cilium enforces as Kubernetes does', () => {
  const c = compile([...cluster(sidecar), egressNamed]);
  expect(codes(c.diagnostics)).toEqual([]);
  expect(c.objects[0]!.spec.egress!.flatMap((r) => r.toPorts ?? []).flatMap((r) => r.ports)).toContainEqual({ port: '80', protocol: 'TCP' });
  expect(disagreements(c)).toEqual([]);
});

it('evaluator: Cilium resolves names on spec.containers only, for ingress and for the cluster-wide egress map', () => {
  const manifests = [...cluster(sidecar), pod('x', 'other', { app: 'other' }, '198.18.0.30', { ports: [['web', 8080, 'TCP']] })];
  const program = loadValid(manifests).program;
  const selector = (app: string) => ({ matchLabels: { 'k8s:app': app } });
  const named = { toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' as const }, { port: 'web', protocol: 'TCP' as const }] }] };
  const cnp = (name: string, spec: CiliumPolicy['spec']): CiliumPolicy => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'x' }, spec });
  const ingress = new CiliumEvaluator(program, [cnp('in', { endpointSelector: selector('server'), ingress: [{ fromEntities: ['all'], ...named }] })]);
  expect(ingress.allowed(toServer(80))).toBe(false);
  expect(ingress.allowed(toServer(8080))).toBe(true);
  const egress = new CiliumEvaluator(program, [cnp('out', { endpointSelector: selector('client'), egress: [{ toEntities: ['all'], ...named }] })]);
  expect(egress.allowed(toServer(80))).toBe(false);
  expect(egress.allowed(toServer(8080))).toBe(true);
});

it('warns about sidecar names straight from the loader (Pod.sidecarPorts)', () => {
  const program = loadValid([...cluster(sidecar), ingressNamed]).program;
  const lowered = lowerProgram({ program, resolved: resolve(program) }, options());
  expect(codes(lowered.diagnostics)).toEqual(['backend-cilium/sidecar-named-port']);
});
