import { existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
import type { Io } from '../io.js';
import { ClusterError } from './errors.js';
import type { ClusterOptions } from './options.js';

/** The client library, loaded lazily by the caller (`typeof import(...)` is erased at runtime). */
export type ClientLibrary = typeof import('@kubernetes/client-node');

/** A kubeconfig reduced to the one context netpolc talks to. */
export interface ResolvedConfig {
  readonly kubeConfig: KubeConfig;
  readonly context: string;
  readonly cluster: string;
  /** API server URL without a trailing slash. */
  readonly server: string;
  /** Where the configuration came from, for messages: kubeconfig path(s) or the service account. */
  readonly origin: string;
}

/** Where the service account is mounted in a pod (client-go rest.InClusterConfig). */
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Where the configuration is, in kubectl's order (client-go clientcmd loading rules). */
export type ConfigSource = { kind: 'files'; files: string[]; shown: string } | { kind: 'in-cluster'; host: string; port: string; dir: string };

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Finds the kubeconfig files or the service account; needs no client library. */
export function locateConfig(options: ClusterOptions, io: Io, saDir = serviceAccountDir): ConfigSource {
  if (options.kubeconfig !== undefined) {
    const file = resolve(io.cwd, options.kubeconfig);
    if (!isFile(file)) throw new ClusterError(`cannot read the kubeconfig ${options.kubeconfig} (--kubeconfig): no such file`);
    return { kind: 'files', files: [file], shown: options.kubeconfig };
  }
  const env = io.env['KUBECONFIG'];
  if (env !== undefined && env !== '') {
    const listed = env.split(delimiter).filter((f) => f !== '');
    // Like kubectl, files of the list that do not exist are skipped; all missing is an error.
    const files = listed.map((f) => resolve(io.cwd, f)).filter(isFile);
    if (files.length === 0) throw new ClusterError(`cannot read the kubeconfig: KUBECONFIG=${env} names no existing file`);
    return { kind: 'files', files, shown: files.length === 1 ? files[0]! : `KUBECONFIG=${env}` };
  }
  const home = io.env['HOME'] ?? io.env['USERPROFILE'];
  const defaultFile = home ? join(home, '.kube', 'config') : undefined;
  if (defaultFile && isFile(defaultFile)) return { kind: 'files', files: [defaultFile], shown: defaultFile };
  const host = io.env['KUBERNETES_SERVICE_HOST'];
  const port = io.env['KUBERNETES_SERVICE_PORT'];
  if (host && port && existsSync(join(saDir, 'token'))) return { kind: 'in-cluster', host, port, dir: saDir };
  throw new ClusterError(
    `no kubeconfig: KUBECONFIG is not set, ${defaultFile ?? '~/.kube/config'} does not exist, and this is not a pod with a service account ` +
      `(KUBERNETES_SERVICE_HOST and ${join(saDir, 'token')}). Pass --kubeconfig FILE or set KUBECONFIG.`,
  );
}

interface Loaded {
  readonly clusters: Cluster[];
  readonly users: User[];
  readonly contexts: Context[];
  currentContext: string | undefined;
  /** The first entry the strict load rejected, reported if the selected context needs it. */
  invalid: string | undefined;
}

function loadFile(lib: ClientLibrary, file: string): KubeConfig & { invalid?: string } {
  const kc = new lib.KubeConfig();
  try {
    kc.loadFromFile(file);
    return kc;
  } catch (strictError) {
    const message = (strictError as Error).message.split('\n')[0] ?? '';
    try {
      kc.loadFromFile(file, { onInvalidEntry: 'filter' });
    } catch {
      throw new ClusterError(`cannot read the kubeconfig ${file}: ${message}`);
    }
    return Object.assign(kc, { invalid: `${file}: ${message}` });
  }
}

/** Merges kubeconfig files the way kubectl does: the first file to define a name wins. */
function mergeFiles(lib: ClientLibrary, files: readonly string[]): Loaded {
  const out: Loaded = { clusters: [], users: [], contexts: [], currentContext: undefined, invalid: undefined };
  for (const file of files) {
    const kc = loadFile(lib, file);
    out.invalid ??= kc.invalid;
    const add = <T extends { name: string }>(into: T[], items: readonly T[] | undefined): void => {
      for (const item of items ?? []) if (!into.some((x) => x.name === item.name)) into.push(item);
    };
    add(out.clusters, kc.getClusters());
    add(out.users, kc.getUsers());
    add(out.contexts, kc.getContexts());
    if (!out.currentContext && kc.getCurrentContext()) out.currentContext = kc.getCurrentContext();
  }
  return out;
}

function inClusterConfig(source: Extract<ConfigSource, { kind: 'in-cluster' }>): Loaded {
  // Mirrors client-go rest.InClusterConfig and the library's loadFromCluster, which reads
  // process.env directly; here the environment comes from Io so tests can set it.
  const host = source.host.includes(':') ? `[${source.host}]` : source.host;
  const cluster: Cluster = { name: 'in-cluster', server: `https://${host}:${source.port}`, caFile: join(source.dir, 'ca.crt'), skipTLSVerify: false };
  const user: User = { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(source.dir, 'token') } } };
  return { clusters: [cluster], users: [user], contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }], currentContext: 'in-cluster', invalid: undefined };
}

function names(list: readonly { name: string }[]): string {
  return list.length === 0 ? 'none' : list.map((c) => c.name).join(', ');
}

/** Loads the located configuration, selects the context and returns a KubeConfig of that context only. */
export function resolveConfig(lib: ClientLibrary, source: ConfigSource, options: ClusterOptions): ResolvedConfig {
  const loaded = source.kind === 'files' ? mergeFiles(lib, source.files) : inClusterConfig(source);
  const origin = source.kind === 'files' ? source.shown : `the service account in ${source.dir}`;
  const invalid = loaded.invalid ? ` (an entry of the kubeconfig is invalid and was skipped: ${loaded.invalid})` : '';
  const contextName = options.context ?? loaded.currentContext;
  if (!contextName) {
    throw new ClusterError(`the kubeconfig ${origin} has no current-context; pass --context NAME (contexts: ${names(loaded.contexts)})${invalid}`);
  }
  const context = loaded.contexts.find((c) => c.name === contextName);
  if (!context) {
    throw new ClusterError(`context "${contextName}" is not defined in the kubeconfig ${origin} (contexts: ${names(loaded.contexts)})${invalid}`);
  }
  const cluster = loaded.clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw new ClusterError(`context "${contextName}" names cluster "${context.cluster}", which is not defined in the kubeconfig ${origin}${invalid}`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new ClusterError(`cluster "${cluster.name}" of the kubeconfig ${origin} has an invalid server URL ${JSON.stringify(cluster.server)}`);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') {
    throw new ClusterError(`cluster "${cluster.name}" of the kubeconfig ${origin} has server ${cluster.server}: only http and https are supported`);
  }
  let user: User = { name: 'netpolc-anonymous' };
  if (context.user) {
    const found = loaded.users.find((u) => u.name === context.user);
    if (!found) throw new ClusterError(`context "${contextName}" names user "${context.user}", which is not defined in the kubeconfig ${origin}${invalid}`);
    user = found;
  }
  // Plain http (kubectl proxy, test servers) has no TLS to verify; the library refuses http
  // unless skipTLSVerify is set, while kubectl accepts it.
  const usedCluster: Cluster = server.protocol === 'http:' ? { ...cluster, skipTLSVerify: true } : cluster;
  const kubeConfig = new lib.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [usedCluster],
    users: [user],
    contexts: [{ name: context.name, cluster: cluster.name, user: user.name }],
    currentContext: context.name,
  });
  return { kubeConfig, context: context.name, cluster: cluster.name, server: cluster.server.replace(/\/+$/, ''), origin };
}
