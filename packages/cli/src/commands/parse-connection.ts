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
  const slash = value.indexOf('/');
  if (slash > 0 && !value.includes(':') && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(value)) {
    const [ns, rest] = [value.slice(0, slash), value.slice(slash + 1)];
    const at = rest.indexOf('@');
    return at >= 0 ? { kind: 'pod', namespace: ns, name: rest.slice(0, at), ip: rest.slice(at + 1) } : { kind: 'pod', namespace: ns, name: rest };
  }
  return { kind: 'ip', ip: value };
}
