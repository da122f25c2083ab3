import { endpointText, formatRanges, type ConnectionChange, type ConnectivityDiff, type Program } from '@netpolc/ir';
import type { ArtifactDiff } from './artifacts.js';
import { describeEndpoints, portsText, type ChangeGroup } from './group.js';

/** Everything a report shows. */
export interface DiffReport {
  readonly connectivity: ConnectivityDiff;
  readonly groups: readonly ChangeGroup[];
  readonly artifacts: readonly ArtifactDiff[];
  readonly base: Program;
  readonly head: Program;
  readonly scope: string;
}

export function namespacesOf(changes: readonly ConnectionChange[]): string[] {
  const out = new Set<string>();
  for (const c of changes) for (const e of [c.from, c.to]) if (e.kind === 'pod') out.add(e.namespace);
  return [...out].sort();
}

/**
 * JSON for machines, not grouped: one item per (source, destination) pair and protocol, with
 * `protocol` one of TCP, UDP, SCTP, or OTHER for protocols NetworkPolicy ports cannot name (only
 * a rule without ports allows them), and `ports` as `["80", "8000-8080"]` or `["all"]`.
 */
export function renderJson(r: DiffReport): string {
  const items = (c: ConnectionChange): Record<string, unknown>[] => {
    const base = { from: endpointText(c.from), to: endpointText(c.to), ...(c.family ? { family: c.family === 4 ? 'IPv4' : 'IPv6' } : {}) };
    const out: Record<string, unknown>[] = (['TCP', 'UDP', 'SCTP'] as const).filter((p) => c.ports[p].length > 0).map((p) => ({ ...base, protocol: p, ports: formatRanges(c.ports[p]) }));
    if (c.ports.other) out.push({ ...base, protocol: 'OTHER', ports: ['all'] });
    return out;
  };
  return (
    JSON.stringify(
      {
        scope: r.scope,
        summary: { added: r.connectivity.added.length, removed: r.connectivity.removed.length },
        added: r.connectivity.added.flatMap(items),
        removed: r.connectivity.removed.flatMap(items),
        podsOnlyInBase: r.connectivity.podsOnlyInBase,
        podsOnlyInHead: r.connectivity.podsOnlyInHead,
        artifacts: r.artifacts.map((a) => ({
          backend: a.backend,
          ...(a.errors ? { errors: a.errors } : {}),
          files: a.files.map((f) => ({ path: f.path, status: f.status, added: f.added, removed: f.removed, diff: f.diff })),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

/** Terminal text, colored when asked. */
export function renderText(r: DiffReport, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const { added, removed } = r.connectivity;
  const lines = [`netpolc diff (${r.scope}): ${added.length} added, ${removed.length} removed connection${removed.length + added.length === 1 ? '' : 's'}`];
  for (const g of r.groups) {
    const sign = g.change === 'added' ? paint('32', '+') : paint('31', '-');
    const fam = g.family ? ` (IPv${g.family})` : '';
    lines.push('', `${sign} ${describeEndpoints(g.from, g.change === 'added' ? r.head : r.base)} -> ${describeEndpoints(g.to, g.change === 'added' ? r.head : r.base)}: ${portsText(g.ports)}${fam}`);
    for (const l of g.head) lines.push(`    head: ${l}`);
    for (const l of g.base) lines.push(`    base: ${l}`);
  }
  for (const side of ['Base', 'Head'] as const) {
    const pods = side === 'Base' ? r.connectivity.podsOnlyInBase : r.connectivity.podsOnlyInHead;
    if (pods.length > 0) lines.push('', `${side} only (not compared): ${pods.join(', ')}`);
  }
  for (const a of r.artifacts) {
    lines.push('', artifactSummary(a));
    for (const f of a.files) {
      for (const l of f.diff.replace(/\n$/, '').split('\n')) {
        lines.push(l.startsWith('+') ? paint('32', l) : l.startsWith('-') ? paint('31', l) : l.startsWith('@@') ? paint('36', l) : l);
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** Lines added and removed over an artifact's changed files. */
export function changedLines(a: ArtifactDiff): { plus: number; minus: number } {
  return { plus: a.files.reduce((n, f) => n + f.added, 0), minus: a.files.reduce((n, f) => n + f.removed, 0) };
}

export function artifactSummary(a: ArtifactDiff): string {
  if (a.errors) return `${a.backend}: could not compile ${a.errors.side}: ${a.errors.messages.join('; ')}`;
  if (a.files.length === 0) return `${a.backend}: no change`;
  const { plus, minus } = changedLines(a);
  return `${a.backend}: ${a.files.length} file${a.files.length === 1 ? '' : 's'} changed, +${plus} -${minus} lines`;
}
