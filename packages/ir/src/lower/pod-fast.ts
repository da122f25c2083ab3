import type { SourceRef } from '../diagnostics/diagnostic.js';
import type { Address, ContainerPort, Pod, SidecarPort } from '../model/inventory.js';
import type { Protocol } from '../model/policy.js';
import { formatIp, parseAddress } from '../net/ip.js';
import { exactSize } from '../util/exact-size.js';
import { absent, isMap, type Fields } from './fields.js';
import { isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue } from './names.js';

// The common case of reading a Pod (every field present has its type and a valid value), without
// the source references and closures the checked reading builds for its diagnostics: a kube-scale
// inventory is 150k pods, and those references were millions of short-lived objects. Anything
// else returns undefined and the checked reading (`lowerPod`) runs and reports. A property test
// holds the two to the same result wherever this one answers.

/** Sentinel: the field is there but not as expected. */
const bad = Symbol('bad');

function mapOrEmpty(v: unknown): Fields | typeof bad {
  if (absent(v)) return {};
  return isMap(v) ? v : bad;
}

function optionalString(v: unknown): string | undefined | typeof bad {
  if (absent(v)) return undefined;
  return typeof v === 'string' ? v : bad;
}

/** An address read strictly ({@link parseAddress}) with its canonical text; undefined when it does not parse. */
export function canonicalAddress(text: string): Address | undefined {
  const ip = parseAddress(text);
  if (!ip) return undefined;
  // Strict IPv4 text is canonical already (a mapped address is not IPv4 text); IPv6 has many
  // spellings of one address.
  return { family: ip.family, ip: ip.family === 4 && !text.includes(':') ? text : formatIp(ip.family, ip.value), value: ip.value };
}

/** The addresses without repeats (by canonical text), in their order. */
export function uniqueAddresses(list: Address[]): Address[] {
  if (list.length < 2) return list;
  const seen = new Set<string>();
  return list.filter((a) => !seen.has(a.ip) && (seen.add(a.ip), true));
}

/** Whether a pod takes part in policy: it has an address, is not finished, not on the host network. */
function takesPart(addresses: readonly Address[], phase: string | undefined, hostNetwork: boolean): boolean {
  return addresses.length > 0 && phase !== 'Succeeded' && phase !== 'Failed' && !hostNetwork;
}

/** What a reading of a Pod finds, before its addresses lose repeats and its part in policy is decided. */
export type PodFields = Omit<Pod, 'addresses' | 'actionable'>;

/** The Pod of both readings (fast and checked): addresses without repeats, and whether it takes part. */
export function podOf(f: PodFields, addresses: Address[]): Pod {
  const unique = uniqueAddresses(addresses);
  const pod: Pod = {
    namespace: f.namespace,
    name: f.name,
    labels: f.labels,
    nodeName: f.nodeName,
    hostNetwork: f.hostNetwork,
    phase: f.phase,
    addresses: unique,
    ports: f.ports,
    actionable: takesPart(unique, f.phase, f.hostNetwork),
    origin: f.origin,
  };
  // Set only when there are some: the rare pods with them take another shape, not every pod.
  if (f.initPorts && f.initPorts.length > 0) (pod as { initPorts?: readonly ContainerPort[] }).initPorts = f.initPorts;
  if (f.sidecarPorts && f.sidecarPorts.length > 0) (pod as { sidecarPorts?: readonly SidecarPort[] }).sidecarPorts = f.sidecarPorts;
  return pod;
}

function address(text: unknown): Address | undefined {
  return typeof text === 'string' ? canonicalAddress(text) : undefined;
}

const noLabels: Record<string, string> = Object.freeze({});

/**
 * The labels, when every one is valid: the parsed map itself (the parsed tree is the loader's own
 * and nothing changes it), so a kube-scale load keeps 150k maps the parser made instead of
 * copying each.
 */
function labelsOf(v: unknown): Record<string, string> | undefined {
  if (absent(v)) return noLabels;
  if (!isMap(v)) return undefined;
  for (const k of Object.keys(v)) {
    const value = v[k];
    if (typeof value !== 'string' || !isLabelKey(k) || !isLabelValue(value)) return undefined;
  }
  // A map made otherwise (no prototype, say) is copied into a plain one, as the checked reading does.
  return Object.getPrototypeOf(v) === Object.prototype ? (v as Record<string, string>) : { ...(v as Record<string, string>) };
}

/** The sidecars' named ports of the last {@link portsOf} call: one list reused, as most pods have none. */
const sidecarScratch: SidecarPort[] = [];

function portsOf(spec: Fields): ContainerPort[] | undefined {
  const ports: ContainerPort[] = [];
  sidecarScratch.length = 0;
  // Init containers count only as sidecars (restartPolicy: Always).
  if (!addPorts(spec['containers'], undefined, ports) || !addPorts(spec['initContainers'], sidecarScratch, ports)) return undefined;
  return exactSize(ports);
}

/**
 * Adds the ports of a container list (`sidecars` given for init containers, which collects the
 * sidecars' named ports); false when the list needs the checked reading.
 */
function addPorts(list: unknown, sidecars: SidecarPort[] | undefined, ports: ContainerPort[]): boolean {
  const init = sidecars !== undefined;
  if (absent(list)) return true;
  if (!Array.isArray(list)) return false;
  for (const c of list) {
    if (!isMap(c)) return false;
    if (init && c['restartPolicy'] !== 'Always') {
      // A named port there is kept apart (Pod.initPorts) by the checked reading.
      const cPorts = c['ports'];
      if (Array.isArray(cPorts) && cPorts.some((p) => isMap(p) && !absent(p['name']) && p['name'] !== '')) return false;
      continue;
    }
    const cPorts = c['ports'];
    if (absent(cPorts)) continue;
    if (!Array.isArray(cPorts)) return false;
    for (const p of cPorts) {
      if (!isMap(p)) return false;
      const number = p['containerPort'];
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) return false;
      const name = optionalString(p['name']);
      const protocol = optionalString(p['protocol']) ?? 'TCP';
      if (name === bad || (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')) return false;
      // A repeated name is an error; the lists are short, a scan beats a Set per pod.
      if (name) for (const q of ports) if (q.name === name) return false;
      ports.push({ name: name || undefined, port: number, protocol });
      if (sidecars && name) sidecars.push({ name, port: number, protocol, container: typeof c['name'] === 'string' ? c['name'] : '' });
    }
  }
  return true;
}

/** A Pod read without diagnostics, or undefined when it needs the checked reading. */
export function lowerPodFast(obj: Fields, ref: SourceRef, defaultNamespace: string): Pod | undefined {
  const meta = obj['metadata'];
  if (!isMap(meta)) return undefined;
  const name = meta['name'];
  if (typeof name !== 'string' || !isDnsSubdomain(name)) return undefined;
  const ns = optionalString(meta['namespace']);
  if (ns === bad || (ns !== undefined && !isDnsLabel(ns))) return undefined;
  const labels = labelsOf(meta['labels']);
  const spec = mapOrEmpty(obj['spec']);
  const status = mapOrEmpty(obj['status']);
  if (!labels || spec === bad || status === bad) return undefined;
  const nodeName = optionalString(spec['nodeName']);
  const hostNetwork = spec['hostNetwork'] ?? false;
  const phase = optionalString(status['phase']);
  if (nodeName === bad || typeof hostNetwork !== 'boolean' || phase === bad) return undefined;
  // Kept for the whole compile: at its exact size (see exactSize).
  let addresses: Address[] = [];
  const podIPs = status['podIPs'];
  if (!absent(podIPs) && !Array.isArray(podIPs)) return undefined;
  if (podIPs && podIPs.length > 0) {
    // More than one IP of a family, or a podIP other than the first: the checked reading says so.
    if (podIPs.length > 2) return undefined;
    addresses = new Array<Address>(podIPs.length);
    for (let i = 0; i < podIPs.length; i++) {
      const entry: unknown = podIPs[i];
      const a = isMap(entry) ? address(entry['ip']) : undefined;
      if (!a) return undefined;
      addresses[i] = a;
    }
    if (addresses.length === 2 && addresses[0]!.family === addresses[1]!.family && addresses[0]!.ip !== addresses[1]!.ip) return undefined;
    const podIP = status['podIP'];
    if (!absent(podIP) && podIP !== '' && podIP !== addresses[0]!.ip && address(podIP)?.ip !== addresses[0]!.ip) return undefined;
  } else if (!absent(status['podIP']) && status['podIP'] !== '') {
    const a = address(status['podIP']);
    if (!a) return undefined;
    addresses = [a];
  }
  const ports = portsOf(spec);
  if (!ports) return undefined;
  const fields: PodFields = { namespace: ns ?? defaultNamespace, name, labels, nodeName, hostNetwork, phase, ports, origin: ref };
  return podOf(sidecarScratch.length > 0 ? { ...fields, sidecarPorts: sidecarScratch.slice() } : fields, addresses);
}
