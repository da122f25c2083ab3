import { compilerAssert, formatSelector, policyId, selectorKey, type AllowTuple, type Direction, type Peer, type Policy, type PortMatch, type Provenance, type ResolvedProgram, type Rule } from '@netpolc/ir';

/**
 * What one rule of a pod chain stands for: one allow tuple with a plain peer set, or every tuple
 * of one egress `to` entry whose rule names ports (named ports split the peers by the number each
 * resolves to, semantics.md §2.3; the group becomes one concatenated-set lookup so that rules do
 * not grow with the number of distinct port numbers among peer pods).
 */
export type TupleGroup =
  | { readonly kind: 'plain'; readonly tuple: AllowTuple; readonly provenance: Provenance }
  | { readonly kind: 'concat'; readonly tuples: readonly AllowTuple[]; readonly key: string; readonly text: string; readonly provenance: Provenance };

/** The policy rule a tuple came from. */
export function ruleOf(resolved: ResolvedProgram, p: Provenance): { policy: Policy; rule: Rule; peer: Peer | null } {
  // Messages are built only on failure: this runs for every tuple of every chain body.
  const policy = resolved.program.policies[p.policy];
  if (policy === undefined) compilerAssert(false, `tuple refers to missing policy ${p.policy}`);
  const rule = policy[p.direction]?.[p.rule];
  if (rule === undefined || rule.index !== p.rule) compilerAssert(false, `tuple refers to missing rule ${p.direction}[${p.rule}] of ${policyId(policy)}`);
  if (p.peer === null) return { policy, rule, peer: null };
  const peer = rule.peers === 'any' ? undefined : rule.peers[p.peer];
  if (peer === undefined) compilerAssert(false, `tuple refers to missing peer ${p.peer} of ${policyId(policy)}`);
  return { policy, rule, peer };
}

/**
 * A key naming a peer entry by its definition rather than its current members, so a set keeps
 * its name when pods come and go (small diffs for small changes).
 */
export function peerKey(policy: Policy, peer: Peer | null): string {
  if (peer === null) return 'any';
  if (peer.kind === 'ip-block') return `block:${peer.cidr}!${[...peer.except].sort().join(',')}`;
  const scope = peer.namespaces.kind === 'policy-namespace' ? `ns=${policy.namespace}` : `nss=${selectorKey(peer.namespaces.selector)}`;
  return `pods:${scope}#${selectorKey(peer.pods)}`;
}

/** Human-readable form of a peer entry, for set comments. */
export function peerText(policy: Policy, peer: Peer | null): string {
  if (peer === null) return 'any address';
  if (peer.kind === 'ip-block') return `ipBlock ${peer.cidr}${peer.except.length > 0 ? ` except ${peer.except.join(' ')}` : ''}`;
  const pods = formatSelector(peer.pods);
  if (peer.namespaces.kind === 'policy-namespace') return `pods ${pods} of namespace ${policy.namespace}`;
  return `pods ${pods} of namespaces ${formatSelector(peer.namespaces.selector)}`;
}

function portsKey(ports: readonly PortMatch[]): string {
  const parts = ports.map((p) => (p.kind === 'all' ? `${p.protocol}` : p.kind === 'range' ? `${p.protocol}/${p.from}-${p.to}` : `${p.protocol}/${p.name}`));
  return [...new Set(parts)].sort().join(',');
}

/** True when a rule names a port by name (egress tuples of such a rule form a concatenated group). */
export function hasNamedPort(rule: Rule): rule is Rule & { ports: readonly PortMatch[] } {
  return rule.ports !== 'any' && rule.ports.some((p) => p.kind === 'named');
}

function provenanceKey(p: Provenance): string {
  return `${p.policy}|${p.rule}|${p.peer}`;
}

// A peer entry belongs to one policy, so its key can be kept with the object.
const peerKeys = new WeakMap<Peer, string>();

/** {@link peerKey}, memoised per peer entry. */
export function definitionKey(policy: Policy, peer: Peer | null): string {
  if (peer === null) return 'any';
  let key = peerKeys.get(peer);
  if (key === undefined) peerKeys.set(peer, (key = peerKey(policy, peer)));
  return key;
}

/** Groups a pod direction's tuples into rule-sized units, in tuple order. */
export function groupTuples(resolved: ResolvedProgram, direction: Direction, tuples: readonly AllowTuple[]): TupleGroup[] {
  const out: TupleGroup[] = [];
  const concat = new Map<string, { tuples: AllowTuple[]; index: number }>();
  for (const t of tuples) {
    const { policy, rule, peer } = ruleOf(resolved, t.provenance);
    if (direction === 'egress' && hasNamedPort(rule)) {
      const pk = provenanceKey(t.provenance);
      const existing = concat.get(pk);
      if (existing) {
        existing.tuples.push(t);
        continue;
      }
      const entry = { tuples: [t], index: out.length };
      concat.set(pk, entry);
      out.push({
        kind: 'concat',
        tuples: entry.tuples,
        key: `${definitionKey(policy, peer)}|ports:${portsKey(rule.ports)}`,
        text: `${peerText(policy, peer)} on ports ${portsKey(rule.ports)}`,
        provenance: t.provenance,
      });
      continue;
    }
    out.push({ kind: 'plain', tuple: t, provenance: t.provenance });
  }
  return out;
}

/** True when two tuple lists hold the same tuple objects in the same order. */
export function sameTuples(a: readonly AllowTuple[], b: readonly AllowTuple[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
