import { readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
import type { Io } from '../io.js';
import { ClusterError } from './errors.js';
import type { ClusterOptions } from './options.js';
import { proxyFromEnvironment } from './proxy-env.js';
import { readUserAuth, type UserAuth } from './user-auth.js';

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
  /** What netpolc does itself for the user: tokenFile (already in kubeConfig), impersonation, exec. */
  readonly auth: UserAuth;
  /** The cluster as an exec plugin is told about it (spec.cluster), when it asks (provideClusterInfo). */
  readonly execCluster: Readonly<Record<string, unknown>> | undefined;
  /** The cluster's `disable-compression`: do not ask for gzip answers. */
  readonly disableCompression: boolean;
  /** A copy of kubeConfig whose user authenticates with this client certificate and key (PEM). */
  withClientCertificate(cert: string, key: string): KubeConfig;
}

/** Where the service account is mounted in a pod (client-go rest.InClusterConfig). */
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

type InCluster = { kind: 'in-cluster'; host: string; port: string; dir: string };

/**
 * Where the configuration is, in kubectl's order (client-go clientcmd loading rules). Files
 * carry the service account too when netpolc runs in a pod: an empty configuration falls back
 * to it.
 */
export type ConfigSource = { kind: 'files'; files: string[]; shown: string; inCluster: InCluster | undefined } | InCluster;

/** What is at a path, links followed: undefined when nothing (or it cannot be looked up). */
function kindAt(path: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return undefined;
  }
}

const isFile = (path: string): boolean => kindAt(path) === 'file';

/**
 * Finds the kubeconfig files or the service account; needs no client library. As client-go's
 * DeferredLoadingClientConfig (tools/clientcmd/merged_client_builder.go), the service account
 * is used whenever the kubeconfig is empty, including when KUBECONFIG names only missing files.
 */
export function locateConfig(options: ClusterOptions, io: Io, saDir = serviceAccountDir): ConfigSource {
  const host = io.env['KUBERNETES_SERVICE_HOST'];
  const port = io.env['KUBERNETES_SERVICE_PORT'];
  // inClusterClientConfig.Possible: both variables set and the token file present.
  const inCluster: InCluster | undefined = host && port && isFile(join(saDir, 'token')) ? { kind: 'in-cluster', host, port, dir: saDir } : undefined;
  if (options.kubeconfig !== undefined) {
    const file = resolve(io.cwd, options.kubeconfig);
    // A pipe is read as kubectl reads it (`--kubeconfig <(vault read …)`): once.
    const kind = kindAt(file);
    if (kind === undefined || kind === 'directory') throw new ClusterError(`cannot read the kubeconfig ${options.kubeconfig} (--kubeconfig): ${kind === 'directory' ? 'a directory, not a file' : 'no such file'}`);
    return { kind: 'files', files: [file], shown: options.kubeconfig, inCluster };
  }
  const env = io.env['KUBECONFIG'];
  if (env !== undefined && env !== '') {
    const listed = env.split(delimiter).filter((f) => f !== '');
    // Like kubectl, files of the list that do not exist are skipped (loader.go Load).
    const files = listed.map((f) => resolve(io.cwd, f)).filter(isFile);
    if (files.length === 0) {
      if (inCluster) return inCluster;
      throw new ClusterError(`cannot read the kubeconfig: KUBECONFIG=${env} names no existing file`);
    }
    return { kind: 'files', files, shown: files.length === 1 ? files[0]! : `KUBECONFIG=${env}`, inCluster };
  }
  const home = io.env['HOME'] ?? io.env['USERPROFILE'];
  const defaultFile = home ? join(home, '.kube', 'config') : undefined;
  if (defaultFile && isFile(defaultFile)) return { kind: 'files', files: [defaultFile], shown: defaultFile, inCluster };
  if (inCluster) return inCluster;
  throw new ClusterError(
    `no kubeconfig: KUBECONFIG is not set, ${defaultFile ?? '~/.kube/config'} does not exist, and this is not a pod with a service account ` +
      `(KUBERNETES_SERVICE_HOST and ${join(saDir, 'token')}). Pass --kubeconfig FILE or set KUBECONFIG.`,
  );
}

/** A raw `users[].user` or `clusters[].cluster` map and the directory of the file that defined it. */
interface RawEntry {
  readonly raw: unknown;
  readonly dir: string;
}

interface Loaded {
  readonly clusters: Cluster[];
  readonly users: User[];
  readonly contexts: Context[];
  currentContext: string | undefined;
  /** The first entry the strict load rejected, reported if the selected context needs it. */
  invalid: string | undefined;
  /** The raw entries by name (first file wins): what the library's types leave out. */
  readonly rawUsers: Map<string, RawEntry>;
  readonly rawClusters: Map<string, RawEntry>;
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One file, or undefined when it holds no configuration. */
function loadFile(lib: ClientLibrary, file: string): { kc: KubeConfig; raw: Json; invalid?: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClusterError(`cannot read the kubeconfig ${file}: ${(err as Error).message}`);
  }
  // client-go tools/clientcmd/loader.go Load: a file without data is an empty configuration,
  // merged with the others (here also one of only blank lines, comments and document markers).
  if (text.split('\n').every((l) => /^\s*(#.*)?$/.test(l) || /^(---|\.\.\.)\s*$/.test(l))) return undefined;
  let raw: unknown = {};
  try {
    // The raw entries, for what the library's types leave out (tokenFile, as-groups, extensions);
    // loadYaml returns a kubeconfig as parsed, since Config is none of its typed models.
    raw = lib.loadYaml(text);
  } catch {
    // The library's load below reports the parse error.
  }
  const kc = new lib.KubeConfig();
  const dir = dirname(file);
  const rawMap = isMap(raw) ? raw : {};
  try {
    kc.loadFromString(text);
    kc.makePathsAbsolute(dir);
    return { kc, raw: rawMap };
  } catch (strictError) {
    const message = (strictError as Error).message.split('\n')[0] ?? '';
    try {
      kc.loadFromString(text, { onInvalidEntry: 'filter' });
      kc.makePathsAbsolute(dir);
    } catch {
      throw new ClusterError(`cannot read the kubeconfig ${file}: ${message}`);
    }
    return { kc, raw: rawMap, invalid: `${file}: ${message}` };
  }
}

/** Merges kubeconfig files the way kubectl does: the first file to define a name wins. */
function mergeFiles(lib: ClientLibrary, files: readonly string[]): Loaded {
  const out: Loaded = { clusters: [], users: [], contexts: [], currentContext: undefined, invalid: undefined, rawUsers: new Map(), rawClusters: new Map() };
  for (const file of files) {
    const loaded = loadFile(lib, file);
    if (!loaded) continue;
    const { kc, raw } = loaded;
    out.invalid ??= loaded.invalid;
    const add = <T extends { name: string }>(into: T[], items: readonly T[] | undefined): void => {
      for (const item of items ?? []) if (!into.some((x) => x.name === item.name)) into.push(item);
    };
    add(out.clusters, kc.getClusters());
    add(out.users, kc.getUsers());
    add(out.contexts, kc.getContexts());
    if (!out.currentContext && kc.getCurrentContext()) out.currentContext = kc.getCurrentContext();
    const addRaw = (into: Map<string, RawEntry>, list: unknown, key: string): void => {
      for (const e of Array.isArray(list) ? list : []) {
        if (isMap(e) && typeof e['name'] === 'string' && !into.has(e['name'])) into.set(e['name'], { raw: e[key], dir: dirname(file) });
      }
    };
    addRaw(out.rawUsers, raw['users'], 'user');
    addRaw(out.rawClusters, raw['clusters'], 'cluster');
  }
  return out;
}

function inClusterConfig(source: Extract<ConfigSource, { kind: 'in-cluster' }>): Loaded {
  // Mirrors client-go rest.InClusterConfig and the library's loadFromCluster, which reads
  // process.env directly; here the environment comes from Io so tests can set it.
  const host = source.host.includes(':') ? `[${source.host}]` : source.host;
  const cluster: Cluster = { name: 'in-cluster', server: `https://${host}:${source.port}`, caFile: join(source.dir, 'ca.crt'), skipTLSVerify: false };
  const user: User = { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(source.dir, 'token') } } };
  return {
    clusters: [cluster],
    users: [user],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
    invalid: undefined,
    rawUsers: new Map(),
    rawClusters: new Map(),
  };
}

function names(list: readonly { name: string }[]): string {
  return list.length === 0 ? 'none' : list.map((c) => c.name).join(', ');
}

/** client-go's ExecCredential Cluster (pkg/apis/clientauthentication/v1 types.go), from the kubeconfig's. */
function execClusterOf(cluster: Cluster, raw: unknown): Record<string, unknown> {
  const rawCluster = isMap(raw) ? raw : {};
  let caData = cluster.caData;
  if (!caData && cluster.caFile) {
    try {
      caData = readFileSync(cluster.caFile).toString('base64');
    } catch (err) {
      throw new ClusterError(`cannot read certificate-authority ${cluster.caFile} of cluster "${cluster.name}": ${(err as Error).message}`);
    }
  }
  // The plugin's own configuration is the cluster's extension named client.authentication.k8s.io/exec.
  const extensions = Array.isArray(rawCluster['extensions']) ? (rawCluster['extensions'] as unknown[]) : [];
  const config = extensions.find((e): e is Json => isMap(e) && e['name'] === 'client.authentication.k8s.io/exec')?.['extension'];
  const out: Record<string, unknown> = { server: cluster.server };
  if (cluster.tlsServerName) out['tls-server-name'] = cluster.tlsServerName;
  if (cluster.skipTLSVerify) out['insecure-skip-tls-verify'] = true;
  if (caData) out['certificate-authority-data'] = caData;
  if (cluster.proxyUrl) out['proxy-url'] = cluster.proxyUrl;
  if (rawCluster['disable-compression'] === true) out['disable-compression'] = true;
  if (config !== undefined) out['config'] = config;
  return out;
}

/** The bearer token of tokenFile, trimmed (client-go transport/token_source.go fileTokenSource). */
function readTokenFile(file: string, user: User, origin: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    // A token next to it is what client-go falls back to when the file cannot be read.
    if (user.token) return undefined;
    throw new ClusterError(`cannot read the tokenFile ${file} of user "${user.name}" in the kubeconfig ${origin}: ${(err as Error).message}`);
  }
}

/**
 * Loads the located configuration, selects the context and returns a KubeConfig of that context
 * only, for the library: netpolc's own parts of the user (exec, impersonation) taken out, the
 * tokenFile's token put in, and the proxy of the environment when the cluster names none.
 */
export function resolveConfig(lib: ClientLibrary, source: ConfigSource, options: ClusterOptions, env: Io['env']): ResolvedConfig {
  let loaded = source.kind === 'files' ? mergeFiles(lib, source.files) : inClusterConfig(source);
  let origin = source.kind === 'files' ? source.shown : `the service account in ${source.dir}`;
  const empty = loaded.clusters.length === 0 && loaded.users.length === 0 && loaded.contexts.length === 0 && !loaded.currentContext;
  if (empty && source.kind === 'files' && source.inCluster) {
    loaded = inClusterConfig(source.inCluster);
    origin = `the service account in ${source.inCluster.dir} (the kubeconfig ${source.shown} is empty)`;
  }
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
  const rawUser = loaded.rawUsers.get(user.name);
  const auth = readUserAuth(rawUser?.raw, rawUser?.dir ?? '', `user "${user.name}" of the kubeconfig ${origin}`);
  const token = auth.tokenFile === undefined ? undefined : readTokenFile(auth.tokenFile, user, origin);
  // client-go uses an exec plugin only when the user has no other credentials (exec.go
  // UpdateTransportConfig: token, basic auth or a client certificate win).
  const hasOther = Boolean(user.token || token || user.username || user.certFile || user.certData || user.authProvider);
  const exec = hasOther ? undefined : auth.exec;
  const { exec: _exec, impersonateUser: _as, ...kept } = user;
  const libUser: User = { ...kept, ...(token ? { token } : {}) };
  // Plain http (kubectl proxy, test servers) has no TLS to verify; the library refuses http
  // unless skipTLSVerify is set, while kubectl accepts it.
  // client-go's transport takes the environment's proxy when the kubeconfig names none.
  const proxyUrl = cluster.proxyUrl || proxyFromEnvironment(server, env);
  const usedCluster: Cluster = { ...cluster, ...(server.protocol === 'http:' ? { skipTLSVerify: true } : {}), ...(proxyUrl ? { proxyUrl } : {}) };
  const make = (u: User): KubeConfig => {
    const kc = new lib.KubeConfig();
    kc.loadFromOptions({ clusters: [usedCluster], users: [u], contexts: [{ name: context.name, cluster: cluster.name, user: u.name }], currentContext: context.name });
    return kc;
  };
  return {
    kubeConfig: make(libUser),
    context: context.name,
    cluster: cluster.name,
    server: cluster.server.replace(/\/+$/, ''),
    origin,
    auth: { ...auth, exec },
    disableCompression: (loaded.rawClusters.get(cluster.name)?.raw as Json | undefined)?.['disable-compression'] === true,
    execCluster: exec?.provideClusterInfo ? execClusterOf(cluster, loaded.rawClusters.get(cluster.name)?.raw) : undefined,
    withClientCertificate: (cert, key) => {
      const { certFile: _c, keyFile: _k, ...rest } = libUser;
      return make({ ...rest, certData: Buffer.from(cert).toString('base64'), keyData: Buffer.from(key).toString('base64') });
    },
  };
}
