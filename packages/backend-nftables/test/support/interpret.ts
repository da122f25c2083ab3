// An interpreter of the typed nftables model: what the kernel does with one packet in one hook
// of one node's `table inet netpolc`. It follows nft semantics for the subset netpolc emits:
// rules in order, all matches must hold, statements run in order; `limit` stops the rule above
// the rate; a verdict-map miss continues with the next rule; `jump` comes back after the rule,
// `goto` does not (a later `return` goes to the chain that jumped); the end of a regular chain
// returns; the end of a base chain applies its policy (accept).
import { contains, type IntervalSet } from '@netpolc/ir';
import type { Chain, CtState, Family, Hook, IcmpType, Icmpv6Type, Match, NamedSet, Rule, Statement, Table, Verdict, VerdictMap } from '../../src/model.js';

/** The packet fields the model can look at. */
export interface Packet {
  readonly family: Family;
  readonly saddr: bigint;
  readonly daddr: bigint;
  readonly l4: 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmpv6';
  /** Destination port (tcp/udp/sctp). */
  readonly dport: number;
  /** ICMP type of an `icmp` packet, ICMPv6 type of an `icmpv6` one. */
  readonly icmpType?: IcmpType;
  readonly icmpv6Type?: Icmpv6Type;
  readonly ct: CtState;
  /** The connection's destination was rewritten (a Service hairpin): `ct status dnat` holds. */
  readonly dnat?: boolean;
  /** The source address is forged: no route back to it goes out by `iif` (fib). */
  readonly forged?: boolean;
  /** IPv6 hop limit (default 64): neighbour discovery has 255, which no routed packet keeps. */
  readonly hopLimit?: number;
  /** Interface the packet arrived on (the kernel has none in `output`). */
  readonly iif?: string;
  /** Interface it leaves by (the kernel has none in `input`). */
  readonly oif?: string;
}

/** What a hook decided, and what it logged on the way. */
export interface Outcome {
  readonly verdict: 'accept' | 'drop' | 'reject';
  /** How a rejected packet is answered. */
  readonly rejectWith?: 'tcp-reset' | 'icmpx-port-unreachable';
  readonly logs: readonly string[];
  /** Chains entered, in order. */
  readonly trace: readonly string[];
}

interface TableIndex {
  readonly chains: ReadonlyMap<string, Chain>;
  readonly sets: ReadonlyMap<string, NamedSet>;
  readonly maps: ReadonlyMap<string, VerdictMap>;
}

const indexes = new WeakMap<Table, TableIndex>();

function indexOf(table: Table): TableIndex {
  let index = indexes.get(table);
  if (!index) {
    index = { chains: new Map(table.chains.map((c) => [c.name, c])), sets: new Map(table.sets.map((s) => [s.name, s])), maps: new Map(table.maps.map((m) => [m.name, m])) };
    indexes.set(table, index);
  }
  return index;
}

type Flow = { readonly kind: 'terminal'; readonly verdict: 'accept' | 'drop' | 'reject' } | { readonly kind: 'return' };

/** Runs the packet through the base chain of `hook` (no base chain: accepted). */
export function runHook(table: Table, hook: Hook, packet: Packet, options: { readonly limitPasses: boolean } = { limitPasses: true }): Outcome {
  const { chains, sets, maps } = indexOf(table);
  const logs: string[] = [];
  const trace: string[] = [];
  let rejectWith: Outcome['rejectWith'];

  const chainOf = (name: string): Chain => {
    const c = chains.get(name);
    if (!c) throw new Error(`jump to missing chain ${name}`);
    return c;
  };
  const setOf = (name: string): NamedSet => {
    const s = sets.get(name);
    if (!s) throw new Error(`lookup in missing set ${name}`);
    return s;
  };

  const matches = (m: Match): boolean => {
    switch (m.kind) {
      case 'ct-state':
        return m.states.includes(packet.ct);
      case 'ct-status-dnat':
        return packet.dnat === true;
      case 'nfproto':
        return packet.family === m.family;
      case 'address': {
        if (packet.family !== m.family) return false;
        const value = packet[m.field];
        if (m.set.kind === 'inline') return containsRange(m.set.elements, value);
        const s = setOf(m.set.name);
        if (s.kind !== 'address' || s.family !== m.family) throw new Error(`set ${s.name} has the wrong type for ${m.family === 4 ? 'ip' : 'ip6'} ${m.field}`);
        return containsRange(s.elements, value);
      }
      case 'l4proto':
        return (m.protocols as readonly string[]).includes(packet.l4);
      case 'dport':
        return packet.l4 === m.protocol && containsRange(m.ports, packet.dport);
      case 'proto-port':
        return m.elements.some((e) => e.protocol === packet.l4 && e.ports[0] <= packet.dport && packet.dport <= e.ports[1]);
      case 'address-proto-port': {
        if (packet.family !== m.family) return false;
        const s = setOf(m.set);
        if (s.kind !== 'address-proto-port' || s.family !== m.family) throw new Error(`set ${s.name} has the wrong type for a concatenated lookup`);
        const a = packet[m.field];
        return s.elements.some((e) => e.address[0] <= a && a <= e.address[1] && e.protocol === packet.l4 && e.ports[0] <= packet.dport && packet.dport <= e.ports[1]);
      }
      case 'address-pair': {
        if (packet.family !== m.family) return false;
        const s = setOf(m.set);
        if (s.kind !== 'address-pair' || s.family !== m.family) throw new Error(`set ${s.name} has the wrong type for an address pair lookup`);
        return s.elements.some(([src, dst]) => src === packet.saddr && dst === packet.daddr);
      }
      case 'icmp-type':
        return packet.family === 4 && packet.l4 === 'icmp' && packet.icmpType !== undefined && m.types.includes(packet.icmpType);
      case 'icmpv6-type':
        return packet.l4 === 'icmpv6' && packet.icmpv6Type !== undefined && m.types.includes(packet.icmpv6Type);
      case 'not-icmpv6':
        return packet.l4 !== 'icmpv6';
      case 'source-not-routed-back':
        return packet.forged === true;
      case 'hop-limit':
        return packet.family === 6 && (packet.hopLimit ?? 64) === m.value;
      case 'interface': {
        // nft_meta breaks the rule when the hook has no such device, whatever the packet says.
        const name = m.side === 'in' ? (hook === 'output' ? undefined : packet.iif) : hook === 'input' ? undefined : packet.oif;
        if (name === undefined) return false;
        return m.name.endsWith('*') ? name.startsWith(m.name.slice(0, -1)) : name === m.name;
      }
    }
  };

  let depth = 0;
  const runChain = (name: string): Flow => {
    if (++depth > 16) throw new Error('jump stack deeper than the kernel allows (16)');
    trace.push(name);
    try {
      for (const rule of chainOf(name).rules) {
        if (!rule.matches.every(matches)) continue;
        const flow = runStatements(rule);
        if (flow !== 'next') return flow;
      }
      return { kind: 'return' };
    } finally {
      depth--;
    }
  };

  const runVerdict = (v: Verdict): Flow | 'next' => {
    switch (v.kind) {
      case 'accept':
      case 'drop':
        return { kind: 'terminal', verdict: v.kind };
      case 'return':
        return { kind: 'return' };
      case 'jump': {
        const f = runChain(v.chain);
        return f.kind === 'terminal' ? f : 'next';
      }
      case 'goto':
        return runChain(v.chain);
    }
  };

  const runStatements = (rule: Rule): Flow | 'next' => {
    for (const s of rule.statements as readonly Statement[]) {
      switch (s.kind) {
        case 'counter':
          break;
        case 'limit':
          if (!options.limitPasses) return 'next';
          break;
        case 'log':
          logs.push(s.prefix);
          break;
        case 'reject':
          if (s.with === 'tcp-reset' && packet.l4 !== 'tcp') throw new Error('reject with tcp reset on a non-TCP packet');
          rejectWith = s.with;
          return { kind: 'terminal', verdict: 'reject' };
        case 'vmap': {
          if (packet.family !== s.family) return 'next';
          const map = maps.get(s.map);
          if (!map || map.family !== s.family) throw new Error(`vmap lookup in missing or mistyped map ${s.map}`);
          const key = packet[s.field];
          const hit = map.elements.find((e) => e.address === key);
          if (!hit) return 'next';
          return runVerdict(hit.verdict);
        }
        case 'verdict':
          return runVerdict(s.verdict);
      }
    }
    return 'next';
  };

  const base = table.chains.find((c) => c.hook === hook);
  if (!base) return { verdict: 'accept', logs, trace };
  const flow = runChain(base.name);
  const verdict = flow.kind === 'terminal' ? flow.verdict : 'accept';
  return { verdict, ...(verdict === 'reject' && rejectWith !== undefined ? { rejectWith } : {}), logs, trace };
}

function containsRange<T extends bigint | number>(ranges: IntervalSet<T>, v: T): boolean {
  return contains(ranges, v);
}
