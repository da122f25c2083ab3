import { exactSize, isFullRange, portSetKey, type Direction, type PortSet, type Provenance, type ResolvedProgram } from '@netpolc/ir';
import { ruleOf, type TupleGroup } from './groups.js';
import type { Chain, Family, L4Protocol, Match, ProtoPort, Rule, Statement, Verdict } from './model.js';
import { allowLogChainName, commentText, logPrefix } from './names.js';
import type { NftablesOptions } from './options.js';
import type { AddressRef, SetCatalog } from './sets.js';

const families: readonly Family[] = [4, 6];
const noNumbers: readonly number[] = Object.freeze([]);
const protocols: readonly (readonly [L4Protocol, 'TCP' | 'UDP' | 'SCTP'])[] = [
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
  ['sctp', 'SCTP'],
];

/** Numbers the allow-logging chain of a policy and direction (creating it on first use). */
export type LogChainIds = (name: string, direction: Direction, policy: number) => number;

/**
 * The allow rules of a pod chain for one direction. They depend only on the pod's tuples, so
 * every pod with the same tuples (the pods one set of policies selects) shares one body: its
 * rule objects, and therefore their printed text, are built once for the whole program.
 */
export interface ChainBody {
  /** The allow rules. */
  readonly rules: readonly Rule[];
  /** The last rule allows everything: no deny tail follows it. */
  readonly unconditional: boolean;
  /** The allow rules and the deny verdicts: the whole chain when denials are not logged per pod. */
  readonly chainRules: readonly Rule[];
  /** Ids (in the catalog) of the named sets the rules look up. */
  readonly sets: readonly number[];
  /** Numbers of the allow-logging chains (`allow/<direction>/<ns>/<policy>`) the rules go to. */
  readonly logChains: readonly number[];
  /**
   * The serial of the last node that listed its sets and log chains (a field, not a map from
   * bodies: the look-up was the hottest line of the nftables emit at kube-scale).
   */
  stamp: number;
}

/**
 * Port condition of a port set: nothing for `any` (every protocol, ICMP included), else the
 * narrowest nft form: `meta l4proto tcp`, `tcp dport { ... }`, `meta l4proto { tcp, udp }`, or
 * one `meta l4proto . th dport { ... }` lookup for several protocols with ports.
 */
export function portMatches(ports: PortSet): readonly Match[] {
  let cached = portMatchCache.get(ports);
  if (!cached) portMatchCache.set(ports, (cached = buildPortMatches(ports)));
  return cached;
}

// Tuples of one rule share their PortSet object across subject pods.
const portMatchCache = new WeakMap<PortSet, readonly Match[]>();
const portKeyCache = new WeakMap<PortSet, string>();

/** `portSetKey`, memoised per port set object. */
export function portSetText(ports: PortSet): string {
  let key = portKeyCache.get(ports);
  if (key === undefined) portKeyCache.set(ports, (key = portSetKey(ports)));
  return key;
}

function buildPortMatches(ports: PortSet): Match[] {
  if (ports.kind === 'any') return [];
  const present = protocols.filter(([, ir]) => ports[ir].length > 0);
  if (present.length === 1) {
    const [nft, ir] = present[0]!;
    return isFullRange(ports[ir]) ? [{ kind: 'l4proto', protocols: [nft] }] : [{ kind: 'dport', protocol: nft, ports: ports[ir] }];
  }
  if (present.every(([, ir]) => isFullRange(ports[ir]))) return [{ kind: 'l4proto', protocols: present.map(([nft]) => nft) }];
  const elements: ProtoPort[] = [];
  for (const [nft, ir] of present) for (const r of ports[ir]) elements.push({ protocol: nft, ports: r });
  return [{ kind: 'proto-port', elements }];
}

// The tuples of one (policy, rule, peer) share their provenance object across subject pods.
const commentMemo = new WeakMap<Provenance, string>();

/** Comment of an allow rule: the policy, rule and peer it comes from. */
export function provenanceComment(resolved: ResolvedProgram, p: Provenance): string {
  let text = commentMemo.get(p);
  if (text === undefined) {
    const { policy } = ruleOf(resolved, p);
    const peer = p.peer === null ? '' : ` ${p.direction === 'ingress' ? 'from' : 'to'}[${p.peer}]`;
    text = commentText(`${policy.namespace}/${policy.name} ${p.direction}[${p.rule}]${peer}`);
    commentMemo.set(p, text);
  }
  return text;
}

// One `limit` statement object per options, shared by every log rule.
const limits = new WeakMap<NftablesOptions, Statement>();

function limitStatement(options: NftablesOptions): Statement {
  let limit = limits.get(options);
  if (!limit) limits.set(options, (limit = { kind: 'limit', ...options.logRate }));
  return limit;
}

/** The rule logging a denied connection of one pod direction, when `--log` asks for it. */
export function denyLogRule(direction: Direction, subject: string, options: NftablesOptions): Rule | undefined {
  if (options.log !== 'denied' && options.log !== 'all') return undefined;
  return { matches: [], statements: [limitStatement(options), { kind: 'log', prefix: logPrefix('deny', direction, subject) }] };
}

/** The verdict rules ending every pod chain: drop, or reject (TCP reset, else ICMP), each optionally counted. */
export function denyVerdictRules(options: NftablesOptions): Rule[] {
  const counter: Statement[] = options.counters ? [{ kind: 'counter' }] : [];
  const out: Rule[] = [];
  if (options.denyAction === 'reject') {
    out.push({ matches: [{ kind: 'l4proto', protocols: ['tcp'] }], statements: [...counter, { kind: 'reject', with: 'tcp-reset' }] });
    out.push({ matches: [], statements: [...counter, { kind: 'reject', with: 'icmpx-port-unreachable' }] });
  } else {
    out.push({ matches: [], statements: [...counter, { kind: 'verdict', verdict: { kind: 'drop' } }] });
  }
  return out;
}

/**
 * The allow rules of an isolated pod direction: one rule per allow tuple (per family), a
 * concatenated-set lookup per egress rule with named ports. Allowed egress `return`s to the base
 * chain (the destination's ingress is checked next); allowed ingress is accepted. The pod's
 * chain is these rules followed by the deny tail, unless a rule allows everything.
 */
export function lowerChainBody(
  resolved: ResolvedProgram,
  catalog: SetCatalog,
  direction: Direction,
  groups: readonly TupleGroup[],
  options: NftablesOptions,
  denyVerdicts: readonly Rule[],
  logChainIds: LogChainIds,
): ChainBody {
  const field = direction === 'ingress' ? 'saddr' : 'daddr';
  const logAllowed = options.log === 'allowed' || options.log === 'all';
  const rules: Rule[] = [];
  const seen = new Set<string>();
  const sets = new Set<string>();
  const logChains = new Set<number>();
  let unconditional = false;

  /** Adds an allow rule unless an identical one (same `key`) is already there. */
  const allow = (key: string, matches: readonly Match[], provenance: Provenance): void => {
    let verdict: Verdict = { kind: direction === 'ingress' ? 'accept' : 'return' };
    let verdictKey = '';
    if (logAllowed) {
      const policy = resolved.program.policies[provenance.policy]!;
      const name = allowLogChainName(direction, policy.namespace, policy.name);
      logChains.add(logChainIds(name, direction, provenance.policy));
      verdict = { kind: 'goto', chain: name };
      verdictKey = name;
    }
    const fullKey = `${key}|${verdictKey}`;
    if (seen.has(fullKey)) return;
    seen.add(fullKey);
    const statements: Statement[] = logAllowed || options.counters ? verdictStatements(verdict, options.counters) : plainVerdict[direction];
    rules.push({ matches, statements, comment: provenanceComment(resolved, provenance) });
    if (matches.length === 0) unconditional = true;
  };

  for (const g of groups) {
    if (unconditional) break;
    if (g.kind === 'concat') {
      for (const family of families) {
        const ref = catalog.concatRef(g, family);
        if (ref.kind !== 'set') continue;
        sets.add(ref.name);
        allow(`c${family}|${ref.name}`, [{ kind: 'address-proto-port', family, field, set: ref.name }], g.provenance);
      }
      continue;
    }
    const ports = portMatches(g.tuple.ports);
    const portsKey = portSetText(g.tuple.ports);
    const refs = families.map((f) => [f, catalog.addressRef(g.tuple.peer, f)] as const);
    if (refs.every(([, r]) => r.kind === 'full')) {
      allow(`*|${portsKey}`, ports, g.provenance);
      continue;
    }
    for (const [family, ref] of refs) {
      const address = addressMatch(ref, family, field);
      if (address === undefined) continue;
      if (ref.kind === 'set') sets.add(ref.name);
      allow(`${family}|${ref.kind === 'set' ? ref.name : ref.kind}|${portsKey}`, ports.length === 0 ? [address] : [address].concat(ports), g.provenance);
    }
  }
  // Kept for the whole emit: lists at their exact size (see exactSize in ir; a spread `[...a, ...b]`
  // leaves spare slots too).
  const kept = exactSize(rules);
  return {
    rules: kept,
    unconditional,
    chainRules: unconditional ? kept : rules.concat(denyVerdicts),
    sets: [...sets].map((name) => catalog.idOf(name)),
    logChains: logChains.size === 0 ? noNumbers : Array.from(logChains),
    stamp: -1,
  };
}

function verdictStatements(verdict: Verdict, counter: boolean): Statement[] {
  return counter ? [{ kind: 'counter' }, { kind: 'verdict', verdict }] : [{ kind: 'verdict', verdict }];
}

/** The statements of an allow rule without counter or logging, one list per direction for every rule. */
const plainVerdict: Record<Direction, Statement[]> = {
  ingress: verdictStatements({ kind: 'accept' }, false),
  egress: verdictStatements({ kind: 'return' }, false),
};

function addressMatch(ref: AddressRef, family: Family, field: 'saddr' | 'daddr'): Match | undefined {
  switch (ref.kind) {
    case 'empty':
      return undefined;
    case 'full':
      return { kind: 'nfproto', family };
    case 'set':
      return { kind: 'address', family, field, set: { kind: 'named', name: ref.name } };
  }
}

/** A chain that logs a connection one policy allowed (rate-limited), then accepts or returns. */
export function allowLogChain(resolved: ResolvedProgram, name: string, direction: Direction, policy: number, options: NftablesOptions): Chain {
  const p = resolved.program.policies[policy]!;
  const verdict: Verdict = { kind: direction === 'ingress' ? 'accept' : 'return' };
  return {
    name,
    rules: [
      { matches: [], statements: [{ kind: 'limit', ...options.logRate }, { kind: 'log', prefix: logPrefix('allow', direction, `${p.namespace}/${p.name}`) }] },
      // Counted by the allow rule that came here (one counter per rule, not per policy).
      { matches: [], statements: [{ kind: 'verdict', verdict }] },
    ],
  };
}
