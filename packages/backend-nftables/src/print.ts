import { endOfFileLine, formatIp, ownedName } from '@netpolc/ir';
import type { AddressField, Family, Match, NamedSet, Range, Rule, Ruleset, SetRef, Statement, Verdict } from './model.js';

// Printer of the typed model as `nft -f` input. One construct, one spelling: the test parser
// reads exactly this text back into the model. Set elements go one per line so that a pod
// joining a peer set is a one-line diff.

const familyWord: Record<Family, string> = { 4: 'ip', 6: 'ip6' };
const addressType: Record<Family, string> = { 4: 'ipv4_addr', 6: 'ipv6_addr' };
const familyBits: Record<Family, number> = { 4: 32, 6: 128 };
const setType: Record<NamedSet['kind'], (family: Family) => string> = {
  address: (f) => addressType[f],
  'address-pair': (f) => `${addressType[f]} . ${addressType[f]}`,
  'address-proto-port': (f) => `${addressType[f]} . inet_proto . inet_service`,
};

const octets = Array.from({ length: 256 }, (_, i) => String(i));

/** An address as `formatIp` writes it; IPv4 (one per pod, map and set element) from a table of octets. */
function formatAddress(family: Family, value: bigint): string {
  if (family === 6) return formatIp(6, value);
  const n = Number(value);
  return `${octets[n >>> 24]!}.${octets[(n >>> 16) & 255]!}.${octets[(n >>> 8) & 255]!}.${octets[n & 255]!}`;
}

/** An address range as nft writes it: `1.2.3.4`, `10.0.0.0/8` when aligned, else `a-b`. */
export function formatAddressRange(family: Family, [lo, hi]: Range<bigint>): string {
  if (lo === hi) return formatAddress(family, lo);
  if (family === 4) {
    // IPv4 ranges in plain numbers (exact below 2^53): bigint arithmetic allocates per step.
    const from = Number(lo);
    const size = Number(hi) - from + 1;
    const bits = Math.round(Math.log2(size));
    if (2 ** bits === size && from % size === 0) return `${formatAddress(4, lo)}/${32 - bits}`;
    return `${formatAddress(4, lo)}-${formatAddress(4, hi)}`;
  }
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) === 0n && lo % size === 0n) {
    let bits = 0;
    while (1n << BigInt(bits) < size) bits++;
    return `${formatAddress(family, lo)}/${familyBits[family] - bits}`;
  }
  return `${formatAddress(family, lo)}-${formatAddress(family, hi)}`;
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
    case 'ct-status-dnat':
      return 'ct status dnat';
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
    case 'address-pair':
      return `${addressExpr(m.family, 'saddr')} . ${addressExpr(m.family, 'daddr')} @${m.set}`;
    case 'icmp-type':
      return `icmp type ${braces(m.types)}`;
    case 'icmpv6-type':
      return `icmpv6 type ${braces(m.types)}`;
    case 'not-icmpv6':
      return 'meta l4proto != ipv6-icmp';
    case 'hop-limit':
      return `ip6 hoplimit ${m.value}`;
    case 'source-not-routed-back':
      return 'fib saddr . iif oif missing';
    case 'interface':
      // Options validate the name: no quote or backslash can end or escape the string.
      return `${m.side === 'in' ? 'iifname' : 'oifname'} "${m.name}"`;
  }
}

function printVerdict(v: Verdict): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind;
}

/** The first two lines of a node's file: they name the node. */
function fileHead(node: string): string {
  return `#!/usr/sbin/nft -f\n# netpolc: NetworkPolicy ruleset of node ${node}. Generated; do not edit.\n`;
}

/** Whether a file is the one this backend writes for one of `nodes` (`EmitResult.owns`): by its name and first lines. */
export function isOwnFile(nodes: ReadonlySet<string>, path: string, head: () => string): boolean {
  const owned = ownedName(path, nodes, ['.nft']);
  return owned !== undefined && head().startsWith(fileHead(owned.name));
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

/**
 * Prints rulesets, remembering the text of shared model objects: chain bodies are shared by the
 * pods with the same tuples, peer sets and base rules by nodes. The model is immutable, so each
 * one's text is built once per printer (kube-scale: 5,000 files, 270 MB, from ~12k sets and
 * ~30k chain bodies).
 */
export class RulesetPrinter {
  private readonly ruleLines = new Map<Rule, string>();
  private readonly ruleBlocks = new Map<readonly Rule[], string>();
  private readonly setBlocks = new Map<NamedSet, string>();

  /** The file for `nft -f` of one ruleset. */
  print(ruleset: Ruleset): string {
    const out: string[] = [];
    this.write(ruleset, out);
    return out.join('');
  }

  /**
   * Appends the pieces of one file to `out` (`out.join('')` is the file; see `FileAssembler`).
   * The first two commands create the table if it is missing and
   * delete it, so the definition that follows replaces it in the same transaction: the kernel
   * applies the whole file or nothing, and other tables are never touched (nftables wiki,
   * "Atomic rule replacement"; `destroy table` needs nft ≥ 1.0.8).
   */
  write(ruleset: Ruleset, out: string[]): void {
    const t = ruleset.table;
    out.push(
      fileHead(ruleset.node),
      `# Loading it replaces table inet ${t.name} atomically and leaves every other table alone.\n`,
      `table inet ${t.name}\n`,
      `delete table inet ${t.name}\n`,
      '\n',
      `table inet ${t.name} {\n`,
    );
    // Blocks are separated by an empty line: cached blocks start with it, and the first block
    // of the table drops it (a slice, not a copy).
    let first = true;
    const sep = (text: string): string => {
      if (!first) return text;
      first = false;
      return text.slice(1);
    };
    for (const set of t.sets) out.push(sep(this.setBlock(set)));
    for (const map of t.maps) {
      out.push(sep('\n\tmap '), map.name, ' {\n\t\ttype ', addressType[map.family], ' : verdict\n');
      if (map.elements.length > 0) {
        out.push('\t\telements = {\n');
        for (const e of map.elements) out.push('\t\t\t', formatAddress(map.family, e.address), e.verdict.kind === 'jump' ? ' : jump ' : ' : goto ', e.verdict.chain, ',\n');
        out.push('\t\t}\n');
      }
      out.push('\t}\n');
    }
    for (const chain of t.chains) {
      out.push(sep('\n\tchain '), chain.name, ' {\n');
      if (chain.hook !== undefined) out.push('\t\ttype filter hook ', chain.hook, ' priority filter; policy accept;\n');
      this.rules(chain.rules, out);
    }
    // A file cut short after `delete table` is valid and leaves the node open: the procedure
    // checks this last line before loading (README, Deployment example).
    out.push('}\n', `${endOfFileLine}\n`);
  }

  /**
   * The rule lines of a chain and its closing brace. A list is remembered as one block unless
   * a rule names one pod: the deny log rule of `--log denied` is printed once, in one pod's
   * chain, and keeping it (or the chain's list) would only fill the heap.
   */
  private rules(rules: readonly Rule[], out: string[]): void {
    const cached = this.ruleBlocks.get(rules);
    if (cached !== undefined) {
      out.push(cached);
      return;
    }
    let perPod = false;
    const first = out.length;
    for (const r of rules) {
      let line = this.ruleLines.get(r);
      if (line === undefined) {
        line = `\t\t${printRule(r)}\n`;
        if (namesOnePod(r)) perPod = true;
        else this.ruleLines.set(r, line);
      }
      out.push(line);
    }
    out.push('\t}\n');
    if (perPod) return;
    const block = out.splice(first).join('');
    this.ruleBlocks.set(rules, block);
    out.push(block);
  }

  /** A set's block, starting with the empty line that separates it from the previous block. */
  private setBlock(set: NamedSet): string {
    let text = this.setBlocks.get(set);
    if (text !== undefined) return text;
    const parts = ['\n\tset ', set.name, ' {\n\t\ttype ', setType[set.kind](set.family), '\n'];
    if (set.kind === 'address-proto-port' || (set.kind === 'address' && set.interval)) parts.push('\t\tflags interval\n');
    if (set.comment !== undefined) parts.push('\t\tcomment "', set.comment, '"\n');
    if (set.elements.length > 0) {
      parts.push('\t\telements = {\n');
      if (set.kind === 'address') {
        for (const e of set.elements) parts.push('\t\t\t', formatAddressRange(set.family, e), ',\n');
      } else if (set.kind === 'address-pair') {
        for (const [src, dst] of set.elements) parts.push('\t\t\t', formatAddress(set.family, src), ' . ', formatAddress(set.family, dst), ',\n');
      } else {
        for (const e of set.elements) parts.push('\t\t\t', formatAddressRange(set.family, e.address), ' . ', e.protocol, ' . ', formatPortRange(e.ports), ',\n');
      }
      parts.push('\t\t}\n');
    }
    parts.push('\t}\n');
    text = parts.join('');
    // The pods and self sets are per node: remembering them would only hold memory.
    if (set.kind === 'address-proto-port' || (set.kind === 'address' && set.interval)) this.setBlocks.set(set, text);
    return text;
  }
}

/** A deny log rule: its prefix names the pod whose chain it ends (see `logPrefix`). */
function namesOnePod(rule: Rule): boolean {
  return rule.statements.some((s) => s.kind === 'log' && s.prefix.startsWith('netpolc deny '));
}

/** The file for `nft -f` of one ruleset. */
export function printRuleset(ruleset: Ruleset): string {
  return new RulesetPrinter().print(ruleset);
}
