import { hasErrors } from '../diagnostics/diagnostic.js';
import { loadProgram, type LoadOptions, type LoadResult } from '../lower/load.js';

/** A raw Kubernetes object, as a user would write it. */
export type Manifest = Record<string, unknown>;

/** A v1 Namespace manifest. */
export function namespace(name: string, labels: Record<string, string> = {}): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** Options of {@link pod}. */
export interface PodOptions {
  readonly node?: string;
  /** Container ports `[name, number, protocol]`. */
  readonly ports?: readonly (readonly [string, number, 'TCP' | 'UDP' | 'SCTP'])[];
  readonly phase?: string;
  readonly hostNetwork?: boolean;
}

/** A v1 Pod manifest with its IPs in `status.podIPs` (none: no status IPs). */
export function pod(ns: string, name: string, labels: Record<string, string>, ips: string | readonly string[], options: PodOptions = {}): Manifest {
  const list = typeof ips === 'string' ? [ips] : ips;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      ...(options.node ? { nodeName: options.node } : {}),
      ...(options.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        {
          name: 'main',
          image: 'registry.example/app:1',
          ports: (options.ports ?? []).map(([n, port, protocol]) => ({ name: n, containerPort: port, protocol })),
        },
      ],
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(list.length > 0 ? { podIP: list[0], podIPs: list.map((ip) => ({ ip })) } : {}),
    },
  };
}

/** A v1 Node manifest with InternalIP addresses. */
export function node(name: string, ips: string | readonly string[]): Manifest {
  const list = typeof ips === 'string' ? [ips] : ips;
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: list.map((address) => ({ type: 'InternalIP', address })) } };
}

/** A NetworkPolicy manifest; `spec` is taken as written (no defaulting here). */
export function networkPolicy(ns: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** Loads manifests through the real loader (as one JSON List document). */
export function loadManifests(objects: readonly Manifest[], options: LoadOptions = {}): LoadResult {
  return loadProgram([{ path: 'input.json', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }], options);
}

/** Loads manifests and fails loudly if they hold errors (for tests whose input must be valid). */
export function loadValid(objects: readonly Manifest[], options: LoadOptions = {}): LoadResult {
  const r = loadManifests(objects, options);
  if (hasErrors(r.diagnostics)) {
    throw new Error(`test input has errors: ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`).join('; ')}`);
  }
  return r;
}

/**
 * The upstream e2e model (kubernetes test/e2e/network/netpol, KEP-1611): namespaces x, y, z
 * labelled `ns`, pods a, b, c labelled `pod`, each serving ports 80 and 81 on TCP, UDP and SCTP
 * under the names `serve-<port>-<proto>`. Pod IPs are in 198.18.0.0/15.
 */
export function upstreamModel(labels: Record<string, Record<string, string>> = {}): Manifest[] {
  const out: Manifest[] = [];
  const ports: [string, number, 'TCP' | 'UDP' | 'SCTP'][] = [];
  for (const p of [80, 81]) for (const proto of ['TCP', 'UDP', 'SCTP'] as const) ports.push([`serve-${p}-${proto.toLowerCase()}`, p, proto]);
  out.push(node('node-1', '198.19.0.1'));
  ['x', 'y', 'z'].forEach((ns, i) => {
    out.push(namespace(ns, labels[ns] ?? { ns }));
    ['a', 'b', 'c'].forEach((p, j) => {
      out.push(pod(ns, p, labels[`${ns}/${p}`] ?? { pod: p }, `198.18.${i}.${j + 10}`, { node: 'node-1', ports }));
    });
  });
  return out;
}
