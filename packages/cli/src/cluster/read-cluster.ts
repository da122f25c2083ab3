import { count } from '../count.js';
import type { Io } from '../io.js';
import { ApiClient, type ListTarget } from './api-client.js';
import { ClusterError } from './errors.js';
import { locateConfig, resolveConfig, serviceAccountDir, type ClientLibrary } from './kubeconfig.js';
import type { ClusterOptions } from './options.js';
import { Progress } from './progress.js';
import { compareObjects, slimObject, type ClusterObject, type ObjectKind } from './slim.js';

/** What was read from a cluster. */
export interface ClusterRead {
  /** The kubeconfig context (`in-cluster` inside a pod). */
  readonly context: string;
  /** API server URL. */
  readonly server: string;
  /** Namespaces pods and NetworkPolicies were limited to; empty for all. */
  readonly namespaces: readonly string[];
  /** Every object, reduced to what netpolc reads, sorted by kind, namespace and name. */
  readonly objects: readonly ClusterObject[];
}

/** Test seams; the CLI passes none. */
export interface ReadOverrides {
  /** Where the service account is mounted (in-cluster configuration). */
  readonly serviceAccountDir?: string;
}

let library: Promise<ClientLibrary> | undefined;

/**
 * Loads @kubernetes/client-node on first use only: its import takes about a second
 * (toolchain.md §4), which commands that do not read a cluster must not pay.
 */
export function loadClientLibrary(): Promise<ClientLibrary> {
  library ??= import('@kubernetes/client-node').catch((err: unknown) => {
    library = undefined;
    throw new ClusterError(`cannot load @kubernetes/client-node: ${(err as Error).message}`, { cause: err });
  });
  return library;
}

function targets(namespaces: readonly string[], limit: NonNullable<ClusterOptions['namespaceLimit']>): { kind: ObjectKind; target: ListTarget }[] {
  const core = (resource: string): ListTarget => ({ resource, group: '', path: `/api/v1/${resource}` });
  const net = (namespace?: string): ListTarget => {
    const group = 'networking.k8s.io';
    return namespace
      ? { resource: 'networkpolicies', group, path: `/apis/${group}/v1/namespaces/${namespace}/networkpolicies`, namespace }
      : { resource: 'networkpolicies', group, path: `/apis/${group}/v1/networkpolicies` };
  };
  const scoped = namespaces.length === 0 || limit === 'none' ? [undefined] : namespaces;
  // Small lists first, so a missing permission shows before 150k pods were read.
  return [
    { kind: 'Namespace', target: core('namespaces') },
    { kind: 'Node', target: core('nodes') },
    ...scoped.map((ns) => ({ kind: 'NetworkPolicy' as const, target: net(ns) })),
    { kind: 'Service' as const, target: core('services') },
    { kind: 'Pod' as const, target: core('pods') },
  ];
}

function summary(counts: Record<ObjectKind, number>): string {
  const services = counts.Service > 0 ? `, ${count(counts.Service, 'Service')}` : '';
  return `${count(counts.Namespace, 'namespace')}, ${count(counts.Node, 'node')}, ${count(counts.Pod, 'pod')}${services}, ${count(counts.NetworkPolicy, 'NetworkPolicy', 'NetworkPolicies')}`;
}

/**
 * Reads namespaces, nodes, pods, Services and NetworkPolicies (policies of `--namespace` only,
 * when given, as `namespaceLimit` says; namespaces, nodes, pods and Services always whole, since namespaceSelectors match namespace labels
 * and node addresses decide node-local traffic). Throws {@link ClusterError} for every problem
 * reaching or reading the cluster.
 */
export async function readCluster(options: ClusterOptions, io: Io, overrides: ReadOverrides = {}): Promise<ClusterRead> {
  const started = performance.now();
  // Locating the configuration needs no library: a missing kubeconfig fails without the import.
  const source = locateConfig(options, io, overrides.serviceAccountDir ?? serviceAccountDir);
  const lib = await loadClientLibrary();
  const config = resolveConfig(lib, source, options, io.env);
  const client = new ApiClient(config, { timeoutMs: options.requestTimeoutMs, pageSize: options.pageSize }, io);
  await client.authenticate();
  const progress = new Progress(io.stderr);
  const counts: Record<ObjectKind, number> = { Namespace: 0, Node: 0, Pod: 0, Service: 0, NetworkPolicy: 0 };
  const objects: ClusterObject[] = [];
  const warnings: string[] = [];
  const limit = options.namespaceLimit ?? 'policies';
  try {
    let servicesOff = false;
    for (const { kind, target } of targets(options.namespaces, limit)) {
      if (kind === 'Service' && servicesOff) continue;
      progress.update(`reading context ${config.context}: ${summary(counts)}…`, true);
      const before = objects.length;
      try {
        await client.list(
          target,
          (items) => {
            for (const item of items) {
              const o = slimObject(kind, item);
              if (!o) continue;
              objects.push(o);
              counts[kind]++;
            }
            progress.update(`reading context ${config.context}: ${summary(counts)}…`);
          },
          () => {
            counts[kind] -= objects.length - before;
            objects.length = before;
          },
        );
      } catch (err) {
        // Services only feed lint warnings: a role without them (the minimal one of older
        // releases) still reads everything that decides a verdict.
        if (err instanceof ClusterError && (err.status === 403 || err.status === 404) && kind === 'Service') {
          servicesOff = true;
          warnings.push(`context "${config.context}" (${config.server}) does not let netpolc list ${target.path} (${err.status}): no warnings about policies written against Services (ir/service-port, ir/service-cluster-ip, ir/service-masquerade)`);
          continue;
        }
        // Every API server serves nodes; a stand-in that does not (404) still has pods and
        // policies worth reading. Without nodes, node addresses are unknown, as with files.
        if (!(err instanceof ClusterError && err.status === 404 && kind === 'Node')) throw err;
        warnings.push(`context "${config.context}" (${config.server}) does not serve /api/v1/nodes (404): node addresses are unknown`);
      }
    }
  } finally {
    progress.clear();
  }
  const known = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.name));
  const missing = options.namespaces.filter((ns) => !known.has(ns));
  if (missing.length > 0) {
    throw new ClusterError(`namespace${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (--namespace) do${missing.length > 1 ? '' : 'es'} not exist in context "${config.context}" (${config.server})`);
  }
  for (const w of warnings) io.stderr.write(`netpolc: warning: ${w}\n`);
  if (options.verbose || io.stderr.isTTY === true) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const scope = options.namespaces.length > 0 && limit !== 'none' ? ` (NetworkPolicies of ${options.namespaces.join(', ')})` : '';
    io.stderr.write(`netpolc: read ${summary(counts)}${scope} from context "${config.context}" (${config.server}) in ${seconds} s\n`);
  }
  objects.sort(compareObjects);
  return { context: config.context, server: config.server, namespaces: options.namespaces, objects };
}
