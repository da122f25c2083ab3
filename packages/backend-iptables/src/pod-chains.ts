import { policyId, portSetKey, type AllowTuple, type Direction, type PortSet, type ResolvedProgram } from '@netpolc/ir';
import type { AddressMatcher } from './addresses.js';
import type { Chain, Family, IpSet, Match, Rule, Side, Target } from './model.js';
import { chainPrefix, chains, commentText, denyLogId, shortHash } from './names.js';
import type { IptablesOptions } from './options.js';
import { portParts } from './ports.js';
import { ruleText } from './print.js';

/** What lowering one family of one node shares between its pods. */
export interface FamilyContext {
  readonly resolved: ResolvedProgram;
  readonly options: IptablesOptions;
  readonly family: Family;
  readonly matcher: AddressMatcher;
  /** LOG id of each policy (index = policy index). */
  readonly logIds: readonly string[];
  /** Content-addressed chains (per-pod and log chains) by name. */
  readonly contentChains: Map<string, Chain>;
  /** Sets the rules of this family reference. */
  readonly usedSets: Set<IpSet>;
  /** Called for every set a tuple uses (the caller warns about huge ones). */
  readonly onSet: (set: IpSet, tuple: AllowTuple) => void;
  /**
   * Pod chains already built for this family, by the content of the pod's tuples: replicas on
   * every node have the same tuples, so each distinct list is lowered once per compilation.
   */
  readonly memo: Map<string, BuiltChain>;
}

/** A lowered pod chain with the log chains and sets it needs. */
export interface BuiltChain {
  readonly name: string;
  readonly chains: readonly Chain[];
  readonly sets: readonly IpSet[];
}

const letter: Record<Direction, 'E' | 'I'> = { egress: 'E', ingress: 'I' };

/** The peer is the destination for egress and the source for ingress. */
function peerSide(direction: Direction): Side {
  return direction === 'egress' ? 'dst' : 'src';
}

// Port sets are shared by every subject of a rule: their keys are built once.
const portKeys = new WeakMap<PortSet, string>();

function portsKey(ports: PortSet): string {
  let k = portKeys.get(ports);
  if (k === undefined) {
    k = portSetKey(ports);
    portKeys.set(ports, k);
  }
  return k;
}

/** A non-terminating log rule (LOG or NFLOG), rate-limited. */
export function logRule(options: IptablesOptions, prefix: string, comment: string): Rule {
  const target: Target = options.logTarget === 'nflog' ? { kind: 'NFLOG', prefix, group: options.nflogGroup } : { kind: 'LOG', prefix, level: 5 };
  return { matches: [{ kind: 'limit', rate: options.logRate }, { kind: 'comment', text: commentText(comment) }], target };
}

function addChain(ctx: FamilyContext, prefix: string, rules: readonly Rule[]): string {
  const name = `${prefix}${shortHash(rules.map(ruleText).join('\n'), 12)}`;
  if (!ctx.contentChains.has(name)) ctx.contentChains.set(name, { name, rules });
  return name;
}

/** The chain that logs an allowed connection for one policy and direction, then returns. */
function allowLogChain(ctx: FamilyContext, policy: number, direction: Direction): string {
  const id = ctx.logIds[policy]!;
  const name = `${chainPrefix}LOG-${letter[direction]}-${id}`;
  if (!ctx.contentChains.has(name)) {
    const p = ctx.resolved.program.policies[policy]!;
    const rule = logRule(ctx.options, `netpolc ALLOW-${letter[direction]} ${id} `, `allowed by ${policyId(p)} (${direction})`);
    ctx.contentChains.set(name, { name, rules: [rule] });
  }
  return name;
}

/** Rules of one allow tuple for one family (none when the peer has no address of the family). */
function tupleRules(ctx: FamilyContext, direction: Direction, t: AllowTuple): Rule[] {
  const peers = ctx.resolved.peerSets[t.peer]!;
  const addresses = ctx.matcher.match(t.peer, ctx.family === 4 ? peers.v4 : peers.v6, ctx.family);
  if (addresses.kind === 'none') return [];
  const side = peerSide(direction);
  const addressParts: { cidr?: string; set?: Match }[] = [];
  if (addresses.kind === 'all') addressParts.push({});
  else if (addresses.kind === 'cidrs') for (const cidr of addresses.cidrs) addressParts.push({ cidr });
  else {
    ctx.usedSets.add(addresses.set);
    ctx.onSet(addresses.set, t);
    addressParts.push({ set: { kind: 'set', set: addresses.set.name, side } });
  }
  const policy = ctx.resolved.program.policies[t.provenance.policy]!;
  const { rule, peer } = t.provenance;
  const where = `${direction}[${rule}]${peer === null ? '' : ` ${direction === 'egress' ? 'to' : 'from'}[${peer}]`}`;
  const comment: Match = { kind: 'comment', text: commentText(`${policyId(policy)} ${where}`) };
  const logAllowed = ctx.options.log === 'allowed' || ctx.options.log === 'all';
  const target: Target = logAllowed ? { kind: 'goto', chain: allowLogChain(ctx, t.provenance.policy, direction) } : { kind: 'RETURN' };
  const out: Rule[] = [];
  for (const a of addressParts) {
    for (const p of portParts(t.ports)) {
      const matches: Match[] = [];
      if (a.set) matches.push(a.set);
      if (p.ports) matches.push({ kind: 'ports', ports: p.ports });
      matches.push(comment);
      out.push({
        ...(a.cidr !== undefined && side === 'src' ? { source: a.cidr } : {}),
        ...(a.cidr !== undefined && side === 'dst' ? { destination: a.cidr } : {}),
        ...(p.protocol ? { protocol: p.protocol } : {}),
        matches,
        target,
      });
    }
  }
  return out;
}

/**
 * The chain that decides one isolated pod's direction: one RETURN (allowed; the caller goes on
 * with the other direction) per allow tuple, then the deny action. Chains are named by a hash of
 * their rules, so pods with the same tuples (replicas) share one chain.
 */
export function podChain(ctx: FamilyContext, pod: number, direction: Direction): string {
  const d = ctx.resolved[direction][pod]!;
  const logDenied = ctx.options.log === 'denied' || ctx.options.log === 'all';
  let key = `${direction}|${logDenied ? d.policies.join(',') : ''}`;
  for (const t of d.tuples) key += `|${t.peer}:${portsKey(t.ports)}:${t.provenance.policy}.${t.provenance.rule}.${t.provenance.peer}`;
  let built = ctx.memo.get(key);
  if (!built) {
    // Build into a scratch context to learn which chains and sets this pod chain brings along.
    const scratch: FamilyContext = { ...ctx, contentChains: new Map(), usedSets: new Set() };
    const name = buildPodChain(scratch, pod, direction);
    built = { name, chains: [...scratch.contentChains.values()], sets: [...scratch.usedSets] };
    ctx.memo.set(key, built);
  }
  for (const c of built.chains) if (!ctx.contentChains.has(c.name)) ctx.contentChains.set(c.name, c);
  for (const s of built.sets) ctx.usedSets.add(s);
  return built.name;
}

function buildPodChain(ctx: FamilyContext, pod: number, direction: Direction): string {
  const d = ctx.resolved[direction][pod]!;
  // The resolved layer deduplicates tuples by (peer set, ports, policy, rule, peer), and every
  // rule carries that provenance in its comment: rules of different tuples never coincide.
  const rules: Rule[] = d.tuples.flatMap((t) => tupleRules(ctx, direction, t));
  if (ctx.options.log === 'denied' || ctx.options.log === 'all') {
    const id = denyLogId(d.policies.map((p) => ctx.logIds[p]!));
    const names = d.policies.map((p) => policyId(ctx.resolved.program.policies[p]!)).join(', ');
    rules.push(logRule(ctx.options, `netpolc DENY-${letter[direction]} ${id} `, `${direction} isolated by ${names}`));
  }
  rules.push(ctx.options.denyAction === 'reject' ? { matches: [], target: { kind: 'goto', chain: chains.reject } } : { matches: [], target: { kind: 'DROP' } });
  return addChain(ctx, `${chainPrefix}${letter[direction]}-`, rules);
}
