import { formatCidr, formatIp } from '@netpolc/ir';
import type { AddressField, Chain, Family, Match, NamedSet, Range, Rule, Ruleset, SetRef, Statement, Verdict, VerdictMap } from './model.js';

// Printer of the typed model as `nft -f` input. One construct, one spelling: the test parser
// reads exactly this text back into the model. Set elements go one per line so that a pod
// joining a peer set is a one-line diff.

const familyWord: Record<Family, string> = { 4: 'ip', 6: 'ip6' };
const addressType: Record<Family, string> = { 4: 'ipv4_addr', 6: 'ipv6_addr' };
const familyBits: Record<Family, number> = { 4: 32, 6: 128 };

/** An address range as nft writes it: `1.2.3.4`, `10.0.0.0/8` when aligned, else `a-b`. */
export function formatAddressRange(family: Family, [lo, hi]: Range<bigint>): string {
  if (lo === hi) return formatIp(family, lo);
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) === 0n && lo % size === 0n) {
    let bits = 0;
    while (1n << BigInt(bits) < size) bits++;
    return formatCidr(family, lo, familyBits[family] - bits);
  }
  return `${formatIp(family, lo)}-${formatIp(family, hi)}`;
}

function formatPortRange([lo, hi]: Range<number>): string {
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

function braces(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

function addressExpr(family: Family, field: AddressField): string {
  return `${familyWord[family]} ${field}`;
}

function setRef(family: Family, ref: SetRef): string {
  return ref.kind === 'named' ? `@${ref.name}` : `{ ${ref.elements.map((r) => formatAddressRange(family, r)).join(', ')} }`;
}

/** One match, e.g. `ip saddr @peer4-…`, `tcp dport { 80, 443 }`. */
export function printMatch(m: Match): string {
  switch (m.kind) {
    case 'ct-state':
      return `ct state ${m.states.join(',')}`;
    case 'nfproto':
      return `meta nfproto ipv${m.family}`;
    case 'address':
      return `${addressExpr(m.family, m.field)} ${setRef(m.family, m.set)}`;
    case 'l4proto':
      return `meta l4proto ${braces(m.protocols)}`;
    case 'dport':
      return `${m.protocol} dport ${braces(m.ports.map(formatPortRange))}`;
    case 'proto-port':
      return `meta l4proto . th dport { ${m.elements.map((e) => `${e.protocol} . ${formatPortRange(e.ports)}`).join(', ')} }`;
    case 'address-proto-port':
      return `${addressExpr(m.family, m.field)} . meta l4proto . th dport @${m.set}`;
    case 'icmpv6-type':
      return `icmpv6 type ${braces(m.types)}`;
  }
}

function printVerdict(v: Verdict): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind;
}

/** One statement, e.g. `limit rate 10/second`, `reject with tcp reset`, `jump ingress/x/a`. */
export function printStatement(s: Statement): string {
  switch (s.kind) {
    case 'counter':
      return 'counter';
    case 'limit':
      return `limit rate ${s.rate}/${s.unit}`;
    case 'log':
      return `log prefix "${s.prefix}"`;
    case 'reject':
      return s.with === 'tcp-reset' ? 'reject with tcp reset' : 'reject with icmpx type port-unreachable';
    case 'vmap':
      return `${addressExpr(s.family, s.field)} vmap @${s.map}`;
    case 'verdict':
      return printVerdict(s.verdict);
  }
}

/** One rule on one line, with its comment. */
export function printRule(r: Rule): string {
  const parts = [...r.matches.map(printMatch), ...r.statements.map(printStatement)];
  if (r.comment !== undefined) parts.push(`comment "${r.comment}"`);
  return parts.join(' ');
}

// A peer set is shared by many nodes: print its element block once per program run.
const elementCache = new WeakMap<NamedSet, string>();

function elementLines(set: NamedSet): string {
  let text = elementCache.get(set);
  if (text !== undefined) return text;
  const lines: string[] = [];
  if (set.kind === 'address') {
    for (const e of set.elements) lines.push(`\t\t\t${formatAddressRange(set.family, e)},\n`);
  } else {
    for (const e of set.elements) lines.push(`\t\t\t${formatAddressRange(set.family, e.address)} . ${e.protocol} . ${formatPortRange(e.ports)},\n`);
  }
  text = lines.join('');
  elementCache.set(set, text);
  return text;
}

function printSet(set: NamedSet): string {
  const type = set.kind === 'address' ? addressType[set.family] : `${addressType[set.family]} . inet_proto . inet_service`;
  let out = `\tset ${set.name} {\n\t\ttype ${type}\n`;
  if (set.kind === 'address-proto-port' || set.interval) out += '\t\tflags interval\n';
  if (set.comment !== undefined) out += `\t\tcomment "${set.comment}"\n`;
  if (set.elements.length > 0) out += `\t\telements = {\n${elementLines(set)}\t\t}\n`;
  return `${out}\t}\n`;
}

function printMap(map: VerdictMap): string {
  let out = `\tmap ${map.name} {\n\t\ttype ${addressType[map.family]} : verdict\n`;
  if (map.elements.length > 0) {
    out += '\t\telements = {\n';
    for (const e of map.elements) out += `\t\t\t${formatIp(map.family, e.address)} : ${printVerdict(e.verdict)},\n`;
    out += '\t\t}\n';
  }
  return `${out}\t}\n`;
}

function printChain(chain: Chain): string {
  let out = `\tchain ${chain.name} {\n`;
  if (chain.hook !== undefined) out += `\t\ttype filter hook ${chain.hook} priority filter; policy accept;\n`;
  for (const r of chain.rules) out += `\t\t${printRule(r)}\n`;
  return `${out}\t}\n`;
}

/**
 * The file for `nft -f`. The first two commands create the table if it is missing and delete
 * it, so the definition that follows replaces it in the same transaction: the kernel applies the
 * whole file or nothing, and other tables are never touched (nftables wiki, "Atomic rule
 * replacement"; `destroy table` needs nft ≥ 1.0.8).
 */
export function printRuleset(ruleset: Ruleset): string {
  const t = ruleset.table;
  const blocks = [...t.sets.map(printSet), ...t.maps.map(printMap), ...t.chains.map(printChain)];
  return [
    '#!/usr/sbin/nft -f\n',
    `# netpolc: NetworkPolicy ruleset of node ${ruleset.node}. Generated; do not edit.\n`,
    `# Loading it replaces table inet ${t.name} atomically and leaves every other table alone.\n`,
    `table inet ${t.name}\n`,
    `delete table inet ${t.name}\n`,
    '\n',
    `table inet ${t.name} {\n`,
    blocks.join('\n'),
    '}\n',
  ].join('');
}
