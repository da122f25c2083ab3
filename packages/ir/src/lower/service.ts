// Services are read for one purpose: warning about policies written against a Service's port or
// ClusterIP (semantics.md §4 row 7). They never change a verdict, so a Service netpolc cannot
// read is passed over quietly (an info), never an error that would stop a compile.
import { irDiagnostic } from '../diagnostics/catalog.js';
import { refAt } from '../diagnostics/diagnostic.js';
import type { Address, Service, ServicePort } from '../model/inventory.js';
import type { Protocol } from '../model/policy.js';
import type { ManifestObject } from '../source/read-objects.js';
import { isMap, type Fields, type LowerContext } from './fields.js';
import { lowerMetadata } from './metadata.js';
import { isPortName } from './names.js';
import { canonicalAddress, uniqueAddresses } from './pod-fast.js';

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

/** A Service port's targetPort as the API server stores it: an absent, zero or empty one is the port (SetDefaults_Service). */
export function defaultedTargetPort(port: unknown, target: unknown): unknown {
  return target === undefined || target === null || target === 0 || target === '' ? port : target;
}

/** A Service port's protocol as the API server stores it: an absent or empty one is TCP (SetDefaults_Service). */
export function defaultedServiceProtocol(protocol: unknown): unknown {
  return protocol === undefined || protocol === null || protocol === '' ? 'TCP' : protocol;
}

function servicePort(p: unknown): ServicePort | undefined {
  if (!isMap(p) || !isPort(p['port'])) return undefined;
  const protocol = defaultedServiceProtocol(p['protocol']);
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return undefined;
  const targetPort = defaultedTargetPort(p['port'], p['targetPort']);
  if (!isPort(targetPort) && !(typeof targetPort === 'string' && isPortName(targetPort))) return undefined;
  return { port: p['port'], protocol: protocol as Protocol, targetPort };
}

function clusterIPs(spec: Fields): Address[] {
  const listed = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [spec['clusterIP']];
  const out: Address[] = [];
  for (const ip of listed) {
    const a = typeof ip === 'string' ? canonicalAddress(ip) : undefined;
    if (a) out.push(a);
  }
  return uniqueAddresses(out);
}

/** How outside clients reach a Service whose externalTrafficPolicy is Cluster (the default), if they do. */
function masquerading(spec: Fields): string | undefined {
  if (spec['externalTrafficPolicy'] === 'Local') return undefined;
  // service.ExternallyAccessible: NodePort, LoadBalancer, or any Service with external IPs.
  if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') return spec['type'];
  return Array.isArray(spec['externalIPs']) && spec['externalIPs'].length > 0 ? 'externalIPs' : undefined;
}

/**
 * Reads a v1 Service: its selector, ports and cluster IPs. One that cannot be read (with an info)
 * or is an ExternalName (a DNS alias: no proxy) is kept without them, so that it still replaces a
 * cluster's Service of its name (`--from-cluster`); undefined when even its name cannot be read.
 */
export function lowerService(ctx: LowerContext, object: ManifestObject): Service | undefined {
  const local: LowerContext = { ...ctx, diagnostics: [] };
  const meta = lowerMetadata(local, object.value, object.ref, 'Service', true);
  const spec = object.value['spec'];
  const readable = meta !== undefined && local.diagnostics.length === 0 && isMap(spec);
  if (!readable) ctx.diagnostics.push(irDiagnostic('ir/service-unread', {}, object.ref));
  if (!meta || local.diagnostics.length > 0) return undefined;
  const none = { namespace: meta.namespace!, name: meta.name, selector: undefined, ports: [], clusterIPs: [], masqueradesClients: undefined, origin: object.ref };
  if (!readable || spec['type'] === 'ExternalName') return none;
  const raw = spec['selector'];
  const selector = isMap(raw) && Object.keys(raw).length > 0 && Object.values(raw).every((v) => typeof v === 'string') ? (raw as Record<string, string>) : undefined;
  // A headless Service (clusterIP None) is not proxied: its clients reach the pods' own ports.
  const proxied = spec['clusterIP'] !== 'None';
  const ports: ServicePort[] = [];
  if (proxied && Array.isArray(spec['ports'])) {
    spec['ports'].forEach((raw: unknown, i) => {
      const p = servicePort(raw);
      if (p) ports.push(p);
      // The API server refuses such a port (and a snapshot would carry it): said, not guessed at.
      else ctx.diagnostics.push(irDiagnostic('ir/service-port-unread', { index: String(i) }, refAt(object.ref, 'spec', 'ports', i)));
    });
  }
  return { namespace: meta.namespace!, name: meta.name, selector, ports, clusterIPs: clusterIPs(spec), masqueradesClients: masquerading(spec), origin: object.ref };
}
