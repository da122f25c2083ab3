// A stand-in for kube-apiserver: no real API server can run on these machines (no
// kube-apiserver, kind, k3s or Docker; toolchain.md §7), so the tests serve the list endpoints
// netpolc reads from node:http(s) on 127.0.0.1, with the JSON shapes the real server returns:
// `*List` objects whose items carry no apiVersion/kind, `metadata.continue` paging that honours
// `limit` (and `remainingItemCount`), `Status` objects for errors, and the fields the server
// adds (uid, resourceVersion, managedFields, defaults) so the reader's stripping is exercised.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** What a fake server serves and how it misbehaves. */
export interface FakeServerOptions {
  /** Manifests, as in files (kind, apiVersion, metadata, ...). */
  readonly objects: readonly Json[];
  /** Bearer token the server accepts. @defaultValue "netpolc-test-token" */
  readonly token?: string;
  /**
   * Serve HTTPS with this key and certificate; plain HTTP when absent. With `clientCa`, a client
   * certificate signed by it is required, and authenticates the request instead of the token.
   */
  readonly tls?: { readonly key: string; readonly cert: string; readonly clientCa?: string };
  /** Resources (`pods`, `networkpolicies`, ...) whose list is forbidden (403). */
  readonly forbid?: readonly string[];
  /** Resources whose endpoints do not exist (404). */
  readonly missing?: readonly string[];
  /** Delay before each answer, in ms. */
  readonly delayMs?: number;
  /** The server returns at most this many items per page, even when `limit` is larger (a list without `limit` is whole). */
  readonly maxPage?: number;
  /** Answer this many requests with 503 and `Retry-After: 0` before serving. */
  readonly unavailable?: number;
  /** Answer the first request carrying a continue token for this resource with 410 Gone. */
  readonly expireContinueOf?: string;
  /**
   * Sees every request first (after it is recorded, before authentication); returns true when it
   * answered the request itself, false to let the server answer as usual.
   */
  readonly intercept?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
}

/** A running fake server. */
export interface FakeServer {
  readonly url: string;
  /** `GET path?query` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const listKinds: Record<string, string> = { namespaces: 'NamespaceList', nodes: 'NodeList', pods: 'PodList', services: 'ServiceList', networkpolicies: 'NetworkPolicyList' };
const resourceOf: Record<string, string> = { Namespace: 'namespaces', Node: 'nodes', Pod: 'pods', Service: 'services', NetworkPolicy: 'networkpolicies' };

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const clone = <T>(v: T): T => structuredClone(v);

/** Adds what the API server adds: identity and bookkeeping metadata, spec/status defaults. */
function decorate(obj: Json, index: number): Json {
  const o = clone(obj);
  delete o['apiVersion'];
  delete o['kind'];
  const meta = (o['metadata'] ??= {}) as Json;
  meta['uid'] = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  meta['resourceVersion'] = String(1000 + index);
  meta['creationTimestamp'] = '2026-01-02T03:04:05Z';
  meta['annotations'] = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(obj) + '\n' };
  meta['managedFields'] = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }];
  const kind = obj['kind'];
  if (kind === 'Namespace') {
    meta['labels'] = { ...(meta['labels'] as Json | undefined), 'kubernetes.io/metadata.name': meta['name'] };
    o['spec'] = { finalizers: ['kubernetes'] };
    o['status'] = { phase: 'Active' };
  } else if (kind === 'Pod') {
    meta['ownerReferences'] = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true, blockOwnerDeletion: true }];
    const spec = (o['spec'] ??= {}) as Json;
    Object.assign(spec, { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, securityContext: {} });
    for (const c of (spec['containers'] as Json[] | undefined) ?? []) {
      Object.assign(c, { imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log' });
      for (const p of (c['ports'] as Json[] | undefined) ?? []) p['protocol'] ??= 'TCP';
    }
    const st = (o['status'] ??= {}) as Json;
    Object.assign(st, { hostIP: '198.19.0.1', qosClass: 'BestEffort', startTime: '2026-01-02T03:04:05Z', conditions: [{ type: 'Ready', status: 'True' }] });
  } else if (kind === 'Node') {
    o['spec'] = { podCIDR: '198.18.0.0/24', podCIDRs: ['198.18.0.0/24'] };
    const st = (o['status'] ??= {}) as Json;
    Object.assign(st, { capacity: { cpu: '4', pods: '110' }, nodeInfo: { kubeletVersion: 'v1.34.0' } });
  } else if (kind === 'Service') {
    // pkg/apis/core/v1/defaults.go (SetDefaults_Service) and the allocator's ClusterIP.
    const spec = (o['spec'] ??= {}) as Json;
    spec['type'] ??= 'ClusterIP';
    spec['clusterIP'] ??= `10.96.0.${10 + index}`;
    spec['clusterIPs'] ??= [spec['clusterIP']];
    Object.assign(spec, { sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' });
    for (const p of (spec['ports'] as Json[] | undefined) ?? []) {
      p['protocol'] ??= 'TCP';
      p['targetPort'] ??= p['port'];
    }
    o['status'] = { loadBalancer: {} };
  } else if (kind === 'NetworkPolicy') {
    // pkg/apis/networking/v1/defaults.go: policyTypes and port protocols are defaulted.
    const spec = (o['spec'] ??= {}) as Json;
    spec['podSelector'] ??= {};
    if (!Array.isArray(spec['policyTypes']) || spec['policyTypes'].length === 0) {
      const egress = spec['egress'];
      spec['policyTypes'] = Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
    for (const dir of ['ingress', 'egress']) {
      for (const rule of (spec[dir] as Json[] | undefined) ?? []) {
        for (const p of (rule?.['ports'] as Json[] | undefined) ?? []) if (p && typeof p === 'object') p['protocol'] ??= 'TCP';
      }
    }
  }
  return o;
}

function key(o: Json): string {
  const meta = o['metadata'] as Json;
  return `${String(meta['namespace'] ?? '')}/${String(meta['name'])}`;
}

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startFakeApiServer(options: FakeServerOptions): Promise<FakeServer> {
  const token = options.token ?? 'netpolc-test-token';
  const byResource = new Map<string, Json[]>(Object.values(resourceOf).map((r) => [r, []]));
  options.objects.forEach((obj, i) => {
    const resource = resourceOf[String(obj['kind'])];
    if (resource) byResource.get(resource)!.push(decorate(obj, i));
  });
  // etcd returns keys in order: /registry/<resource>/<namespace>/<name>.
  for (const list of byResource.values()) list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const requests: string[] = [];
  let unavailable = options.unavailable ?? 0;
  let expire = options.expireContinueOf;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (options.intercept?.(req, res, url)) return;
    const send = (code: number, body: Json, headers: Record<string, string> = {}): void => {
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const byCertificate = options.tls?.clientCa !== undefined && (req.socket as { authorized?: boolean }).authorized === true;
    if (!byCertificate && req.headers['authorization'] !== `Bearer ${token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (unavailable > 0) {
      unavailable--;
      return send(503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'), { 'retry-after': '0' });
    }
    const m = /^\/(?:api\/v1|apis\/networking\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(url.pathname);
    const resource = m?.[2];
    const group = url.pathname.startsWith('/apis/') ? 'networking.k8s.io' : '';
    const valid = resource !== undefined && listKinds[resource] !== undefined && (resource === 'networkpolicies') === (group !== '');
    if (!valid || options.missing?.includes(resource)) return send(404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
    const namespace = m?.[1];
    if (options.forbid?.includes(resource)) {
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      const message = `${resource}${group ? `.${group}` : ''} is forbidden: User "system:serviceaccount:ci:netpolc" cannot list resource "${resource}" in API group "${group}" ${scope}`;
      return send(403, status(403, 'Forbidden', message, { ...(group ? { group } : {}), kind: resource }));
    }
    const all = byResource.get(resource)!.filter((o) => namespace === undefined || (o['metadata'] as Json)['namespace'] === namespace);
    const token64 = url.searchParams.get('continue');
    if (token64 && expire === resource) {
      expire = undefined;
      return send(410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'));
    }
    const start = token64 ? (JSON.parse(Buffer.from(token64, 'base64').toString()) as { start: number }).start : 0;
    const limitParam = url.searchParams.get('limit');
    let size = limitParam ? Number(limitParam) : all.length;
    // Without limit the API server returns the whole list, as client-go's full-list fallback relies on.
    if (options.maxPage && limitParam) size = Math.min(size, options.maxPage);
    const items = all.slice(start, start + size);
    const rest = all.length - start - items.length;
    const metadata: Json = { resourceVersion: '4242' };
    if (rest > 0) {
      metadata['continue'] = Buffer.from(JSON.stringify({ rv: 4242, start: start + items.length })).toString('base64');
      metadata['remainingItemCount'] = rest;
    }
    send(200, { kind: listKinds[resource], apiVersion: group ? `${group}/v1` : 'v1', metadata, items });
  };

  const clientAuth = options.tls?.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {};
  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert, ...clientAuth }) : createHttpServer();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (options.delayMs) setTimeout(() => handle(req, res), options.delayMs);
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
