import { compilerAssert } from '@netpolc/ir';
import type { Chain, IpSet, IpSetFile, Match, PortRange, Rule, Ruleset, Target } from './model.js';
import { tmpSetSuffix } from './names.js';

// Printers: model -> the exact text `iptables-restore` / `ipset restore` read. Rules print in the
// order iptables-save itself uses (`-s`, `-d`, `-p`, matches as given, target), so a ruleset read
// back from the kernel lines up with the file.

function quote(text: string): string {
  compilerAssert(!/["\\\n]/.test(text), `unquotable text ${JSON.stringify(text)}`);
  return `"${text}"`;
}

function portText(p: PortRange): string {
  return p.from === p.to ? `${p.from}` : `${p.from}:${p.to}`;
}

function matchText(m: Match, rule: Rule): string {
  switch (m.kind) {
    case 'conntrack':
      return `-m conntrack --ctstate ${m.states.join(',')}`;
    case 'set':
      return `-m set --match-set ${m.set} ${m.side}`;
    case 'iprange':
      return `-m iprange --${m.side}-range ${m.from}-${m.to}`;
    case 'ports': {
      compilerAssert(rule.protocol !== undefined && m.ports.length > 0, 'a port match needs a protocol and ports');
      if (m.ports.length === 1) return `-m ${rule.protocol} --dport ${portText(m.ports[0]!)}`;
      return `-m multiport --dports ${m.ports.map(portText).join(',')}`;
    }
    case 'icmp6':
      return `-m icmp6 --icmpv6-type ${m.type}`;
    case 'limit':
      return `-m limit --limit ${m.rate}`;
    case 'comment':
      return `-m comment --comment ${quote(m.text)}`;
  }
}

function targetText(t: Target): string {
  switch (t.kind) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return `-j ${t.kind}`;
    case 'REJECT':
      return `-j REJECT --reject-with ${t.with}`;
    case 'jump':
      return `-j ${t.chain}`;
    case 'goto':
      return `-g ${t.chain}`;
    case 'LOG':
      return `-j LOG --log-prefix ${quote(t.prefix)} --log-level ${t.level}`;
    case 'NFLOG':
      return `-j NFLOG --nflog-prefix ${quote(t.prefix)} --nflog-group ${t.group}`;
  }
}

// Chains are shared by every node with the same pods' tuples: each rule's text is built once.
const textCache = new WeakMap<Rule, string>();

/** The rule specification after `-A CHAIN` (also the content key of a chain). */
export function ruleText(rule: Rule): string {
  let text = textCache.get(rule);
  if (text === undefined) {
    text = formatRule(rule);
    textCache.set(rule, text);
  }
  return text;
}

function formatRule(rule: Rule): string {
  const parts: string[] = [];
  if (rule.source !== undefined) parts.push(`-s ${rule.source}`);
  if (rule.destination !== undefined) parts.push(`-d ${rule.destination}`);
  if (rule.protocol !== undefined) parts.push(`-p ${rule.protocol}`);
  for (const m of rule.matches) parts.push(matchText(m, rule));
  parts.push(targetText(rule.target));
  return parts.join(' ');
}

// Per-pod chains and sets are shared by many nodes: their text is built once per compilation.
const chainCache = new WeakMap<Chain, string>();
const setCache = new WeakMap<IpSet, string>();

function chainText(c: Chain): string {
  let text = chainCache.get(c);
  if (text === undefined) {
    text = c.rules.map((r) => `-A ${c.name} ${ruleText(r)}`).join('\n');
    chainCache.set(c, text);
  }
  return text;
}

/** First line of every ruleset file; the parser reads node and family back from it. */
export function rulesetHeader(node: string, family: 4 | 6): string {
  return `# netpolc iptables backend: node ${node}, IPv${family}`;
}

/** `iptables-restore` / `ip6tables-restore` input for one node and family. */
export function printRuleset(rs: Ruleset): string {
  const lines: string[] = [
    rulesetHeader(rs.node, rs.family),
    `# Load the node's .ipset file first. On a host with other rules use ${rs.family === 4 ? 'iptables' : 'ip6tables'}-restore --noflush,`,
    '# and reload with the procedure of the netpolc iptables README (it keeps the FORWARD and INPUT hooks single).',
    '*filter',
  ];
  for (const c of rs.chains) lines.push(`:${c.name} - [0:0]`);
  for (const c of rs.chains) if (c.rules.length > 0) lines.push(chainText(c));
  for (const h of rs.hooks) lines.push(`-I ${h.chain} ${h.position} ${ruleText(h.rule)}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function createLine(name: string, s: IpSet): string {
  return `create ${name} ${s.type} family ${s.family === 4 ? 'inet' : 'inet6'} hashsize ${s.hashsize} maxelem ${s.maxelem} -exist`;
}

/** First line of every ipset file. */
export function ipsetHeader(node: string): string {
  return `# netpolc ipsets: node ${node}`;
}

/**
 * `ipset restore` input. Each set is filled under a temporary name and swapped in, so a set that
 * live rules reference changes atomically and is never flushed in place (kube-router does the same:
 * `buildIPSetRestore` in cloudnativelabs/kube-router pkg/utils/ipset.go). Names are content hashes,
 * so an existing set of the same name has the same parameters and `create -exist` succeeds.
 */
export function printIpSets(file: IpSetFile): string {
  const lines: string[] = [ipsetHeader(file.node), '# Load before the iptables files: ipset restore < THIS_FILE'];
  for (const s of file.sets) {
    let block = setCache.get(s);
    if (block === undefined) {
      const tmp = `${s.name}${tmpSetSuffix}`;
      const add = `add ${tmp} `;
      block = [createLine(s.name, s), createLine(tmp, s), `flush ${tmp}`, ...s.members.map((m) => add + m), `swap ${tmp} ${s.name}`, `destroy ${tmp}`].join('\n');
      setCache.set(s, block);
    }
    lines.push(block);
  }
  lines.push('');
  return lines.join('\n');
}
