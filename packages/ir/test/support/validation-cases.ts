// Cases of the upstream-validation tests: builders, and how a case is run (see
// upstream-validation.test.ts for the sources cited).
import { expect } from 'vitest';
import { loadProgram, type IrDiagnosticCode, type LoadResult, type Peer, type Policy, type PortMatch } from '../../src/index.js';
import { loadManifests, type Manifest } from '../../src/testing/index.js';

export type Input = { readonly manifest: Manifest } | { readonly yaml: string };

export interface Case {
  /** The case, with its minimal input. */
  readonly name: string;
  readonly input: Input;
  /** What the API server does with it. */
  readonly upstream: 'accept' | 'reject';
  /** Upstream code deciding it. */
  readonly cite: string;
  /** accept: the object as the API server defaults it. */
  readonly check?: (p: Policy) => void;
  /** reject: the netpolc error expected (where netpolc agrees). */
  readonly code?: IrDiagnosticCode;
  /** accept: netpolc warnings expected (the verdict still agrees: warnings do not reject). */
  readonly warns?: readonly IrDiagnosticCode[];
  /** Set when netpolc disagrees: what netpolc does instead. The case runs as `it.fails`. */
  readonly netpolc?: string;
}

// ---------------------------------------------------------------------------------------------
// Builders

/** A NetworkPolicy `x/p` with `spec` taken as written (null kept: JSON input). */
export function np(spec: unknown, metadata: Record<string, unknown> = { name: 'p', namespace: 'x' }): Input {
  return { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec } };
}

/** A policy with one ingress rule of the given ports. */
export const ports = (...list: unknown[]): Input => np({ podSelector: {}, ingress: [{ ports: list }] });
/** A policy with one ingress rule of the given peers. */
export const from = (...list: unknown[]): Input => np({ podSelector: {}, ingress: [{ from: list }] });
/** A policy with one ingress ipBlock peer. */
export const block = (cidr: unknown, except?: unknown): Input => from({ ipBlock: except === undefined ? { cidr } : { cidr, except } });
/** A policy whose podSelector is the given selector. */
export const selecting = (selector: unknown): Input => np({ podSelector: selector });
/** A policy whose podSelector has one requirement. */
export const expr = (requirement: Record<string, unknown>): Input => selecting({ matchExpressions: [requirement] });
/** A policy whose podSelector has one matchLabels entry. */
export const label = (key: string, value: unknown): Input => selecting({ matchLabels: { [key]: value } });
/** A policy with other metadata. */
export const meta = (metadata: Record<string, unknown>): Input => np({ podSelector: {} }, metadata);

export const yamlHead = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';

// Checks of the defaulted result.
export const firstIngress = (p: Policy) => p.ingress![0]!;
export const firstPort = (p: Policy): PortMatch => (firstIngress(p).ports as readonly PortMatch[])[0]!;
export const firstPeer = (p: Policy): Peer => (firstIngress(p).peers as readonly Peer[])[0]!;
export const cidrOf = (p: Policy): { cidr: string; except: readonly string[] } => {
  const peer = firstPeer(p);
  if (peer.kind !== 'ip-block') throw new Error(`not an ipBlock: ${peer.kind}`);
  return { cidr: peer.cidr, except: peer.except };
};
export const types = (ingress: boolean, egress: boolean) => (p: Policy) => {
  expect({ ingress: p.ingress !== null, egress: p.egress !== null }).toEqual({ ingress, egress });
};
export const allTcp = (p: Policy) => expect(firstPort(p)).toMatchObject({ kind: 'all', protocol: 'TCP' });

// Label-key and name lengths.
export const sub253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
export const sub254 = `${sub253}d`;

// ---------------------------------------------------------------------------------------------
// Runner

export function load(input: Input): LoadResult {
  return 'yaml' in input ? loadProgram([{ path: 'case.yaml', content: input.yaml }]) : loadManifests([input.manifest]);
}

export function run(c: Case): void {
  const r = load(c.input);
  const shown = r.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`).join('\n') || '(no diagnostics)';
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (c.upstream === 'accept') {
    expect(errors, `upstream accepts; netpolc said:\n${shown}`).toEqual([]);
    expect(r.program.policies, shown).toHaveLength(1);
    for (const code of c.warns ?? []) {
      expect(r.diagnostics.some((d) => d.code === code && d.severity === 'warning'), `warning ${code} expected; netpolc said:\n${shown}`).toBe(true);
    }
    c.check?.(r.program.policies[0]!);
  } else {
    expect(errors.length, `upstream rejects; netpolc said:\n${shown}`).toBeGreaterThan(0);
    if (c.code) expect(errors.map((d) => d.code), shown).toContain(c.code);
    expect(r.program.policies, shown).toHaveLength(0);
  }
}

