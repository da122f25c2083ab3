// Drives the backend as the CLI does and compares the independent Cilium interpreter's verdicts on
// the printed YAML with the reference evaluate() of @netpolc/ir.
import { evaluate, resolve, type Diagnostic, type Endpoint, type LoadOptions, type ConnectionProtocol, type Program, type RawOptions } from '@netpolc/ir';
import { loadValid, type Manifest } from '@netpolc/ir/testing';
import { parseAllDocuments } from 'yaml';
import { ciliumBackend } from '../../../src/index.js';
import { evaluateCilium, parseCnp, type CiliumCluster, type CiliumEndpoint, type ParsedRule } from './cilium.js';
import { defaultModelOptions, podIdentity, type CiliumModelOptions } from './identities.js';

export interface Emitted {
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** `backend.parseOptions({...raw, 'out-dir': '-'})` then `backend.emit({program, resolved})`. */
export function emitText(program: Program, raw: RawOptions = {}): Emitted {
  const parsed = ciliumBackend.parseOptions({ ...raw, 'out-dir': '-' });
  if (parsed.diagnostics.some((d) => d.severity === 'error')) throw new Error(`option errors: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const r = ciliumBackend.emit({ program, resolved: resolve(program) }, parsed.options);
  if (r.files.length !== 1) throw new Error(`expected one stream, got ${r.files.length}`);
  return { text: r.files[0]!.content, diagnostics: r.diagnostics };
}

/** Every CNP object of the YAML stream, read with the `yaml` package (YAML 1.2). */
export function readObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors[0]!.message}`);
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) continue;
    out.push(v as Record<string, unknown>);
  }
  return out;
}

export function parseRules(text: string, o: CiliumModelOptions): ParsedRule[] {
  return readObjects(text).flatMap((obj) => parseCnp(obj, o));
}

/** A pod of another cluster of the mesh: same labels and namespace as a local one, its own IP. */
export interface RemotePod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly namespaceLabels: Record<string, string>;
  readonly ip: string;
  readonly cluster: string;
}

/** The cluster as Cilium sees it, from the program's inventory (plus pods of other clusters). */
export function ciliumCluster(program: Program, o: CiliumModelOptions, remote: readonly RemotePod[] = [], unlistedNodeIps: Readonly<Record<string, string>> = {}, remoteNodeIps: readonly string[] = []): CiliumCluster {
  const nsLabels = new Map(program.inventory.namespaces.map((n) => [n.name, n.labels]));
  const endpoints: CiliumEndpoint[] = [];
  for (const p of program.inventory.pods) {
    if (!p.actionable) continue; // no IP, finished or hostNetwork: no Cilium endpoint
    // Named ports come from spec.containers only (pkg/k8s/labels.go GetPodMetadata); native
    // sidecars are init containers, so their names are not known to Cilium.
    const sidecar = new Set((p.sidecarPorts ?? []).map((s) => `${s.name}/${s.port}/${s.protocol}`));
    endpoints.push({
      id: `${p.namespace}/${p.name}`,
      cluster: o.clusterName,
      namespace: p.namespace,
      node: p.nodeName,
      ips: p.addresses.map((a) => a.ip),
      identity: podIdentity(p.labels, p.namespace, nsLabels.get(p.namespace) ?? {}, o.clusterName),
      namedPorts: p.ports.filter((c) => c.name !== undefined && !sidecar.has(`${c.name}/${c.port}/${c.protocol}`)).map((c) => ({ name: c.name!, port: c.port, protocol: c.protocol })),
      local: true,
    });
  }
  remote.forEach((r, i) => {
    endpoints.push({ id: `${r.namespace}/remote-${i}@${r.cluster}`, cluster: r.cluster, namespace: r.namespace, node: undefined, ips: [r.ip], identity: podIdentity(r.labels, r.namespace, r.namespaceLabels, r.cluster), namedPorts: [], local: false });
  });
  // A node also owns addresses its Node object does not list (the cilium_host router address in
  // the pod CIDR; every address of the local node's interfaces): Cilium gives them the node's
  // identity (host / remote-node), Kubernetes sees a plain address.
  const nodes = program.inventory.nodes.map((n) => ({ name: n.name, ips: [...n.addresses.map((a) => a.ip), ...(unlistedNodeIps[n.name] ? [unlistedNodeIps[n.name]!] : [])], local: true }));
  // Nodes of the other clusters of a mesh are remote-node too (cilium/cilium#37989).
  remoteNodeIps.forEach((ip, i) => nodes.push({ name: `remote-cluster-node-${i}`, ips: [ip], local: false }));
  return { options: o, endpoints, nodes };
}

export interface Probe {
  readonly src: string;
  readonly dst: string;
  readonly protocol: ConnectionProtocol;
  readonly port: number;
}

export interface Mismatch extends Probe {
  readonly reference: boolean;
  readonly cilium: boolean;
  readonly detail: string;
}

export interface CompareResult {
  readonly compared: number;
  /** Cilium allows, the reference denies. */
  readonly wider: Mismatch[];
  /** Cilium denies, the reference allows. */
  readonly narrower: Mismatch[];
}

const familyOf = (ip: string) => (ip.includes(':') ? 6 : 4);

/** Addresses to probe: every pod address, every node address, and the given external ones. */
export function probeAddresses(program: Program, external: readonly string[]): string[] {
  const set = new Set<string>();
  for (const p of program.inventory.pods) for (const a of p.addresses) set.add(a.ip);
  for (const n of program.inventory.nodes) for (const a of n.addresses) set.add(a.ip);
  for (const e of external) set.add(e);
  return [...set];
}

function endpointOf(program: Program, ip: string): Endpoint {
  const pod = program.inventory.pods.find((p) => p.actionable && p.addresses.some((a) => a.ip === ip));
  return pod ? { kind: 'pod', namespace: pod.namespace, name: pod.name, ip } : { kind: 'ip', ip };
}

/**
 * Compares every probe between the given addresses (same family, at least one side an actionable
 * pod, or a remote-cluster pod) on the protocols and ports given.
 */
export function compareAll(
  program: Program,
  evalProgram: Program,
  rules: readonly ParsedRule[],
  cluster: CiliumCluster,
  addresses: readonly string[],
  protocols: readonly ConnectionProtocol[],
  ports: readonly number[],
): CompareResult {
  const wider: Mismatch[] = [];
  const narrower: Mismatch[] = [];
  let compared = 0;
  const isLocalPod = (ip: string) => cluster.endpoints.some((e) => e.local && e.ips.includes(ip));
  void program;
  for (const src of addresses) {
    for (const dst of addresses) {
      if (familyOf(src) !== familyOf(dst)) continue;
      if (!isLocalPod(src) && !isLocalPod(dst)) continue;
      for (const protocol of protocols) {
        for (const port of protocol === 'ICMP' ? [0] : ports) {
          const ref = evaluate(evalProgram, { src: endpointOf(evalProgram, src), dst: endpointOf(evalProgram, dst), protocol, port });
          if ('error' in ref) continue;
          const v6 = familyOf(src) === 6;
          const cil = protocol === 'ICMP' ? evaluateCilium(rules, cluster, src, dst, v6 ? 'ICMPV6' : 'ICMP', v6 ? 128 : 8) : evaluateCilium(rules, cluster, src, dst, protocol, port);
          compared++;
          if (ref.allowed === cil.allowed) continue;
          const m = { src, dst, protocol, port, reference: ref.allowed, cilium: cil.allowed, detail: `egress ${cil.egress.reason}; ingress ${cil.ingress.reason}; ref egress ${ref.egress.reason}, ingress ${ref.ingress.reason}` };
          (cil.allowed ? wider : narrower).push(m);
        }
      }
    }
  }
  return { compared, wider, narrower };
}

/** The transports, and ICMP: an echo request (port 0 to the reference, type 8/128 to Cilium). */
export const allProtocols: readonly ConnectionProtocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP'];

/** Options of the model matching the backend's raw options. */
export function modelFor(raw: RawOptions, extra: Partial<CiliumModelOptions> = {}): CiliumModelOptions {
  const v = typeof raw['cilium-version'] === 'string' ? (raw['cilium-version'] as string).split('.').map(Number) : [1, 17];
  return { ...defaultModelOptions, version: [v[0]!, v[1]!], clusterName: typeof raw['cluster-name'] === 'string' ? (raw['cluster-name'] as string) : 'default', ...extra };
}

export interface Scenario {
  readonly manifests: readonly Manifest[];
  readonly raw?: RawOptions;
  /** Manifests the connections are evaluated on (relabelled cluster); default: the same. */
  readonly evalManifests?: readonly Manifest[];
  readonly external?: readonly string[];
  readonly ports?: readonly number[];
  readonly remote?: readonly RemotePod[];
  /** One unlisted address per node name (see ciliumCluster). */
  readonly unlistedNodeIps?: Readonly<Record<string, string>>;
  /** Addresses of other clusters' nodes (remote-node in Cilium, plain addresses for Kubernetes). */
  readonly remoteNodeIps?: readonly string[];
  /** Loader options (the semantics profile). */
  readonly load?: LoadOptions;
}

export interface ScenarioResult extends CompareResult {
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly codes: readonly string[];
  /** Worst non-info severity: diagnostics that license a fail-closed (narrower) output. */
  readonly failClosed: boolean;
}

export const defaultExternal = ['203.0.113.5', '8.8.8.8', '198.18.0.200', '198.18.1.77', '2001:db8::99', '2001:db8:1::1'];

/**
 * Runs one scenario under both release behaviours of peer namespace injection; returns the union
 * of mismatches (each must hold on every release the output targets).
 */
export function runScenario(s: Scenario): ScenarioResult {
  const raw = s.raw ?? {};
  const { program } = loadValid([...s.manifests], s.load ?? {});
  const evalProgram = s.evalManifests ? loadValid([...s.evalManifests], s.load ?? {}).program : program;
  const { text, diagnostics } = emitText(program, raw);
  const addresses = [...probeAddresses(evalProgram, s.external ?? defaultExternal), ...(s.remote ?? []).map((r) => r.ip), ...Object.values(s.unlistedNodeIps ?? {}), ...(s.remoteNodeIps ?? [])];
  const ports = s.ports ?? [80, 81, 82];
  let compared = 0;
  const wider: Mismatch[] = [];
  const narrower: Mismatch[] = [];
  for (const nsLabelsSkipInjection of [true, false]) {
    const o = modelFor(raw, { nsLabelsSkipInjection });
    const rules = parseRules(text, o);
    const cluster = ciliumCluster(evalProgram, o, s.remote ?? [], s.unlistedNodeIps ?? {}, s.remoteNodeIps ?? []);
    const r = compareAll(program, evalProgram, rules, cluster, addresses, allProtocols, ports);
    compared += r.compared;
    wider.push(...r.wider);
    narrower.push(...r.narrower);
  }
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  return { text, diagnostics, codes, failClosed: diagnostics.some((d) => d.severity !== 'info'), compared, wider, narrower };
}

/** The property every output must have: exact without (non-info) diagnostics, never wider. */
export function verdictProblems(r: ScenarioResult): string | undefined {
  const show = (ms: Mismatch[]) => ms.slice(0, 5).map((m) => `${m.src} -> ${m.dst} ${m.protocol}/${m.port} ref=${m.reference} cilium=${m.cilium} (${m.detail})`).join('\n');
  if (r.wider.length > 0) return `WIDER than Kubernetes (${r.wider.length}):\n${show(r.wider)}\ncodes: ${r.codes.join(',')}\n${r.text}`;
  if (!r.failClosed && r.narrower.length > 0) return `NARROWER without a diagnostic (${r.narrower.length}):\n${show(r.narrower)}\ncodes: ${r.codes.join(',')}\n${r.text}`;
  return undefined;
}
