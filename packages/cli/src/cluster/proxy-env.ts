// The proxy kubectl uses when the kubeconfig names none: client-go's transport (transport/cache.go)
// takes http.ProxyFromEnvironment, i.e. golang.org/x/net/http/httpproxy (FromEnvironment,
// proxyForURL, useProxy, config.init). This follows those rules; the code is netpolc's own.
import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { ClusterError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** httpproxy getEnvAny: the first of the names that is set and not empty. */
function envAny(env: Env, ...names: string[]): string {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

/**
 * httpproxy parseProxy: a complete URL, or `host[:port]` with `http://` assumed. A value that is
 * neither is ignored, as config.init ignores parseProxy's error.
 */
function parseProxy(value: string): string | undefined {
  if (value === '') return undefined;
  for (const candidate of [value, `http://${value}`]) {
    try {
      const u = new URL(candidate);
      // `host:port` parses as a URL with scheme `host:`; Go sees no host there and prepends http.
      if (u.host !== '' && /^[a-z][a-z0-9+.-]*:\/\//i.test(candidate)) return candidate;
    } catch {
      // Try the next form.
    }
  }
  return undefined;
}

/** net.IP.IsLoopback: 127.0.0.0/8 (also IPv4-mapped) and ::1. */
function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  const loop = new BlockList();
  loop.addAddress('::1', 'ipv6');
  return loop.check(ip, 'ipv6');
}

/** `[v6]` or `host` and the port of `host:port`, as net.SplitHostPort; undefined without a port. */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(entry) ?? /^([^:[\]]*):([^:]*)$/.exec(entry);
  return m ? { host: m[1]!, port: m[2]! } : undefined;
}

/** One NO_PROXY entry, as httpproxy config.init reads it. */
type Matcher = { kind: 'all' } | { kind: 'cidr'; list: BlockList } | { kind: 'ip'; ip: string; port: string } | { kind: 'domain'; suffix: string; port: string; exact: boolean };

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 4 ? 'ipv4' : 'ipv6');

function parseNoProxy(value: string): Matcher[] {
  const out: Matcher[] = [];
  for (const raw of value.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return [{ kind: 'all' }];
    const cidr = /^(.+)\/(\d{1,3})$/.exec(p);
    if (cidr && isIP(cidr[1]!) !== 0) {
      const bits = Number(cidr[2]);
      if (bits <= (isIP(cidr[1]!) === 4 ? 32 : 128)) {
        const list = new BlockList();
        list.addSubnet(cidr[1]!, bits, family(cidr[1]!));
        out.push({ kind: 'cidr', list });
        continue;
      }
    }
    const split = splitHostPort(p);
    const host = split ? split.host : p;
    const port = split ? split.port : '';
    if (host === '') continue;
    if (isIP(host) !== 0) {
      out.push({ kind: 'ip', ip: host, port });
      continue;
    }
    // `foo.com` matches foo.com and its subdomains; `.foo.com` and `*.foo.com` subdomains only.
    let suffix = host.startsWith('*.') ? host.slice(1) : host;
    const exact = !suffix.startsWith('.');
    if (exact) suffix = `.${suffix}`;
    const ascii = domainToASCII(suffix.slice(1));
    out.push({ kind: 'domain', suffix: ascii === '' ? suffix : `.${ascii}`, port, exact });
  }
  return out;
}

function sameIp(a: string, b: string): boolean {
  if (isIP(a) === 0 || isIP(b) === 0) return false;
  const list = new BlockList();
  list.addAddress(a, family(a));
  return list.check(b, family(b));
}

/** httpproxy useProxy: whether a request to host:port goes through the proxy. */
function useProxy(host: string, port: string, noProxy: readonly Matcher[]): boolean {
  if (host === 'localhost') return false;
  const ip = isIP(host) !== 0;
  if (ip && isLoopback(host)) return false;
  for (const m of noProxy) {
    if (m.kind === 'all') return false;
    if (ip && m.kind === 'cidr' && m.list.check(host, family(host))) return false;
    if (ip && m.kind === 'ip' && sameIp(m.ip, host) && (m.port === '' || m.port === port)) return false;
    if (!ip && m.kind === 'domain' && (host.endsWith(m.suffix) || (m.exact && host === m.suffix.slice(1))) && (m.port === '' || m.port === port)) return false;
  }
  return true;
}

/**
 * The proxy URL for requests to `server` from HTTPS_PROXY (https servers) or HTTP_PROXY (http
 * servers), upper case first, unless NO_PROXY excludes the server; `localhost` and loopback
 * addresses are never proxied. Undefined for a direct connection.
 */
export function proxyFromEnvironment(server: URL, env: Env): string | undefined {
  const https = server.protocol === 'https:';
  const proxy = parseProxy(https ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy'));
  if (proxy === undefined) return undefined;
  // proxyForURL: HTTP_PROXY may be set by a client of a CGI program (golang.org/s/cgihttpproxy).
  if (!https && envAny(env, 'REQUEST_METHOD') !== '') {
    throw new ClusterError('refusing to use HTTP_PROXY in a CGI environment (REQUEST_METHOD is set); see golang.org/s/cgihttpproxy');
  }
  const host = server.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = server.port || (https ? '443' : '80');
  return useProxy(host, port, parseNoProxy(envAny(env, 'NO_PROXY', 'no_proxy'))) ? proxy : undefined;
}
