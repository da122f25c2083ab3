import { isFullRange, podId, portSetKey, type Direction, type PortSet, type Provenance, type ResolvedProgram } from '@netpolc/ir';
import { ruleOf, type TupleGroup } from './groups.js';
import type { Chain, Family, L4Protocol, Match, ProtoPort, Rule, Statement, Verdict } from './model.js';
import { allowLogChainName, commentText, logPrefix, podChainName } from './names.js';
import type { NftablesOptions } from './options.js';
import type { AddressRef, SetCatalog } from './sets.js';

const families: readonly Family[] = [4, 6];
const protocols: readonly (readonly [L4Protocol, 'TCP' | 'UDP' | 'SCTP'])[] = [
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
  ['sctp', 'SCTP'],
];

/** A pod chain and what it refers to. */
export interface PodChain {
  readonly chain: Chain;
  /** Named sets the chain's rules look up. */
  readonly sets: readonly string[];
  /** Allow-logging chains (`allow/<direction>/<ns>/<policy>`) its rules go to, with their policy. */
  readonly logChains: readonly { readonly name: string; readonly direction: Direction; readonly policy: number }[];
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

const commentMemo = new WeakMap<ResolvedProgram, Map<string, string>>();

/** Comment of an allow rule: the policy, rule and peer it comes from. */
export function provenanceComment(resolved: ResolvedProgram, p: Provenance): string {
  let memo = commentMemo.get(resolved);
  if (!memo) commentMemo.set(resolved, (memo = new Map()));
  const key = `${p.policy}|${p.direction}|${p.rule}|${p.peer}`;
  let text = memo.get(key);
  if (text === undefined) {
    const { policy } = ruleOf(resolved, p);
    const peer = p.peer === null ? '' : ` ${p.direction === 'ingress' ? 'from' : 'to'}[${p.peer}]`;
    text = commentText(`${policy.namespace}/${policy.name} ${p.direction}[${p.rule}]${peer}`);
    memo.set(key, text);
  }
  return text;
}

/** The deny tail of a pod chain: optional log, then drop or reject, each optionally counted. */
export function denyRules(direction: Direction, subject: string, options: NftablesOptions): Rule[] {
  const counter: Statement[] = options.counters ? [{ kind: 'counter' }] : [];
  const out: Rule[] = [];
  if (options.log === 'denied' || options.log === 'all') {
    out.push({ matches: [], statements: [{ kind: 'limit', ...options.logRate }, { kind: 'log', prefix: logPrefix('deny', direction, subject) }] });
  }
  if (options.denyAction === 'reject') {
    out.push({ matches: [{ kind: 'l4proto', protocols: ['tcp'] }], statements: [...counter, { kind: 'reject', with: 'tcp-reset' }] });
    out.push({ matches: [], statements: [...counter, { kind: 'reject', with: 'icmpx-port-unreachable' }] });
  } else {
    out.push({ matches: [], statements: [...counter, { kind: 'verdict', verdict: { kind: 'drop' } }] });
  }
  return out;
}

/**
 * The chain of one isolated pod direction: one rule per allow tuple (per family), a
 * concatenated-set lookup per egress rule with named ports, then the deny tail. Allowed
 * egress `return`s to the base chain (the destination's ingress is checked next); allowed
 * ingress is accepted.
 */
export function lowerPodChain(
  resolved: ResolvedProgram,
  catalog: SetCatalog,
  pod: number,
  direction: Direction,
  groups: readonly TupleGroup[],
  options: NftablesOptions,
): PodChain {
  const p = resolved.pods[pod]!;
  const field = direction === 'ingress' ? 'saddr' : 'daddr';
  const logAllowed = options.log === 'allowed' || options.log === 'all';
  const rules: Rule[] = [];
  const seen = new Set<string>();
  const sets = new Set<string>();
  const logChains = new Map<string, { name: string; direction: Direction; policy: number }>();
  let unconditional = false;

  /** Adds an allow rule unless an identical one (same `key`) is already there. */
  const allow = (key: string, matches: readonly Match[], provenance: Provenance): void => {
    let verdict: Verdict = { kind: direction === 'ingress' ? 'accept' : 'return' };
    let verdictKey = '';
    if (logAllowed) {
      const policy = resolved.program.policies[provenance.policy]!;
      const name = allowLogChainName(direction, policy.namespace, policy.name);
      logChains.set(name, { name, direction, policy: provenance.policy });
      verdict = { kind: 'goto', chain: name };
      verdictKey = name;
    }
    const fullKey = `${key}|${verdictKey}`;
    if (seen.has(fullKey)) return;
    seen.add(fullKey);
    const statements: Statement[] = options.counters ? [{ kind: 'counter' }, { kind: 'verdict', verdict }] : [{ kind: 'verdict', verdict }];
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
    const portsKey = portSetKey(g.tuple.ports);
    const refs = families.map((f) => [f, catalog.addressRef(g.tuple.peer, f)] as const);
    if (refs.every(([, r]) => r.kind === 'full')) {
      allow(`*|${portsKey}`, ports, g.provenance);
      continue;
    }
    for (const [family, ref] of refs) {
      const address = addressMatch(ref, family, field);
      if (address === undefined) continue;
      if (ref.kind === 'set') sets.add(ref.name);
      allow(`${family}|${ref.kind === 'set' ? ref.name : ref.kind}|${portsKey}`, [address, ...ports], g.provenance);
    }
  }
  if (!unconditional) rules.push(...denyRules(direction, podId(p), options));
  return {
    chain: { name: podChainName(direction, p.namespace, p.name), rules },
    sets: [...sets],
    logChains: [...logChains.values()],
  };
}

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
