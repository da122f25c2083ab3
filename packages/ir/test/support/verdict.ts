import { allowedResolved, evaluate, resolve, type Connection, type ConnectionProtocol, type LoadOptions } from '../../src/index.js';
import { loadValid, probeEndpoint, type Manifest } from '../../src/testing/index.js';

/**
 * Decides one connection with the reference evaluator, and checks that the resolved layer
 * agrees (so every semantic test covers both implementations).
 */
export function allowed(objects: readonly Manifest[], from: string, to: string, protocol: ConnectionProtocol, port: number, options: LoadOptions = {}): boolean {
  const { program } = loadValid(objects, options);
  const conn: Connection = { src: probeEndpoint(from), dst: probeEndpoint(to), protocol, port };
  const v = evaluate(program, conn);
  if ('error' in v) throw new Error(v.error);
  const r = allowedResolved(resolve(program), conn);
  if (r !== v.allowed) throw new Error(`resolved layer disagrees on ${from} -> ${to} ${protocol}/${port}: evaluator ${v.allowed}, resolved ${String(r)}`);
  return v.allowed;
}
