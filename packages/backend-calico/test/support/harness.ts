// Plumbing shared by the tests: run the backend as the CLI does, read its output back, and
// turn Kubernetes-style connections into packets for the Calico evaluator.
import { bindConnection, evaluate, hasErrors, type Connection, type Diagnostic, type LoadOptions, type Program, type Protocol, type RawOptions, type ResolvedProgram } from '@netpolc/ir';
import { loadValid, type Manifest } from '@netpolc/ir/testing';
import { calicoBackend } from '../../src/index.js';
import type { CalicoObject } from '../../src/model.js';
import { parseCalicoYaml } from '../../src/parse.js';
import { bystanders, calicoCluster, type NonWorkloadObjects } from './calico-cluster.js';
import { calicoEvaluator, type CalicoVerdict, type Packet } from './calico-evaluator.js';

/** Loads generated manifests, failing loudly on invalid input. */
export function load(objects: readonly Manifest[], options: LoadOptions = {}): Program {
  return loadValid(objects, options).program;
}

/** What one run of the backend produced. */
export interface Emitted {
  /** The objects read back from the printed stream. */
  readonly objects: readonly CalicoObject[];
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly report: string | undefined;
}

/** Stands in for the resolved layer, which the calico backend does not read (resolving is the slow part of a test run). */
export const unresolved = new Proxy({}, { get: () => { throw new Error('the calico backend read the resolved layer'); } }) as ResolvedProgram;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Runs the backend with raw CLI flags (on a deep-frozen program), printing to one stream and parsing it back. */
export function emit(program: Program, raw: RawOptions = {}): Emitted {
  deepFreeze(program);
  const parsed = calicoBackend.parseOptions({ ...raw, 'out-dir': '-' });
  if (hasErrors(parsed.diagnostics)) throw new Error(`bad options: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  // The calico backend translates the symbolic layer only; the resolved layer is never read.
  const result = calicoBackend.emit({ program, resolved: unresolved }, parsed.options);
  if (result.files.length !== 1) throw new Error(`expected one file for standard output, got ${result.files.length}`);
  const text = result.files[0]!.content;
  const back = parseCalicoYaml(text);
  if ('error' in back) throw new Error(`emitted YAML does not parse back: ${back.error}`);
  return { objects: back.objects, text, diagnostics: [...parsed.diagnostics, ...result.diagnostics], report: result.report };
}

/** The IPs of a connection (the family both ends share, as the reference evaluator binds it). */
export function packetOf(program: Program, conn: Connection): Packet | undefined {
  const bound = bindConnection(program, conn);
  if ('error' in bound) return undefined;
  // An ICMP connection is an echo request (type 8, ICMPv6 128).
  if (conn.protocol === 'ICMP') {
    const v6 = bound.src.ip.includes(':');
    return { srcIp: bound.src.ip, dstIp: bound.dst.ip, protocol: v6 ? 'ICMPv6' : 'ICMP', dstPort: 0, icmpType: v6 ? 128 : 8 };
  }
  return { srcIp: bound.src.ip, dstIp: bound.dst.ip, protocol: conn.protocol, dstPort: conn.port };
}

/**
 * An evaluator of emitted objects over the program's inventory, by default with host endpoints
 * and network sets beside the pods ({@link bystanders}): Kubernetes peers never select those, so
 * a faithful translation must not either.
 */
export function calicoVerdicts(program: Program, objects: readonly CalicoObject[], others: NonWorkloadObjects = bystanders(program.inventory)): (conn: Connection) => CalicoVerdict | undefined {
  const evaluate = calicoEvaluator(objects, calicoCluster(program.inventory, others));
  return (conn) => {
    const packet = packetOf(program, conn);
    return packet ? evaluate(packet) : undefined;
  };
}

/**
 * Every connection between the program's pods, one node address and one outside address, on
 * `ports`, where the Calico evaluator over the objects emitted with `raw` and the reference
 * evaluator disagree (one line each; empty when they agree).
 */
export function upstreamMismatches(program: Program, raw: RawOptions, ports: readonly (readonly [Protocol, number])[]): string[] {
  const pods = program.inventory.pods.filter((p) => p.actionable).map((p) => ({ kind: 'pod', namespace: p.namespace, name: p.name }) as const);
  const ends: Connection['src'][] = [...pods, { kind: 'ip', ip: '198.19.0.1' }, { kind: 'ip', ip: '203.0.113.9' }];
  const show = (e: Connection['src']): string => (e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip);
  const calico = calicoVerdicts(program, emit(program, raw).objects);
  const out: string[] = [];
  for (const [protocol, port] of ports) {
    for (const src of ends) {
      for (const dst of ends) {
        if (src.kind === 'ip' && dst.kind === 'ip') continue;
        const conn: Connection = { src, dst, protocol, port };
        const ref = evaluate(program, conn);
        if ('error' in ref) throw new Error(ref.error);
        const got = calico(conn)?.allowed;
        if (got !== ref.allowed) out.push(`${show(src)} -> ${show(dst)} ${protocol}/${port}: calico ${got}, kubernetes ${ref.allowed}`);
      }
    }
  }
  return out;
}
