import { irDiagnostic } from '../diagnostics/catalog.js';
import { refAt } from '../diagnostics/diagnostic.js';
import type { Address, ContainerPort, Namespace, Node, Pod, SidecarPort } from '../model/inventory.js';
import type { Protocol } from '../model/policy.js';
import type { ManifestObject } from '../source/read-objects.js';
import { asMapItem, boolField, deref, intField, valueText, wrongType, lazyAt, listField, mapField, stringField, type Fields, type LowerContext, type RefLike } from './fields.js';
import { lowerMetadata } from './metadata.js';
import { canonicalAddress, lowerPodFast, podOf, uniqueAddresses } from './pod-fast.js';

/** Label the API server sets on every namespace. */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/** Reads a v1 Namespace. */
export function lowerNamespace(ctx: LowerContext, object: ManifestObject): Namespace | undefined {
  const meta = lowerMetadata(ctx, object.value, object.ref, 'Namespace', false);
  if (!meta) return undefined;
  return { name: meta.name, labels: { ...meta.labels, [namespaceNameLabel]: meta.name }, declared: true, origin: object.ref };
}

function lowerAddress(ctx: LowerContext, text: unknown, ref: RefLike): Address | undefined {
  if (text === undefined) {
    ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'ip' }, deref(ref)));
    return undefined;
  }
  if (typeof text !== 'string') {
    wrongType(ctx, ref, 'ip', 'a string', text, '');
    return undefined;
  }
  const address = canonicalAddress(text);
  if (!address) ctx.diagnostics.push(irDiagnostic('ir/invalid-ip', { value: JSON.stringify(text) }, deref(ref)));
  return address;
}

/** Container ports, and the named ports of init containers that are no sidecars (see Pod.initPorts). */
function lowerContainerPorts(ctx: LowerContext, spec: Fields, specRef: RefLike, podName: string): { ports: ContainerPort[]; initPorts: ContainerPort[]; sidecarPorts: SidecarPort[] } {
  const ports: ContainerPort[] = [];
  const initPorts: ContainerPort[] = [];
  const sidecarPorts: SidecarPort[] = [];
  let names: Set<string> | undefined;
  for (const group of ['containers', 'initContainers'] as const) {
    (listField(ctx, spec, group, specRef) ?? []).forEach((c, ci) => {
      const cRef = lazyAt(specRef, group, ci);
      const container = asMapItem(ctx, c, cRef, 'container');
      if (!container) return;
      // Only restartable init containers (native sidecars) keep serving ports.
      const plainInit = group === 'initContainers' && container['restartPolicy'] !== 'Always';
      // A plain init container's ports were never checked: only its named ones are read now.
      const list = plainInit ? (Array.isArray(container['ports']) ? (container['ports'] as unknown[]) : []) : (listField(ctx, container, 'ports', cRef) ?? []);
      list.forEach((p, pi) => {
        const pRef = lazyAt(cRef, 'ports', pi);
        // An init container that is no sidecar matters only for its named ports (Pod.initPorts).
        if (plainInit && !(typeof p === 'object' && p !== null && typeof (p as Fields)['name'] === 'string' && (p as Fields)['name'] !== '')) return;
        const port = asMapItem(ctx, p, pRef, 'container port');
        if (!port) return;
        const number = intField(ctx, port, 'containerPort', pRef);
        const name = stringField(ctx, port, 'name', pRef);
        const protocol = stringField(ctx, port, 'protocol', pRef) ?? 'TCP';
        if (port['containerPort'] === undefined || port['containerPort'] === null) {
          ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'containerPort' }, pRef()));
          return;
        }
        if (number === undefined || number < 1 || number > 65535) {
          ctx.diagnostics.push(irDiagnostic('ir/invalid-port', { value: valueText(port['containerPort']), reason: 'must be an integer between 1 and 65535' }, refAt(pRef(), 'containerPort')));
          return;
        }
        if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
          ctx.diagnostics.push(irDiagnostic('ir/invalid-protocol', { value: JSON.stringify(protocol), hint: '' }, refAt(pRef(), 'protocol')));
          return;
        }
        if (plainInit) {
          if (name) initPorts.push({ name, port: number, protocol: protocol as Protocol });
          return;
        }
        if (name) {
          names ??= new Set();
          if (names.has(name)) ctx.diagnostics.push(irDiagnostic('ir/named-port-conflict', { pod: podName, name }, refAt(pRef(), 'name')));
          names.add(name);
        }
        ports.push({ name: name || undefined, port: number, protocol: protocol as Protocol });
        if (group === 'initContainers' && name) sidecarPorts.push({ name, port: number, protocol: protocol as Protocol, container: typeof container['name'] === 'string' ? container['name'] : '' });
      });
    });
  }
  return { ports, initPorts, sidecarPorts };
}

/** Reads a v1 Pod: labels, node, addresses, container ports, and whether it takes part in policy. */
export function lowerPod(ctx: LowerContext, object: ManifestObject): Pod | undefined {
  return lowerPodFast(object.value, object.ref, ctx.defaultNamespace) ?? lowerPodChecked(ctx, object);
}

/** {@link lowerPod} with every check and diagnostic (the fast path's fallback and oracle). */
export function lowerPodChecked(ctx: LowerContext, object: ManifestObject): Pod | undefined {
  const { value: obj, ref } = object;
  const meta = lowerMetadata(ctx, obj, ref, 'Pod', true);
  const specRef = lazyAt(ref, 'spec');
  const statusRef = lazyAt(ref, 'status');
  const spec = mapField(ctx, obj, 'spec', ref) ?? {};
  const status = mapField(ctx, obj, 'status', ref) ?? {};
  const nodeName = stringField(ctx, spec, 'nodeName', specRef);
  const hostNetwork = boolField(ctx, spec, 'hostNetwork', specRef) ?? false;
  const phase = stringField(ctx, status, 'phase', statusRef);
  const addresses: Address[] = [];
  const podIPs = listField(ctx, status, 'podIPs', statusRef);
  const podIP = status['podIP'] !== undefined && status['podIP'] !== null && status['podIP'] !== '' ? lowerAddress(ctx, status['podIP'], lazyAt(statusRef, 'podIP')) : undefined;
  if (podIPs && podIPs.length > 0) {
    podIPs.forEach((entry, i) => {
      const at = lazyAt(statusRef, 'podIPs', i);
      const item = asMapItem(ctx, entry, at, 'podIPs entry');
      if (!item) return;
      const a = lowerAddress(ctx, item['ip'], lazyAt(at, 'ip'));
      if (a) addresses.push(a);
    });
    // One address written twice (plain and IPv4-mapped) is one address (podOf keeps it once).
    const distinct = [...new Set(addresses.map((a) => a.ip))];
    if (distinct.length > 2 || (distinct.length === 2 && distinct[0]!.includes(':') === distinct[1]!.includes(':'))) {
      ctx.diagnostics.push(irDiagnostic('ir/too-many-pod-ips', { found: distinct.join(', ') }, deref(lazyAt(statusRef, 'podIPs'))));
    }
    if (podIP && addresses.length > 0 && addresses[0]!.ip !== podIP.ip) {
      ctx.diagnostics.push(irDiagnostic('ir/pod-ip-mismatch', { podIP: podIP.ip, first: addresses[0]!.ip }, deref(lazyAt(statusRef, 'podIP'))));
      addresses.length = 0;
      addresses.push(podIP);
    }
  } else if (podIP) {
    addresses.push(podIP);
  }
  const { ports, initPorts, sidecarPorts } = lowerContainerPorts(ctx, spec, specRef, meta ? `${meta.namespace}/${meta.name}` : '(unnamed)');
  if (!meta) return undefined;
  return podOf({ namespace: meta.namespace!, name: meta.name, labels: meta.labels, nodeName, hostNetwork, phase, ports, initPorts, sidecarPorts, origin: ref }, addresses);
}

/** Why a pod takes no part in policy, for `--verbose`. */
export function ignoredReason(pod: Pod): string {
  if (pod.hostNetwork) return 'hostNetwork pods share their node address (node traffic, matched only by ipBlock)';
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return `phase is ${pod.phase}`;
  return 'it has no IP (no status.podIPs)';
}

/** Reads a v1 Node and its IP addresses (`status.addresses` of IP types). */
export function lowerNode(ctx: LowerContext, object: ManifestObject): Node | undefined {
  const { value: obj, ref } = object;
  const meta = lowerMetadata(ctx, obj, ref, 'Node', false);
  const statusRef = lazyAt(ref, 'status');
  const status = mapField(ctx, obj, 'status', ref) ?? {};
  const addresses: Address[] = [];
  (listField(ctx, status, 'addresses', statusRef) ?? []).forEach((entry, i) => {
    const at = lazyAt(statusRef, 'addresses', i);
    const item = asMapItem(ctx, entry, at, 'node address');
    if (!item) return;
    const type = stringField(ctx, item, 'type', at);
    if (type !== 'InternalIP' && type !== 'ExternalIP') return;
    const a = lowerAddress(ctx, item['address'], lazyAt(at, 'address'));
    if (a) addresses.push(a);
  });
  if (!meta) return undefined;
  return { name: meta.name, labels: meta.labels, addresses: uniqueAddresses(addresses), origin: ref };
}
