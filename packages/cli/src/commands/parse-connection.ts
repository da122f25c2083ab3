import { protocols, type Endpoint, type Protocol } from '@netpolc/ir';
import { UsageError } from '../io.js';

/** Parses `--protocol`, default TCP. */
export function parseProtocol(value: unknown): Protocol {
  if (value === undefined) return 'TCP';
  const p = String(value).toUpperCase();
  if (!protocols.includes(p as Protocol)) throw new UsageError(`--protocol must be TCP, UDP or SCTP, not ${String(value)}`);
  return p as Protocol;
}

/** Parses `--port`. */
export function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--port must be an integer between 1 and 65535, not ${text}`);
  return n;
}

/** Parses an endpoint: `ns/pod`, `ns/pod@IP`, or a bare IP. */
export function parseEndpoint(flag: string, value: unknown): Endpoint {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required (ns/pod or an IP address)`);
  // A pod is `ns/name` before any `@`; the address after it may be IPv6 (`ns/name@fd00::1`).
  const at = value.indexOf('@');
  const pod = at >= 0 ? value.slice(0, at) : value;
  const slash = pod.indexOf('/');
  if (slash > 0 && !pod.includes(':') && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(pod)) {
    const [namespace, name] = [pod.slice(0, slash), pod.slice(slash + 1)];
    if (name === '' || name.includes('/')) throw new UsageError(`${flag} ${value} names no pod: give ns/pod, ns/pod@IP or an IP address`);
    return at >= 0 ? { kind: 'pod', namespace, name, ip: unbracket(value.slice(at + 1)) } : { kind: 'pod', namespace, name };
  }
  return { kind: 'ip', ip: unbracket(value) };
}

/** An IPv6 address as URLs write it, `[2001:db8::1]`, without its brackets. */
function unbracket(ip: string): string {
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}
