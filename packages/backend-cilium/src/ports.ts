// Kubernetes port entries → Cilium `PortProtocol`s, gated by the target Cilium release.
import type { Diagnostic, PortMatch, SourceRef } from '@netpolc/ir';
import { ciliumDiagnostic } from './diagnostics.js';
import type { CiliumPortProtocol, CiliumPortRule } from './model.js';
import { atLeast, ciliumFeatures, formatVersion, type CiliumOptions } from './options.js';

/** Largest range written as single ports for a Cilium without port ranges. */
export const maxExpandedRange = 256;

/** At most this many ports per `PortRule` (pkg/policy/api/rule_validation.go `maxPorts = 40`). */
export const maxPortsPerRule = 40;

/** Collects diagnostics and report lines while lowering one policy. */
export interface Notes {
  diagnostic(d: Diagnostic): void;
  report(line: string): void;
}

/**
 * Lowers one numeric entry (`all` or `range`). `{protocol}` without port becomes port `"0"`, which
 * Cilium reads as every port (pkg/k8s/network_policy.go `parsePorts` writes the same). Returns
 * nothing when the target release cannot express the entry (fail closed, with an error).
 */
export function lowerNumericPort(entry: Extract<PortMatch, { kind: 'all' | 'range' }>, options: CiliumOptions, notes: Notes): CiliumPortProtocol[] {
  if (!sctpAllowed(entry.protocol, entry.origin, options, notes)) return [];
  if (entry.kind === 'all') return [{ port: '0', protocol: entry.protocol }];
  if (entry.from === entry.to) return [{ port: String(entry.from), protocol: entry.protocol }];
  if (atLeast(options.ciliumVersion, ciliumFeatures.portRanges)) return [{ port: String(entry.from), endPort: entry.to, protocol: entry.protocol }];
  const count = entry.to - entry.from + 1;
  const version = formatVersion(options.ciliumVersion);
  if (count > maxExpandedRange) {
    notes.diagnostic(ciliumDiagnostic('backend-cilium/port-range-unsupported', { version, from: entry.from, to: entry.to, count, limit: maxExpandedRange }, entry.origin));
    notes.report(`ports ${entry.from}-${entry.to}/${entry.protocol}: left out, Cilium ${version} has no port ranges and the range is too large to expand (error)`);
    return [];
  }
  notes.diagnostic(ciliumDiagnostic('backend-cilium/port-range-expanded', { version, from: entry.from, to: entry.to, count }, entry.origin));
  notes.report(`ports ${entry.from}-${entry.to}/${entry.protocol}: Cilium ${version} would enforce only port ${entry.from} (endPort ignored, cilium/cilium#28684); expanded into ${count} single ports`);
  const out: CiliumPortProtocol[] = [];
  for (let p = entry.from; p <= entry.to; p++) out.push({ port: String(p), protocol: entry.protocol });
  return out;
}

/** A named port kept as a name (ingress: Cilium resolves it on the selected pod itself). */
export function lowerNamedPort(entry: Extract<PortMatch, { kind: 'named' }>, options: CiliumOptions, notes: Notes): CiliumPortProtocol[] {
  if (!sctpAllowed(entry.protocol, entry.origin, options, notes)) return [];
  return [{ port: entry.name, protocol: entry.protocol }];
}

/** Single resolved port numbers (egress named ports resolved per destination pod). */
export function lowerResolvedPorts(ports: readonly (readonly [PortMatch['protocol'], number])[], origin: SourceRef, options: CiliumOptions, notes: Notes): CiliumPortProtocol[] {
  const out: CiliumPortProtocol[] = [];
  for (const [protocol, port] of ports) if (sctpAllowed(protocol, origin, options, notes)) out.push({ port: String(port), protocol });
  return out;
}

function sctpAllowed(protocol: PortMatch['protocol'], origin: SourceRef, options: CiliumOptions, notes: Notes): boolean {
  if (protocol !== 'SCTP') return true;
  if (atLeast(options.ciliumVersion, ciliumFeatures.sctp)) {
    notes.diagnostic(ciliumDiagnostic('backend-cilium/sctp-needs-agent-flag', {}, origin));
    notes.report('SCTP port entry: enforced only when the Cilium agent runs with --enable-sctp (info)');
    return true;
  }
  const version = formatVersion(options.ciliumVersion);
  notes.diagnostic(ciliumDiagnostic('backend-cilium/sctp-unsupported', { version }, origin));
  notes.report(`SCTP port entry left out: Cilium ${version} cannot enforce SCTP (error)`);
  return false;
}

/** Deduplicates port entries (first occurrence wins) and splits them into rules of at most 40. */
export function portRules(ports: readonly CiliumPortProtocol[]): CiliumPortRule[] {
  const seen = new Set<string>();
  const unique: CiliumPortProtocol[] = [];
  for (const p of ports) {
    const key = `${p.protocol}/${p.port}/${p.endPort ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(p);
  }
  // In one order whatever the order of the policy's entries: output is byte-identical for
  // equivalent input.
  unique.sort(comparePorts);
  const out: CiliumPortRule[] = [];
  for (let i = 0; i < unique.length; i += maxPortsPerRule) out.push({ ports: unique.slice(i, i + maxPortsPerRule) });
  return out;
}

const protocolRank: Record<string, number> = { TCP: 0, UDP: 1, SCTP: 2 };

/** By protocol (TCP, UDP, SCTP), then numbers ascending (ranges after the single port they start at), then names. */
function comparePorts(a: CiliumPortProtocol, b: CiliumPortProtocol): number {
  const byProtocol = (protocolRank[a.protocol] ?? 3) - (protocolRank[b.protocol] ?? 3);
  if (byProtocol !== 0) return byProtocol;
  const na = Number(a.port);
  const nb = Number(b.port);
  const numeric = Number.isInteger(na) && Number.isInteger(nb);
  if (numeric && na !== nb) return na - nb;
  if (!numeric) {
    if (Number.isInteger(na) !== Number.isInteger(nb)) return Number.isInteger(na) ? -1 : 1;
    if (a.port !== b.port) return a.port < b.port ? -1 : 1;
  }
  return (a.endPort ?? -1) - (b.endPort ?? -1);
}
