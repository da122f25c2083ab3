import { canonicalAddress, type Family } from './addresses.js';
import { runPython } from './tools.js';

/** A protocol the prober speaks: a transport, or an ICMP(v6) echo request (port 0). */
export type ProbeProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';

/** The transports: what a NetworkPolicy port names, and the reference evaluator decides. */
export type TransportProtocol = Exclude<ProbeProtocol, 'ICMP'>;

/** A probe's transport, for judging it as a connection; an echo request has none. */
export function transportOf(protocol: ProbeProtocol): TransportProtocol {
  if (protocol === 'ICMP') throw new Error('an ICMP echo probe is no transport connection');
  return protocol;
}

/**
 * One connection attempt: from a pod (its address of the destination's family) or from a node
 * (bound to the node's primary address of that family, or to `address`, one of the node's
 * addresses), to a pod (or node) address of the topology, on one port.
 */
export interface Probe {
  readonly from: { readonly pod: string } | { readonly node: string; readonly address?: string };
  readonly to: string;
  readonly protocol: ProbeProtocol;
  readonly port: number;
}

/**
 * Outcome of one probe. `detail` says why: `handshake completed` (TCP), `echo received` (UDP),
 * `INIT received` (SCTP), `echo reply` (ICMP); or `refused` (TCP RST, ICMP port unreachable), `timeout` (dropped),
 * `timeout (request delivered, echo lost)` (UDP reached the server, the reply did not come
 * back), another ICMP unreachable code (`admin-prohibited`, `host-unreachable`, …), an errno
 * name, or `error: …`.
 */
export interface ProbeResult {
  readonly probe: Probe;
  readonly connected: boolean;
  readonly detail?: string;
  /** Milliseconds from sending the first packet to the verdict (extra, for diagnosis). */
  readonly elapsedMs?: number;
}

/** Options of {@link Topology.probe}. */
export interface ProbeOptions {
  /**
   * How long each probe waits for its answer. Dropped probes cost this much (concurrently).
   * @defaultValue 300
   */
  readonly timeoutMs?: number;
  /**
   * Test aid: send SCTP INITs with a wrong CRC32c (conntrack marks them INVALID), to prove that
   * a ruleset's `ct state invalid drop` is active and that good checksums are really checked.
   * @defaultValue false
   */
  readonly sctpBadChecksum?: boolean;
}

/** Where a probe starts and ends, resolved against a topology. */
export interface ProbeEndpoints {
  readonly srcNs: string;
  readonly src: string;
  readonly dstNs: string;
  readonly dst: string;
  readonly family: Family;
}

/** What the topology lends the prober. */
export interface ProbeContext {
  resolve(probe: Probe, family: Family, dst: string): ProbeEndpoints;
  nextSourcePort(source: string): number;
}

interface WireResult {
  readonly id: number;
  readonly connected: boolean;
  readonly detail: string;
  readonly elapsedMs: number;
}

const protocols: ReadonlySet<string> = new Set<ProbeProtocol>(['TCP', 'UDP', 'SCTP', 'ICMP']);

/** Runs one probe round: one Python process, every probe concurrently. */
export function runProbes(context: ProbeContext, probes: readonly Probe[], options: ProbeOptions = {}): ProbeResult[] {
  const timeoutMs = options.timeoutMs ?? 300;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new Error(`probe timeoutMs ${timeoutMs} must be an integer in 1..60000`);
  }
  if (probes.length === 0) return [];
  const wire = probes.map((probe, id) => {
    if (!protocols.has(probe.protocol)) throw new Error(`probe ${id}: unknown protocol '${String(probe.protocol)}'`);
    if (probe.protocol === 'ICMP' ? probe.port !== 0 : !Number.isInteger(probe.port) || probe.port < 1 || probe.port > 65535) {
      throw new Error(`probe ${id}: port ${probe.port} must be ${probe.protocol === 'ICMP' ? '0 for an ICMP echo' : 'an integer in 1..65535'}`);
    }
    const dst = canonicalAddress(probe.to, `probe ${id} destination`);
    const ends = context.resolve(probe, dst.family, dst.text);
    return { id, ...ends, proto: probe.protocol, port: probe.port, sport: context.nextSourcePort(ends.src) };
  });
  const waves = Math.ceil(probes.length / 4000);
  const answer = runPython(
    'probe.py',
    { timeoutMs, maxConcurrent: 4000, sctpBadChecksum: options.sctpBadChecksum ?? false, probes: wire },
    waves * timeoutMs + 60_000,
  ) as { results: readonly WireResult[] };
  return probes.map((probe, id) => {
    const result = answer.results[id];
    if (result?.id !== id) throw new Error(`probe.py answered out of order at probe ${id}`);
    return { probe, connected: result.connected, detail: result.detail, elapsedMs: result.elapsedMs };
  });
}
