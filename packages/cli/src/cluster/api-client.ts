import type { Agent } from 'node:http';
import type { Io } from '../io.js';
import { bindingCommand, ClusterError, readerClusterRole } from './errors.js';
import { ExecCredentials, runExecPlugin, type ExecCredential } from './exec-plugin.js';
import type { ResolvedConfig } from './kubeconfig.js';
import { AnswerTooLarge, httpGet, TransportError } from './transport.js';
import { impersonationHeaders } from './user-auth.js';

/** One collection netpolc lists. */
export interface ListTarget {
  /** RBAC resource name, e.g. `pods`. */
  readonly resource: string;
  /** API group, `''` for the core group. */
  readonly group: string;
  /** Request path, e.g. `/api/v1/namespaces/prod/pods`. */
  readonly path: string;
  /** The namespace a namespaced list is limited to. */
  readonly namespace?: string;
}

/** How requests behave. */
export interface RequestPolicy {
  readonly timeoutMs: number;
  readonly pageSize: number;
  /** Retries of 429/5xx answers and reset connections. @defaultValue 3 */
  readonly retries?: number;
  /** Ceiling of the wait between retries (Retry-After is honoured up to it). @defaultValue 5000 */
  readonly maxBackoffMs?: number;
}

/** A `metav1.Status` error body. */
interface Status {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
}

/** Raised inside {@link ApiClient.list} when a continue token expired (410), to read the list whole. */
class ExpiredContinue extends Error {}

/** An answer, or a wait before the next attempt. */
type Sent = { status: number; text: string; contentType: string; credential: ExecCredential | undefined } | { retryAfterMs: number };

const statusText: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const retryable = new Set([429, 500, 502, 503, 504]);

// Node's TLS verification failures (openssl X509_V_ERR_* names, node's ERR_TLS_*), and EPROTO
// when the server does not speak TLS at all.
const tlsCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'INVALID_CA', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const connectCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused; is the cluster running and is the address right?',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (temporary DNS failure)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the server closed the connection',
};

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describeScope(target: ListTarget): string {
  const name = target.group === '' ? target.resource : `${target.resource}.${target.group}`;
  return target.namespace ? `${name} in namespace ${target.namespace}` : `${name} at the cluster scope`;
}

function parseStatus(text: string): Status | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && (v as Record<string, unknown>)['kind'] === 'Status' ? (v as Status) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads lists from the API server with the library's configuration (CA, client certificate,
 * proxy agent, token and auth-provider headers) and netpolc's own exec plugins,
 * impersonation and HTTP transport.
 */
export class ApiClient {
  readonly #config: ResolvedConfig;
  readonly #policy: RequestPolicy;
  readonly #where: string;
  readonly #exec: ExecCredentials | undefined;
  /** One agent per credential for the whole read, so TLS sessions are reused. */
  #agent: { credential: ExecCredential | undefined; agent: Agent | undefined } | undefined;

  constructor(config: ResolvedConfig, policy: RequestPolicy, io: Io) {
    this.#config = config;
    this.#policy = policy;
    this.#where = `context "${config.context}" (${config.server})`;
    const exec = config.auth.exec;
    if (exec) this.#exec = new ExecCredentials(() => runExecPlugin(exec, config.execCluster, io, this.#where));
  }

  /** Runs the exec plugin, if any, before the first request (so its prompts come before any progress line). */
  async authenticate(): Promise<void> {
    await this.#exec?.get();
  }

  /**
   * Every item of a collection, page by page (`limit`/`continue`, as kubectl's `--chunk-size`),
   * so a large cluster streams in bounded responses. When a continue token expires (410 Gone,
   * etcd compaction) the collection is read once more in one request without limit or continue,
   * which cannot expire, as client-go's pager does with FullListIfExpired
   * (tools/pager/pager.go ListPager.List): `onRestart` tells the caller to drop the pages it
   * already received.
   */
  async list(target: ListTarget, onPage: (items: readonly unknown[]) => void, onRestart: () => void): Promise<void> {
    let token: string | undefined;
    try {
      do {
        const query: Record<string, string> = { limit: String(this.#policy.pageSize) };
        if (token !== undefined) query['continue'] = token;
        const page = await this.#get(target, query, token !== undefined);
        const sent = token;
        token = this.#nextToken(target, page, sent);
        onPage(page['items'] as unknown[]);
      } while (token !== undefined);
    } catch (err) {
      if (!(err instanceof ExpiredContinue)) throw err;
      onRestart();
      const whole = await this.#get(target, {}, false);
      if (this.#nextToken(target, whole, undefined) !== undefined) {
        throw new ClusterError(`${this.#where} answered GET ${target.path} without limit with part of the list (a continue token); it cannot be read whole`);
      }
      onPage(whole['items'] as unknown[]);
    }
  }

  /** Checks a page and returns its continue token. */
  #nextToken(target: ListTarget, page: Record<string, unknown>, sent: string | undefined): string | undefined {
    if (!Array.isArray(page['items'])) throw new ClusterError(`the answer of ${this.#where} to GET ${target.path} is not a list (no items)`);
    const next = (page['metadata'] as Record<string, unknown> | undefined)?.['continue'];
    const token = typeof next === 'string' && next !== '' ? next : undefined;
    // A server that hands back the token it was given would page forever.
    if (token !== undefined && token === sent) throw new ClusterError(`${this.#where} returned the same continue token for GET ${target.path} twice; its paging is broken`);
    return token;
  }

  async #get(target: ListTarget, query: Record<string, string>, continuing: boolean): Promise<Record<string, unknown>> {
    const search = new URLSearchParams(query).toString();
    const shown = `GET ${target.path}${search ? `?${search}` : ''}`;
    const retries = this.#policy.retries ?? 3;
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.#send(target.path, search, shown, attempt < retries);
      if ('retryAfterMs' in answer) {
        await new Promise((r) => setTimeout(r, answer.retryAfterMs));
        continue;
      }
      const { status, text, contentType, credential } = answer;
      // exec.go roundTripper: a 401 makes the plugin run again (maybeRefreshCreds); the request
      // is sent once more with the new credential.
      if (status === 401 && credential && !reauthenticated) {
        this.#exec!.invalidate(credential);
        reauthenticated = true;
        continue;
      }
      if (status >= 200 && status < 300) {
        try {
          const body = JSON.parse(text) as unknown;
          if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
        } catch {
          // Reported below.
        }
        throw new ClusterError(`the answer of ${this.#where} to ${shown} is not a Kubernetes list (${contentType || 'no content type'}); is ${this.#config.server} a Kubernetes API server?`);
      }
      const s = parseStatus(text);
      if (status === 410 && continuing) throw new ExpiredContinue();
      throw this.#httpError(target, status, s, shown);
    }
  }

  /** The agent and headers of one request. */
  async #prepare(): Promise<{ agent: Agent | undefined; headers: Record<string, string | string[]>; credential: ExecCredential | undefined }> {
    const credential = await this.#exec?.get();
    const cert = credential?.clientCertificate;
    const kubeConfig = cert ? this.#config.withClientCertificate(cert.cert, cert.key) : this.#config.kubeConfig;
    const opts: { headers?: Record<string, unknown>; auth?: string; agent?: Agent } = {};
    try {
      // The library sets the CA, client certificate, proxy and the token or auth-provider header
      // (whose token it may refresh, so this runs for every request).
      await kubeConfig.applyToHTTPSOptions(opts as Parameters<typeof kubeConfig.applyToHTTPSOptions>[0]);
    } catch (err) {
      throw new ClusterError(`cannot set up the credentials of ${this.#where} from ${this.#config.origin}: ${(err as Error).message}`, { cause: err });
    }
    const headers: Record<string, string | string[]> = { Accept: 'application/json', 'User-Agent': 'netpolc' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    if (opts.auth) headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (credential?.token) headers['Authorization'] = `Bearer ${credential.token}`;
    if (this.#config.auth.impersonation) Object.assign(headers, impersonationHeaders(this.#config.auth.impersonation));
    if (this.#agent?.credential !== credential) this.#agent = undefined;
    this.#agent ??= { credential, agent: opts.agent };
    return { agent: this.#agent.agent, headers, credential };
  }

  async #send(path: string, search: string, shown: string, mayRetry: boolean): Promise<Sent> {
    const { agent, headers, credential } = await this.#prepare();
    const url = new URL(`${this.#config.server}${path}${search ? `?${search}` : ''}`);
    const controller = new AbortController();
    const timeoutMs = this.#policy.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          controller.abort();
          reject(new ClusterError(`${this.#where} did not answer ${shown} within ${formatMs(timeoutMs)} (--request-timeout); the API server is slow or unreachable`));
        }, timeoutMs);
      }
    });
    try {
      const exchange = httpGet(url, { agent, headers, signal: controller.signal, gzip: !this.#config.disableCompression });
      exchange.catch(() => undefined);
      const resp = await Promise.race([exchange, timedOut]);
      const status = resp.status;
      if (mayRetry && retryable.has(status)) {
        const after = Number(resp.headers['retry-after']);
        return { retryAfterMs: Math.min(Number.isFinite(after) && after >= 0 ? after * 1000 : 500, this.#policy.maxBackoffMs ?? 5000) };
      }
      return { status, text: resp.text, contentType: resp.headers['content-type'] ?? '', credential };
    } catch (err) {
      if (err instanceof ClusterError) throw err;
      if (err instanceof AnswerTooLarge) {
        throw new ClusterError(`the answer of ${this.#where} to ${shown} is too large to read as one answer (${err.message})`);
      }
      const code = (err as { code?: string }).code;
      if (err instanceof TransportError && err.received) {
        // A body cut short is not retried: client-go reports it from the body read (rest/request.go
        // transformResponse), after its retry decision.
        const of = err.received.expected !== undefined ? ` of ${err.received.expected}` : '';
        throw new ClusterError(`cannot reach ${this.#where}: the server closed the connection after ${err.received.bytes}${of} bytes of its answer to ${shown} [${code}]`, { cause: err });
      }
      if (code === 'ECONNRESET' && mayRetry) return { retryAfterMs: 200 };
      throw this.#transportError(err as Error, code);
    } finally {
      clearTimeout(timer);
    }
  }

  #transportError(err: Error, code: string | undefined): ClusterError {
    const reason = (err.message.split('reason: ')[1] ?? err.message).trim();
    if (code && tlsCodes.has(code)) {
      const hint =
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? `the server certificate is not valid for this address; check the server URL, or set tls-server-name for cluster "${this.#config.cluster}"`
          : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
            ? 'the server certificate is outside its validity period'
            : code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER'
              ? 'the server did not answer with TLS; is the URL scheme (https) right?'
              : `the server certificate is not signed by the certificate-authority(-data) of cluster "${this.#config.cluster}" in ${this.#config.origin}`;
      return new ClusterError(`TLS verification of ${this.#where} failed: ${reason} [${code}]; ${hint}`, { cause: err });
    }
    const known = code ? connectCodes[code] : undefined;
    if (known) return new ClusterError(`cannot reach ${this.#where}: ${known} [${code}]`, { cause: err });
    return new ClusterError(`cannot reach ${this.#where}: ${reason}${code ? ` [${code}]` : ''}`, { cause: err });
  }

  #httpError(target: ListTarget, status: number, s: Status | undefined, shown: string): ClusterError {
    return new ClusterError(this.#httpMessage(target, status, s, shown), { status });
  }

  #httpMessage(target: ListTarget, status: number, s: Status | undefined, shown: string): string {
    const head = `${status} ${statusText[status] ?? 'error'}`;
    const detail = s?.message ? `: ${s.message}` : '';
    if (status === 401) {
      return (
        `${this.#where} rejected the credentials of the kubeconfig ${this.#config.origin} (${head}${detail}) for ${shown}. ` +
          'The token or client certificate is missing, wrong or expired; refresh the kubeconfig (for example with your provider\'s get-credentials command).'
      );
    }
    if (status === 403) {
      return (
        [
          `${this.#where} does not allow to list ${describeScope(target)} (${head}${detail}).`,
          'netpolc needs get and list on namespaces, nodes, pods, services (for warnings only) and networkpolicies.networking.k8s.io. A minimal ClusterRole:',
          '',
          readerClusterRole,
          '',
          'and a binding for the user of this context:',
          `  ${bindingCommand(s?.message)}`,
        ].join('\n')
      );
    }
    if (status === 404) {
      return `${this.#where} does not serve ${target.path} (${head}${detail}); is ${this.#config.server} a Kubernetes API server, with the ${target.group || 'core'} API group?`;
    }
    return `${this.#where} answered ${shown} with ${head}${detail}`;
  }
}
