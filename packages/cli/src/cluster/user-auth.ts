// The parts of a kubeconfig `users[].user` entry that @kubernetes/client-node 1.4 reads
// differently from kubectl (client-go tools/clientcmd), read from the raw YAML: tokenFile,
// impersonation beyond `as`, and exec plugins (which netpolc runs itself, exec-plugin.ts).
import { isAbsolute, join, sep } from 'node:path';
import { ClusterError } from './errors.js';

/** Whom to impersonate (client-go transport/round_trippers.go impersonatingRoundTripper). */
export interface Impersonation {
  readonly user: string;
  readonly uid: string | undefined;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** How the plugin may use the terminal (client-go tools/clientcmd/api ExecInteractiveMode). */
export type InteractiveMode = 'Never' | 'IfAvailable' | 'Always';

/** A `users[].user.exec` entry, with its command resolved as client-go resolves it. */
export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  readonly installHint: string | undefined;
  readonly provideClusterInfo: boolean;
  readonly interactiveMode: InteractiveMode;
}

/** What netpolc itself does for a user, on top of what the library does. */
export interface UserAuth {
  /** Absolute path of `tokenFile`. */
  readonly tokenFile: string | undefined;
  readonly impersonation: Impersonation | undefined;
  readonly exec: ExecConfig | undefined;
}

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, field: string, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ClusterError(`${where}: ${field} must be a string`);
  return v;
}

function texts(v: unknown, field: string, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ClusterError(`${where}: ${field} must be a list of strings`);
  return v as string[];
}

/**
 * A path of the kubeconfig relative to its directory, as client-go's ResolveLocalPaths
 * (tools/clientcmd/loader.go) makes it absolute.
 */
function local(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

function readImpersonation(user: Json, where: string): Impersonation | undefined {
  const as = text(user['as'], 'as', where);
  const uid = text(user['as-uid'], 'as-uid', where);
  const groups = texts(user['as-groups'], 'as-groups', where);
  const rawExtra = user['as-user-extra'];
  const extra: Record<string, string[]> = {};
  if (rawExtra !== undefined && rawExtra !== null) {
    if (!isMap(rawExtra)) throw new ClusterError(`${where}: as-user-extra must be a map of lists of strings`);
    for (const [k, v] of Object.entries(rawExtra)) extra[k] = texts(v, `as-user-extra.${k}`, where);
  }
  const more = uid !== undefined || groups.length > 0 || Object.keys(extra).length > 0;
  if (as === undefined) {
    // client-go tools/clientcmd/validation.go validateAuthInfo refuses this too.
    if (more) throw new ClusterError(`${where}: as-uid, as-groups or as-user-extra need as (the user to impersonate)`);
    return undefined;
  }
  return { user: as, uid, groups, extra };
}

function readExec(exec: unknown, dir: string, where: string): ExecConfig | undefined {
  if (exec === undefined || exec === null) return undefined;
  if (!isMap(exec)) throw new ClusterError(`${where}: exec must be a map`);
  const command = text(exec['command'], 'exec.command', where);
  if (command === undefined) throw new ClusterError(`${where}: exec.command is missing`);
  const apiVersion = exec['apiVersion'];
  // client-go plugin/pkg/client/auth/exec/exec.go accepts these two (v1alpha1 was removed).
  if (apiVersion !== 'client.authentication.k8s.io/v1' && apiVersion !== 'client.authentication.k8s.io/v1beta1') {
    throw new ClusterError(`${where}: exec.apiVersion ${JSON.stringify(apiVersion ?? null)} is not supported; use client.authentication.k8s.io/v1 or v1beta1`);
  }
  const mode = exec['interactiveMode'] ?? 'IfAvailable';
  // client-go defaults an empty interactiveMode to IfAvailable for v1beta1 and refuses it for v1;
  // netpolc defaults both, since a kubeconfig written for an older kubectl should still work.
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') throw new ClusterError(`${where}: exec.interactiveMode ${JSON.stringify(mode)} must be Never, IfAvailable or Always`);
  const env = exec['env'] ?? [];
  if (!Array.isArray(env) || env.some((e) => !isMap(e) || typeof e['name'] !== 'string' || typeof (e['value'] ?? '') !== 'string')) {
    throw new ClusterError(`${where}: exec.env must be a list of {name, value}`);
  }
  return {
    // loader.go GetAuthInfoFileReferences resolves the command against the kubeconfig's directory
    // only when it contains a path separator; a bare name is looked up in PATH.
    command: command.includes(sep) ? local(dir, command) : command,
    args: texts(exec['args'], 'exec.args', where),
    env: (env as Json[]).map((e) => ({ name: e['name'] as string, value: (e['value'] as string | undefined) ?? '' })),
    apiVersion,
    installHint: text(exec['installHint'], 'exec.installHint', where),
    provideClusterInfo: exec['provideClusterInfo'] === true,
    interactiveMode: mode,
  };
}

/**
 * Reads tokenFile, impersonation and exec of a raw `users[].user` map defined in a kubeconfig in
 * `dir`; `where` names it in messages.
 */
export function readUserAuth(user: unknown, dir: string, where: string): UserAuth {
  if (!isMap(user)) return { tokenFile: undefined, impersonation: undefined, exec: undefined };
  const tokenFile = text(user['tokenFile'], 'tokenFile', where);
  return {
    tokenFile: tokenFile === undefined ? undefined : local(dir, tokenFile),
    impersonation: readImpersonation(user, where),
    exec: readExec(user['exec'], dir, where),
  };
}

// RFC 7230 tchar: what may stand in a header name unescaped.
const headerNameByte = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

/**
 * The impersonation headers: one line per group and per extra value (the API server reads each
 * line as one value), extra keys percent-encoded where a header name cannot hold them, as
 * client-go's headerKeyEscape does (`%` itself included, so the server can decode them).
 */
export function impersonationHeaders(imp: Impersonation): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'Impersonate-User': imp.user };
  if (imp.uid !== undefined) headers['Impersonate-Uid'] = imp.uid;
  if (imp.groups.length > 0) headers['Impersonate-Group'] = [...imp.groups];
  for (const [key, values] of Object.entries(imp.extra)) {
    if (values.length === 0) continue;
    const escaped = [...Buffer.from(key, 'utf8')].map((b) => (headerNameByte.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
    headers[`Impersonate-Extra-${escaped}`] = [...values];
  }
  return headers;
}
