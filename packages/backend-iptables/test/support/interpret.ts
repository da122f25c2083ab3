// An interpreter of the typed model (tests only): walks one packet through the FORWARD or INPUT
// hook and netpolc's chains the way netfilter does (jump/goto/RETURN frames, non-terminating LOG/NFLOG,
// conntrack state, ipset membership), and validates the kernel limits the model must respect.
import { cidrBounds, parseCidr, parseIp, type Family } from '@netpolc/ir';
import type { BuiltinChain, CtState, IpSet, L4Protocol, Match, Rule, Ruleset } from '../../src/model.js';
import { chainPrefix, chains, maxChainName, maxComment, maxLogPrefix, maxSetName, setPrefix, tmpSetName } from '../../src/names.js';
import { maxInterfaceName } from '@netpolc/ir';
import { multiportLimit } from '../../src/ports.js';

/** One packet as the filter table sees it in FORWARD or INPUT. */
export interface Packet {
  readonly src: string;
  readonly dst: string;
  readonly protocol: L4Protocol;
  readonly dport?: number;
  /** ICMP or ICMPv6 type, for `icmp` and `ipv6-icmp` packets. */
  readonly icmpType?: number;
  /** Conntrack state; `UNTRACKED` for what conntrack ignores (IPv6 neighbour discovery). */
  readonly state: CtState | 'UNTRACKED';
  /** Interface the packet arrived on; absent, no `-i` rule matches it. */
  readonly inInterface?: string;
  /** Its connection's destination was rewritten (a Service hairpin): `--ctstate DNAT` holds. */
  readonly dnat?: boolean;
  /** Its source address is forged: no route back to it goes out by its input interface (rpfilter). */
  readonly forged?: boolean;
  /** IPv6 hop limit (default 64): neighbour discovery has 255, which no routed packet keeps. */
  readonly hopLimit?: number;
}

/** What the packet ends with: CONTINUE means it fell off netpolc's hook (the host decides). */
export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'CONTINUE';

/** The outcome of a walk. */
export interface Walk {
  readonly verdict: Verdict;
  /** Prefixes of the LOG/NFLOG rules the packet hit, in order. */
  readonly logs: readonly string[];
  /** Rules evaluated. */
  readonly visited: number;
}

const rangeCache = new Map<string, readonly [Family, bigint, bigint]>();

/** `[family, first, last]` of a CIDR or a bare address. */
function range(text: string): readonly [Family, bigint, bigint] {
  let r = rangeCache.get(text);
  if (r) return r;
  if (text.includes('/')) {
    const c = parseCidr(text);
    if (!c || c.hadHostBits) throw new Error(`bad CIDR ${text}`);
    const [lo, hi] = cidrBounds(c);
    r = [c.family, lo, hi];
  } else {
    const ip = parseIp(text);
    if (!ip) throw new Error(`bad address ${text}`);
    r = [ip.family, ip.value, ip.value];
  }
  rangeCache.set(text, r);
  return r;
}

function inCidr(text: string, ip: string): boolean {
  const [f, lo, hi] = range(text);
  const [pf, v] = range(ip);
  return f === pf && v >= lo && v <= hi;
}

function matchOne(m: Match, rule: Rule, p: Packet, sets: ReadonlyMap<string, IpSet>): boolean {
  const addr = (side: 'src' | 'dst'): string => (side === 'src' ? p.src : p.dst);
  switch (m.kind) {
    case 'conntrack': {
      // An untracked packet is in none of the states, so a negated match takes it.
      const inStates = (p.state !== 'UNTRACKED' && m.states.includes(p.state)) || (p.dnat === true && m.states.includes('DNAT'));
      return m.negated ? !inStates : inStates;
    }
    case 'set': {
      const s = sets.get(m.set);
      if (!s) throw new Error(`rule uses missing set ${m.set}`);
      return s.members.some((member) => inCidr(member, addr(m.side)));
    }
    case 'iprange': {
      const [, lo] = range(m.from);
      const [, hi] = range(m.to);
      const [, v] = range(addr(m.side));
      return v >= lo && v <= hi;
    }
    case 'ports':
      return p.protocol === rule.protocol && p.dport !== undefined && m.ports.some((r) => p.dport! >= r.from && p.dport! <= r.to);
    case 'icmp':
      return p.protocol === 'icmp' && p.icmpType === m.type;
    case 'icmp6':
      return p.protocol === 'ipv6-icmp' && p.icmpType === m.type;
    case 'limit':
    case 'comment':
      // The first packet always has a token (burst 5); a comment always matches.
      return true;
    case 'rpfilter-fails':
      return p.forged === true;
    case 'hop-limit':
      return (p.hopLimit ?? 64) === m.value;
  }
}

/** `-i NAME`: a trailing `+` matches every name with that prefix (iptables(8)). */
function interfaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function matches(rule: Rule, p: Packet, sets: ReadonlyMap<string, IpSet>): boolean {
  if (rule.source !== undefined && !inCidr(rule.source, p.src)) return false;
  if (rule.destination !== undefined && !inCidr(rule.destination, p.dst)) return false;
  if (rule.inInterface !== undefined && !interfaceMatches(rule.inInterface, p.inInterface)) return false;
  if (rule.protocol !== undefined && rule.protocol !== p.protocol) return false;
  if (rule.exceptProtocol !== undefined && rule.exceptProtocol === p.protocol) return false;
  return rule.matches.every((m) => matchOne(m, rule, p, sets));
}

/**
 * Walks a packet from the top of a built-in chain (whose only rules here are the hooks) through the
 * ruleset. Falling off the built-in chain is CONTINUE: the rest of the host's chain decides.
 */
export function walk(rs: Ruleset, sets: ReadonlyMap<string, IpSet>, p: Packet, hook: BuiltinChain = 'FORWARD'): Walk {
  // PREROUTING is hooked in the raw table (--pod-interface), the others in filter.
  const table = hook === 'PREROUTING' ? (rs.raw ?? { chains: [], hooks: [] }) : rs;
  const chains = new Map(table.chains.map((c) => [c.name, c.rules]));
  const forward = table.hooks.filter((h) => h.chain === hook).sort((a, b) => a.position - b.position).map((h) => h.rule);
  const logs: string[] = [];
  let visited = 0;
  // Frames to return to after a jump: [rules, next index]. A goto replaces the current frame.
  const stack: [readonly Rule[], number][] = [];
  let rules: readonly Rule[] = forward;
  let i = 0;
  for (;;) {
    if (visited > 100_000) throw new Error('rule walk does not terminate');
    if (i >= rules.length) {
      // Falling off a user chain returns; falling off FORWARD ends netpolc's say.
      const frame = stack.pop();
      if (!frame) return { verdict: 'CONTINUE', logs, visited };
      [rules, i] = frame;
      continue;
    }
    const rule = rules[i]!;
    visited++;
    i++;
    if (!matches(rule, p, sets)) continue;
    const t = rule.target;
    switch (t.kind) {
      case 'ACCEPT':
      case 'DROP':
        return { verdict: t.kind, logs, visited };
      case 'REJECT':
        return { verdict: 'REJECT', logs, visited };
      case 'LOG':
      case 'NFLOG':
        logs.push(t.prefix);
        break;
      case 'RETURN': {
        const frame = stack.pop();
        if (!frame) return { verdict: 'CONTINUE', logs, visited };
        [rules, i] = frame;
        break;
      }
      case 'jump':
      case 'goto': {
        const target = chains.get(t.chain);
        if (!target) throw new Error(`jump to undeclared chain ${t.chain}`);
        if (t.kind === 'jump') stack.push([rules, i]);
        else if (stack.length === 0) throw new Error(`goto from ${hook} itself`);
        rules = target;
        i = 0;
        break;
      }
    }
  }
}

/** Every set of a list by name. */
export function setMap(sets: readonly IpSet[] | undefined): Map<string, IpSet> {
  return new Map((sets ?? []).map((s) => [s.name, s]));
}

/**
 * Checks what the kernel would reject and what netpolc promises: names within limits and owned by
 * the prefix, every jump and set declared with the right family, multiport and REJECT usage valid,
 * LOG prefixes of at most 29 characters, interface names the kernel and iptables take, interface
 * matches only in NETPOLC-INPUT (the INPUT path alone), no jump loops, exactly one FORWARD and one
 * INPUT hook, and no ACCEPT reachable from INPUT (netpolc only narrows what reaches the node).
 */
export function validateRuleset(rs: Ruleset, sets: ReadonlyMap<string, IpSet>): void {
  const names = new Set<string>();
  for (const c of rs.chains) {
    if (!c.name.startsWith(chainPrefix) || c.name.length > maxChainName) throw new Error(`bad chain name ${c.name}`);
    if (names.has(c.name)) throw new Error(`chain ${c.name} twice`);
    names.add(c.name);
  }
  if (rs.hooks.map((h) => h.chain).join(',') !== 'FORWARD,INPUT') throw new Error('expected exactly one FORWARD and one INPUT hook');
  const edges = new Map<string, string[]>();
  const accepting = new Set<string>();
  const check = (from: string, r: Rule): void => {
    if (r.target.kind === 'ACCEPT') accepting.add(from);
    for (const cidr of [r.source, r.destination]) if (cidr !== undefined && range(cidr)[0] !== rs.family) throw new Error(`${cidr} in an IPv${rs.family} ruleset`);
    if (r.protocol !== undefined && r.exceptProtocol !== undefined) throw new Error('-p and ! -p in one rule');
    if ([r.protocol, r.exceptProtocol].includes('ipv6-icmp') && rs.family !== 6) throw new Error('ipv6-icmp in an IPv4 ruleset');
    if ([r.protocol, r.exceptProtocol].includes('icmp') && rs.family !== 4) throw new Error('icmp in an IPv6 ruleset');
    const iface = r.inInterface;
    // IFNAMSIZ; iptables reads only a trailing + as a wildcard, and a leading ! or - differently.
    if (iface !== undefined && (iface.length === 0 || iface.length > maxInterfaceName || iface === '+' || !/^[\x21-\x7e]+$/.test(iface) || /["'\\/:*]|^[!-]/.test(iface))) throw new Error(`bad interface name ${iface}`);
    if (iface !== undefined && from !== chains.input) throw new Error(`interface match outside NETPOLC-INPUT (in ${from})`);
    for (const m of r.matches) {
      if (m.kind === 'set') {
        const s = sets.get(m.set);
        if (!s || s.family !== rs.family) throw new Error(`set ${m.set} missing or of the wrong family`);
      }
      if (m.kind === 'ports') {
        if (r.protocol === undefined) throw new Error('port match without -p');
        const weight = m.ports.reduce((w, p) => w + (p.from === p.to ? 1 : 2), 0);
        if (m.ports.length > 1 && weight > multiportLimit) throw new Error(`multiport with ${weight} ports`);
      }
      if (m.kind === 'comment' && m.text.length > maxComment) throw new Error('comment too long');
      if (m.kind === 'icmp' && r.protocol !== 'icmp') throw new Error('icmp match outside an icmp rule');
      if (m.kind === 'icmp6' && (r.protocol !== 'ipv6-icmp' || rs.family !== 6)) throw new Error('icmp6 match outside an ipv6-icmp rule of an IPv6 ruleset');
      if (m.kind === 'iprange' && (range(m.from)[0] !== rs.family || range(m.from)[1] > range(m.to)[1])) throw new Error('bad iprange');
    }
    const t = r.target;
    if ((t.kind === 'LOG' || t.kind === 'NFLOG') && t.prefix.length > maxLogPrefix) throw new Error(`log prefix over ${maxLogPrefix} characters: ${t.prefix}`);
    if (t.kind === 'REJECT') {
      if (t.with === 'tcp-reset' && r.protocol !== 'tcp') throw new Error('tcp-reset without -p tcp');
      if (t.with === (rs.family === 4 ? 'icmp6-port-unreachable' : 'icmp-port-unreachable')) throw new Error('REJECT type of the other family');
    }
    if (t.kind === 'jump' || t.kind === 'goto') {
      if (!names.has(t.chain)) throw new Error(`${from} jumps to undeclared ${t.chain}`);
      edges.set(from, [...(edges.get(from) ?? []), t.chain]);
    }
  };
  for (const c of rs.chains) for (const r of c.rules) check(c.name, r);
  for (const h of rs.hooks) check(h.chain, h.rule);
  // The kernel rejects loops (ELOOP); a depth-first search finds them here first.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') throw new Error(`jump loop through ${n}`);
    state.set(n, 'open');
    for (const m of edges.get(n) ?? []) visit(m);
    state.set(n, 'done');
  };
  visit('FORWARD');
  visit('INPUT');
  const reached = new Set<string>();
  const reach = (n: string): void => {
    if (reached.has(n)) return;
    reached.add(n);
    for (const m of edges.get(n) ?? []) reach(m);
  };
  reach('INPUT');
  for (const n of reached) if (accepting.has(n)) throw new Error(`${n} accepts, and INPUT reaches it`);
  for (const s of sets.values()) {
    if (!/^netpolc[46]-[0-9a-f]{16}$/.test(s.name) || !s.name.startsWith(setPrefix) || s.name.length > maxSetName || tmpSetName(s.family, s.maxelem).length > maxSetName) throw new Error(`bad set name ${s.name}`);
    if (s.members.length === 0 || s.members.length > s.maxelem) throw new Error(`set ${s.name} has ${s.members.length} members for maxelem ${s.maxelem}`);
    for (const m of s.members) if (range(m)[0] !== s.family || m.endsWith('/0')) throw new Error(`bad member ${m} of ${s.name}`);
  }
}
