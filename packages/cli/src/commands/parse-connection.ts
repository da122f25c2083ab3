import { isPortName, protocols, type BoundEndpoint, type ConnectionProtocol, type Endpoint, type Protocol } from '@netpolc/ir';
import { UsageError } from '../io.js';

/** Parses `--protocol`, default TCP. */
export function parseProtocol(value: unknown): Protocol {
  return parseProtocolGiven(value) ?? 'TCP';
}

/** Parses `--protocol`, undefined when not given. */
export function parseProtocolGiven(value: unknown): Protocol | undefined {
  if (value === undefined) return undefined;
  const p = String(value).toUpperCase();
  if (!protocols.includes(p as Protocol)) throw new UsageError(`--protocol must be TCP, UDP or SCTP, not ${String(value)}`);
  return p as Protocol;
}

/** Parses explain's `--protocol`, which also takes ICMP (an echo request); undefined when not given. */
export function parseConnectionProtocol(value: unknown): ConnectionProtocol | undefined {
  if (value === undefined) return undefined;
  const p = String(value).toUpperCase();
  if (p !== 'ICMP' && !protocols.includes(p as Protocol)) throw new UsageError(`--protocol must be TCP, UDP, SCTP or ICMP, not ${String(value)}`);
  return p as ConnectionProtocol;
}

/** Parses `--port`. */
export function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--port must be an integer between 1 and 65535, not ${text}`);
  return n;
}

/** Parses explain's `--port`: a number, or a port name to resolve on the destination pod. */
export function parsePortOrName(value: unknown): number | string | undefined {
  return typeof value === 'string' && isPortName(value) ? value : parsePort(value);
}

/**
 * A named `--port` as Kubernetes resolves a policy's named port: on the destination pod's
 * containers, with the protocol given (or the named port's own, when none is).
 */
export function resolvePortName(name: string, dst: BoundEndpoint, protocol: Protocol | undefined): { port: number; protocol: Protocol } {
  const pod = dst.pod;
  if (!pod) throw new UsageError(`--port ${name} is a port name, and ${dst.ip} is no pod's address to look it up on: give a number`);
  const named = pod.ports.filter((p) => p.name === name);
  const found = named.find((p) => protocol === undefined || p.protocol === protocol);
  if (found) return { port: found.port, protocol: found.protocol };
  const id = `${pod.namespace}/${pod.name}`;
  if (named.length > 0) throw new UsageError(`pod ${id} names port ${name} for ${named.map((p) => p.protocol).join(', ')}, not ${protocol}`);
  const names = [...new Set(pod.ports.flatMap((p) => (p.name === undefined ? [] : [`${p.name} (${p.protocol}/${p.port})`])))];
  throw new UsageError(`pod ${id} has no container port named ${name}${names.length > 0 ? ` (its named ports: ${names.join(', ')})` : ' (it names none)'}`);
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
