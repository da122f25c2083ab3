import { allowedResolved, evaluate, resolve, type Connection, type Endpoint, type LoadOptions, type Protocol } from '../../src/index.js';
import { loadValid, type Manifest } from '../../src/testing/index.js';

/** `ns/pod`, `ns/pod@ip` or a bare IP, as in `netpolc explain`. */
function endpoint(text: string): Endpoint {
  if (!/^[a-z0-9-]+\/[a-z0-9.-]+(@.+)?$/.test(text)) return { kind: 'ip', ip: text };
  const [ns, rest] = text.split('/') as [string, string];
  const [name, ip] = rest.split('@') as [string, string | undefined];
  return ip === undefined ? { kind: 'pod', namespace: ns, name } : { kind: 'pod', namespace: ns, name, ip };
}

/**
 * Decides one connection with the reference evaluator, and checks that the resolved layer
 * agrees (so every semantic test covers both implementations).
 */
export function allowed(objects: readonly Manifest[], from: string, to: string, protocol: Protocol, port: number, options: LoadOptions = {}): boolean {
  const { program } = loadValid(objects, options);
  const conn: Connection = { src: endpoint(from), dst: endpoint(to), protocol, port };
  const v = evaluate(program, conn);
  if ('error' in v) throw new Error(v.error);
  const r = allowedResolved(resolve(program), conn);
  if (r !== v.allowed) throw new Error(`resolved layer disagrees on ${from} -> ${to} ${protocol}/${port}: evaluator ${v.allowed}, resolved ${String(r)}`);
  return v.allowed;
}
