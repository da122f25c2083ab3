import type { ClientLibrary, ResolvedConfig } from './kubeconfig.js';
import { bindingCommand, ClusterError, readerClusterRole } from './errors.js';

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

type RequestContextLike = InstanceType<ClientLibrary['RequestContext']>;

/** A `metav1.Status` error body. */
interface Status {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
}

/** Raised inside {@link ApiClient.list} when a continue token expired (410), to restart the list. */
class ExpiredContinue extends Error {}

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

/** Reads lists from the API server through @kubernetes/client-node's configuration and transport. */
export class ApiClient {
  readonly #lib: ClientLibrary;
  readonly #config: ResolvedConfig;
  readonly #policy: RequestPolicy;
  readonly #where: string;
  #agent: ReturnType<RequestContextLike['getAgent']>;

  constructor(lib: ClientLibrary, config: ResolvedConfig, policy: RequestPolicy) {
    this.#lib = lib;
    this.#config = config;
    this.#policy = policy;
    this.#where = `context "${config.context}" (${config.server})`;
  }

  /**
   * Every item of a collection, page by page (`limit`/`continue`, as kubectl's `--chunk-size`),
   * so a large cluster streams in bounded responses. A continue token that expires (410 Gone,
   * etcd compaction) restarts the list once from the beginning, as client-go's pager does:
   * `onRestart` tells the caller to drop the pages it already received.
   */
  async list(target: ListTarget, onPage: (items: readonly unknown[]) => void, onRestart: () => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let token: string | undefined;
      try {
        do {
          const query: Record<string, string> = { limit: String(this.#policy.pageSize) };
          if (token !== undefined) query['continue'] = token;
          const page = await this.#get(target, query, token !== undefined);
          const items = page['items'];
          if (!Array.isArray(items)) throw new ClusterError(`the answer of ${this.#where} to GET ${target.path} is not a list (no items)`);
          const meta = page['metadata'] as Record<string, unknown> | undefined;
          const next = meta?.['continue'];
          const sent = token;
          token = typeof next === 'string' && next !== '' ? next : undefined;
          // A server that hands back the token it was given would page forever.
          if (token !== undefined && token === sent) throw new ClusterError(`${this.#where} returned the same continue token for GET ${target.path} twice; its paging is broken`);
          onPage(items);
        } while (token !== undefined);
        return;
      } catch (err) {
        if (!(err instanceof ExpiredContinue)) throw err;
        if (attempt >= 1) throw new ClusterError(err.message);
        onRestart();
      }
    }
  }

  async #get(target: ListTarget, query: Record<string, string>, continuing: boolean): Promise<Record<string, unknown>> {
    const shown = `GET ${target.path}?${new URLSearchParams(query).toString()}`;
    const retries = this.#policy.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.#send(target.path, query, shown, attempt < retries);
      if ('retryAfterMs' in answer) {
        await new Promise((r) => setTimeout(r, answer.retryAfterMs));
        continue;
      }
      const { status, text, contentType } = answer;
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
      if (status === 410 && continuing) throw new ExpiredContinue(`the list of ${target.resource} changed too much while it was read in pages (410 Gone: ${s?.message ?? 'continue token expired'}); retry`);
      throw this.#httpError(target, status, s, shown);
    }
  }

  async #send(path: string, query: Record<string, string>, shown: string, mayRetry: boolean): Promise<{ status: number; text: string; contentType: string } | { retryAfterMs: number }> {
    const lib = this.#lib;
    const server = new lib.ServerConfiguration(this.#config.server, {});
    const ctx = server.makeRequestContext(path, lib.HttpMethod.GET);
    for (const [k, v] of Object.entries(query)) ctx.setQueryParam(k, v);
    ctx.setHeaderParam('Accept', 'application/json');
    try {
      // Credentials (token, client certificate, exec and auth-provider plugins), the CA and any
      // proxy come from the library, exactly as for its typed API clients.
      await this.#config.kubeConfig.applySecurityAuthentication(ctx);
      // It builds a new agent per call; one agent for the whole read reuses TLS sessions.
      const agent = ctx.getAgent();
      if (agent) ctx.setAgent((this.#agent ??= agent));
    } catch (err) {
      throw new ClusterError(`cannot set up the credentials of ${this.#where} from ${this.#config.origin}: ${(err as Error).message}`, { cause: err });
    }
    const controller = new AbortController();
    ctx.setSignal(controller.signal);
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
      const exchange = (async () => {
        const resp = await new lib.IsomorphicFetchHttpLibrary().send(ctx).toPromise();
        const text = await resp.body.text();
        return { resp, text };
      })();
      exchange.catch(() => undefined);
      const { resp, text } = await Promise.race([exchange, timedOut]);
      const status = resp.httpStatusCode;
      if (mayRetry && retryable.has(status)) {
        const after = Number(resp.headers['retry-after']);
        return { retryAfterMs: Math.min(Number.isFinite(after) && after >= 0 ? after * 1000 : 500, this.#policy.maxBackoffMs ?? 5000) };
      }
      return { status, text, contentType: resp.headers['content-type'] ?? '' };
    } catch (err) {
      if (err instanceof ClusterError) throw err;
      const code = (err as { code?: string }).code;
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
          'netpolc needs get and list on namespaces, nodes, pods and networkpolicies.networking.k8s.io. A minimal ClusterRole:',
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
