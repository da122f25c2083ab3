import { evaluate, type Connection, type Program } from '../../src/index.js';
import { loadValid, type Manifest } from '../../src/testing/index.js';
import type { OracleConnection, OracleEndpoint } from './independent-oracle.js';

/** The reference evaluator called as in properties.test.ts (default options); undefined on an error verdict. */
export function reference(objects: readonly Manifest[], c: OracleConnection): boolean | undefined {
  const program: Program = loadValid(objects).program;
  const v = evaluate(program, c as Connection);
  return 'error' in v ? undefined : v.allowed;
}

/** connectionArb always gives pod endpoints their address; the oracle needs it (ipBlock matching). */
export function withAddresses(c: Connection): OracleConnection {
  for (const e of [c.src, c.dst]) if (e.ip === undefined) throw new Error(`endpoint without an address: ${JSON.stringify(e)}`);
  return c as OracleConnection;
}

// Raw manifest helpers for the independent-oracle tests (written here so that corner forms - omitted fields, podIP only, ports
// without protocol - are exactly what a user would write).

export type Obj = Record<string, unknown>;
export const ns = (name: string, labels?: Record<string, string>): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } });
export const nodeM = (name: string, ips: string[]): Obj => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) } });
export interface PodSpec {
  ns?: string;
  labels?: Record<string, string>;
  ips?: string[];
  node?: string;
  ports?: Obj[];
  phase?: string;
  hostNetwork?: boolean;
  podIPOnly?: boolean;
}
export function podM(name: string, s: PodSpec): Obj {
  const ips = s.ips ?? [];
  const status: Obj = { phase: s.phase ?? 'Running' };
  if (ips.length > 0) {
    status['podIP'] = ips[0];
    if (!s.podIPOnly) status['podIPs'] = ips.map((ip) => ({ ip }));
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(s.ns !== undefined ? { namespace: s.ns } : {}), labels: s.labels ?? {} },
    spec: { ...(s.node !== undefined ? { nodeName: s.node } : {}), ...(s.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'main', image: 'img', ports: s.ports ?? [] }] },
    status,
  };
}
export const np = (namespace: string | undefined, name: string, spec: Obj): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
  spec,
});
export const podEp = (namespace: string, name: string, ip: string): OracleEndpoint => ({ kind: 'pod', namespace, name, ip });
export const ipEp = (ip: string): OracleEndpoint => ({ kind: 'ip', ip });
export const conn = (src: OracleEndpoint, dst: OracleEndpoint, protocol: string, port: number): OracleConnection => ({ src, dst, protocol, port });
