// `--cluster-name`: in a ClusterMesh, peer selectors name the local cluster, so that the other
// clusters' pods (external addresses to Kubernetes) are never admitted by a pod or namespace
// peer. Checked with the Cilium evaluator, which knows a second cluster's pods as endpoints.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { evaluate, hasErrors, resolve, type Connection, type Endpoint } from '@netpolc/ir';
import { clusterArb, loadManifests, namespace, networkPolicy, node, pod, policiesArb, propertyParams, type Manifest } from '@netpolc/ir/testing';
import { lowerProgram } from '../src/lower.js';
import { CiliumEvaluator, defaultEvalOptions } from './support/cilium-eval.js';
import { codes, compile, disagreements, options } from './support/harness.js';

/** The same cluster's pods at other addresses, as a second cluster of the mesh would run them. */
function remoteCopy(manifests: readonly Manifest[]): Manifest[] {
  const moved = (text: string): string => text.replaceAll('198.18.0.', '198.18.2.').replaceAll('198.18.1.', '198.18.3.').replaceAll('2001:db8::', '2001:db8::1:');
  return manifests.filter((m) => m['kind'] !== 'Node' && m['kind'] !== 'NetworkPolicy').map((m) => JSON.parse(moved(JSON.stringify(m))) as Manifest);
}

const local: Manifest[] = [
  namespace('shop', { team: 'a' }),
  node('node-1', '198.19.0.1'),
  pod('shop', 'web', { app: 'web' }, '198.18.0.10', { node: 'node-1' }),
  pod('shop', 'api', { app: 'api' }, '198.18.0.11', { node: 'node-1' }),
  networkPolicy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
];
const remoteWeb: Endpoint = { kind: 'ip', ip: '198.18.2.10' };
const api: Endpoint = { kind: 'pod', namespace: 'shop', name: 'api' };
const fromRemoteWeb: Connection = { src: remoteWeb, dst: api, protocol: 'TCP', port: 80 };

it('keeps same-labelled pods of the other clusters out of peer selectors when given the cluster name', () => {
  const remote = { program: loadManifests(remoteCopy(local)).program, clusterName: 'east' };
  // Kubernetes sees the other cluster's web pod as an external address: denied.
  const ref = evaluate(loadManifests(local).program, fromRemoteWeb);
  expect('error' in ref ? ref.error : ref.allowed).toBe(false);
  // Without the name, Cilium up to 1.18 admits it (the documented limit the flag removes).
  const open = compile(local, options(), { ...defaultEvalOptions, clusterName: 'west', remote });
  expect(open.evaluator.allowed(fromRemoteWeb)).toBe(true);
  const scoped = compile(local, options({ 'cluster-name': 'west' }), { ...defaultEvalOptions, clusterName: 'west', remote });
  expect(scoped.evaluator.allowed(fromRemoteWeb)).toBe(false);
  expect(scoped.evaluator.allowed({ ...fromRemoteWeb, src: { kind: 'pod', namespace: 'shop', name: 'web' } })).toBe(true);
  expect(scoped.objects[0]!.spec.ingress![0]!.fromEndpoints).toEqual([
    { matchLabels: { 'k8s:app': 'web', 'k8s:io.cilium.k8s.policy.cluster': 'west', 'k8s:io.kubernetes.pod.namespace': 'shop' } },
  ]);
  expect(disagreements(scoped)).toEqual([]);
});

it('refuses a cluster name Cilium would refuse', () => {
  for (const bad of ['West', '-west', 'west-', 'a'.repeat(33), 'we_st', '']) {
    expect(() => options({ 'cluster-name': bad }), bad).toThrow(/cluster-name/);
  }
  expect(options({ 'cluster-name': 'a'.repeat(32) }).clusterName).toBe('a'.repeat(32));
});

it('adds no node entities for an ipBlock short of whole families: remote-node holds every cluster of the mesh', () => {
  const manifests: Manifest[] = [
    ...local.slice(0, 4),
    networkPolicy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.19.0.0/16' } }] }] }),
  ];
  const single = compile(manifests, options({ 'node-entities': true }));
  expect(single.objects[0]!.spec.ingress!.some((r) => r.fromEntities?.includes('remote-node'))).toBe(true);
  const mesh = compile(manifests, options({ 'cluster-name': 'west', 'node-entities': true }));
  expect(mesh.objects[0]!.spec.ingress!.some((r) => r.fromEntities !== undefined)).toBe(false);
  expect(codes(mesh.diagnostics)).toContain('backend-cilium/ipblock-nodes-unknown');
  const whole = compile([...manifests.slice(0, 4), networkPolicy('shop', 'api', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })], options({ 'cluster-name': 'west' }));
  expect(whole.objects[0]!.spec.ingress!.some((r) => r.fromEntities?.includes('remote-node'))).toBe(true);
});

it('never admits another cluster\'s pod that Kubernetes denies, and stays exact inside the cluster', () => {
  let remoteChecks = 0;
  fc.assert(
    fc.property(clusterArb({}), policiesArb(), (cluster, policies) => {
      const loaded = loadManifests([...cluster.manifests, ...policies]);
      fc.pre(!hasErrors(loaded.diagnostics));
      const program = loaded.program;
      const lowered = lowerProgram({ program, resolved: resolve(program) }, options({ 'cluster-name': 'west' }));
      const remoteProgram = loadManifests(remoteCopy(cluster.manifests)).program;
      const objects = lowered.policies.map((p) => p.object);
      const evaluator = new CiliumEvaluator(program, objects, { ...defaultEvalOptions, clusterName: 'west', remote: { program: remoteProgram, clusterName: 'east' } });
      const remoteIps = remoteProgram.inventory.pods.filter((p) => p.actionable).flatMap((p) => p.addresses.map((a) => a.ip));
      const localPods = program.inventory.pods.filter((p) => p.actionable);
      for (const p of localPods) {
        for (const ip of remoteIps) {
          for (const [protocol, port] of [['TCP', 80], ['UDP', 53], ['SCTP', 81]] as const) {
            const self: Endpoint = { kind: 'pod', namespace: p.namespace, name: p.name };
            for (const conn of [{ src: { kind: 'ip', ip } as Endpoint, dst: self, protocol, port }, { src: self, dst: { kind: 'ip', ip } as Endpoint, protocol, port }]) {
              const ref = evaluate(program, conn);
              const got = evaluator.allowed(conn);
              if ('error' in ref || got === undefined) continue;
              remoteChecks++;
              if (got && !ref.allowed) expect.fail(`Cilium admits ${JSON.stringify(conn)} from another cluster; Kubernetes denies it`);
            }
          }
        }
      }
      if (!hasErrors(lowered.diagnostics)) {
        const exact = disagreements({ loaded, objects, policies: lowered.policies, diagnostics: lowered.diagnostics, evaluator });
        const nodeNarrowed = lowered.diagnostics.some((d) => ['backend-cilium/ipblock-covers-nodes', 'backend-cilium/ipblock-nodes-unknown', 'backend-cilium/node-entities-withheld'].includes(d.code));
        if (!nodeNarrowed) expect(exact).toEqual([]);
      }
    }),
    propertyParams(60),
  );
  expect(remoteChecks).toBeGreaterThan(100);
});
