// Builders for the inventory-audit tests: raw objects as `kubectl get ns,pods,nodes -A -o yaml|json`
// prints them (a `kind: List` with `metadata: {resourceVersion: ""}`), loaded through the real
// loader, and short views of what the loader made of them.
import { allowedResolved, evaluate, loadProgram, resolve, type Connection, type Diagnostic, type LoadResult, type Program } from '../../src/index.js';

export type Obj = Record<string, unknown>;

/** A List as kubectl prints it. */
export const kubectlList = (items: readonly Obj[] | null): Obj => ({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } });

/** Loads texts (path -> content) through the real loader. */
export function loadTexts(files: Record<string, string | Uint8Array>): LoadResult {
  return loadProgram(Object.entries(files).map(([path, content]) => ({ path, content })));
}

/** Loads objects as one kubectl JSON List. */
export function loadObjects(objects: readonly Obj[]): LoadResult {
  return loadTexts({ 'cluster.json': JSON.stringify(kubectlList(objects)) });
}

export const nsObj = (name: string, labels?: Record<string, string>): Obj => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

/** A Node with `status.addresses` given as [type, address] pairs. */
export const nodeObj = (name: string, addresses: readonly (readonly [string, string])[]): Obj => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { addresses: addresses.map(([type, address]) => ({ address, type })) },
});

export interface RawPod {
  ns?: string;
  labels?: Record<string, string>;
  node?: string;
  /** Extra metadata fields (deletionTimestamp, annotations). */
  meta?: Obj;
  /** Extra spec fields (hostNetwork, containers, initContainers...). */
  spec?: Obj;
  /** The whole status (phase, podIP, podIPs). */
  status?: Obj;
}

/** A Pod as the API prints it; without `status` it is Running with no IP. */
export function podObj(name: string, p: RawPod = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: p.ns ?? 'prod', labels: p.labels ?? { app: name }, ...(p.meta ?? {}) },
    spec: { containers: [{ name: 'main', image: 'img' }], ...(p.node !== undefined ? { nodeName: p.node } : {}), ...(p.spec ?? {}) },
    status: p.status ?? { phase: 'Running' },
  };
}

/** status with podIP = first address and podIPs = all, as the kubelet writes it. */
export const running = (...ips: string[]): Obj => ({ phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) });

export const denyAllIngress = (ns: string): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-all', namespace: ns },
  spec: { podSelector: {} },
});

export const policyObj = (ns: string, name: string, spec: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

/** `code message` of each diagnostic. */
export const codes = (r: LoadResult, severity?: Diagnostic['severity']): string[] =>
  r.diagnostics.filter((d) => severity === undefined || d.severity === severity).map((d) => d.code);

/** The pod's canonical addresses (undefined when the pod is not in the inventory). */
export function addressesOf(r: LoadResult, ns: string, name: string): string[] | undefined {
  return r.program.inventory.pods.find((p) => p.namespace === ns && p.name === name)?.addresses.map((a) => a.ip);
}

export function actionable(r: LoadResult, ns: string, name: string): boolean | undefined {
  return r.program.inventory.pods.find((p) => p.namespace === ns && p.name === name)?.actionable;
}

/** The reference verdict of a TCP connection; throws on an evaluation error. */
export function allowed(program: Program, src: Connection['src'], dst: Connection['dst'], port: number): boolean {
  const conn: Connection = { src, dst, protocol: 'TCP', port };
  const v = evaluate(program, conn);
  if ('error' in v) throw new Error(v.error);
  // The resolved layer (matrix, diff, backends) must decide alike.
  if (allowedResolved(resolve(program), conn) !== v.allowed) throw new Error(`the resolved layer disagrees with evaluate() on ${JSON.stringify(conn)}`);
  return v.allowed;
}

export const ip = (address: string): Connection['src'] => ({ kind: 'ip', ip: address });
export const podRef = (namespace: string, name: string): Connection['src'] => ({ kind: 'pod', namespace, name });
