// Shared builders of the audit tests (audit-*.test.ts): a small cluster, kubeconfigs written as
// text (the generated ones of support.ts cannot express tokenFile, exec, impersonation, ...), and
// a fake server that records the headers of every request.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { startFakeApiServer, type FakeServer, type FakeServerOptions } from './fake-api-server.js';
import { readManifests, repoRoot, tempDir } from './support.js';

type Json = Record<string, unknown>;

/** The example cluster and policies, as the API would store them. */
export const exampleObjects: Json[] = readManifests([join(repoRoot, 'examples/cluster.yaml'), join(repoRoot, 'examples/policies')]);

/** The `validate` summary line of the example. */
export const exampleOk = 'ok: 7 policies, 3 namespaces, 11 pods, 2 nodes; 0 errors, 0 warnings\n';

/** A plain-http fake server that also keeps the headers of each request. */
export interface RecordingServer extends FakeServer {
  readonly headers: IncomingHttpHeaders[];
  /** The same requests' headers, each header line kept apart (Node's headersDistinct). */
  readonly distinct: Record<string, string[]>[];
}

/** Starts a plain-http fake of the example (or `objects`), recording headers; `intercept` as in the fake. */
export async function recordingServer(options: Partial<FakeServerOptions> = {}): Promise<RecordingServer> {
  const headers: IncomingHttpHeaders[] = [];
  const distinct: Record<string, string[]>[] = [];
  const { intercept, ...rest } = options;
  const server = await startFakeApiServer({
    objects: exampleObjects,
    ...rest,
    intercept: (req, res, url) => {
      headers.push(req.headers);
      distinct.push(req.headersDistinct as Record<string, string[]>);
      return intercept?.(req, res, url) ?? false;
    },
  });
  return Object.assign(server, { headers, distinct });
}

/** One kubeconfig `users[].user` entry and its cluster, written out as YAML flow maps. */
export interface RawContext {
  readonly server: string;
  /** The `user:` map, as YAML (flow or block, indented by 4). */
  readonly user: string;
  /** Extra `cluster:` keys, as a YAML flow-map fragment (`proxy-url: ...`). */
  readonly cluster?: string;
}

/** Writes a one-context kubeconfig (context `ctx`, cluster `c`, user `u`) into `dir`, returning its path. */
export function rawKubeconfig(dir: string, ctx: RawContext, file = 'config'): string {
  mkdirSync(dir, { recursive: true });
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    `  cluster: {server: "${ctx.server}"${ctx.cluster ? `, ${ctx.cluster}` : ''}}`,
    'users:',
    '- name: u',
    '  user:',
    ...ctx.user.split('\n').map((l) => `    ${l}`),
    'contexts:',
    '- name: ctx',
    '  context: {cluster: c, user: u}',
    'current-context: ctx',
    '',
  ].join('\n');
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

/**
 * Writes an executable exec credential plugin (a POSIX shell script) that appends one line per
 * run to `<dir>/runs` (with `$KUBERNETES_EXEC_INFO`, or `unset`), runs `body` and prints an
 * ExecCredential with `token` (no expirationTimestamp unless given).
 */
export function execPlugin(dir: string, name: string, options: { token?: string; body?: string; apiVersion?: string; expiration?: string } = {}): { path: string; runs: string } {
  mkdirSync(dir, { recursive: true });
  const runs = join(dir, 'runs');
  const status = { token: options.token ?? 'netpolc-test-token', ...(options.expiration ? { expirationTimestamp: options.expiration } : {}) };
  const credential = JSON.stringify({ apiVersion: options.apiVersion ?? 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status });
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "\${KUBERNETES_EXEC_INFO:-unset}" >> '${runs}'`,
    options.body ?? '',
    `printf '%s' '${credential}'`,
    '',
  ].join('\n');
  const path = join(dir, name);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return { path, runs };
}

/** A fresh directory for one test's files. */
export function auditDir(): string {
  return tempDir();
}

/** An HTTP proxy that tunnels every CONNECT to `port` on 127.0.0.1, whatever host it names. */
export interface ConnectProxy {
  readonly url: string;
  /** The `host:port` of each CONNECT, in order. */
  readonly connects: string[];
  close(): Promise<void>;
}

/** Starts a CONNECT proxy (as a corporate HTTPS_PROXY would be) in front of `port`. */
export async function connectProxy(port: number): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port: own } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

/** A client CA and a client certificate (CN=alice) it signed, written as files into `dir`. */
export function clientCertificate(dir: string): { ca: string; certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'client-ca.key', '-out', 'client-ca.crt', '-days', '3', '-subj', '/CN=netpolc-client-ca');
  ssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=alice/O=platform');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'client-ca.crt', '-CAkey', 'client-ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '3');
  return { ca: readFileSync(join(dir, 'client-ca.crt'), 'utf8'), certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') };
}
