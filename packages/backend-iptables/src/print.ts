import { compilerAssert, endOfFileLine, ownedName } from '@netpolc/ir';
import type { Chain, Hook, IpSet, IpSetFile, Match, PortRange, Rule, Ruleset, Target } from './model.js';
import { tmpSetName } from './names.js';

// Printers: model -> the exact text `iptables-restore` / `ipset restore` read. Rules print in the
// order iptables-save itself uses (`-s`, `-d`, `-i`, `-p`, matches as given, target), so a ruleset
// read back from the kernel lines up with the file.

const bare = /^[A-Za-z0-9_-]+$/;
const unquotable = /["\\\n']/;

/**
 * A quoted word as iptables-save writes it (`xtables_save_string` in iptables
 * libxtables/xtables.c): bare when it holds only letters, digits, `_` and `-`, else in double
 * quotes. Printing the same way keeps a file and `iptables-save` of the loaded table identical.
 */
function quote(text: string): string {
  if (bare.test(text)) return text;
  // The message only when it fails: made for every comment of every node, it cost 50 ms at kube-scale.
  if (unquotable.test(text)) compilerAssert(false, `unquotable text ${JSON.stringify(text)}`);
  return `"${text}"`;
}

function portText(p: PortRange): string {
  return p.from === p.to ? `${p.from}` : `${p.from}:${p.to}`;
}

function matchText(m: Match, rule: Rule): string {
  switch (m.kind) {
    case 'conntrack':
      return `-m conntrack ${m.negated ? '! ' : ''}--ctstate ${m.states.join(',')}`;
    case 'rpfilter-fails':
      return '-m rpfilter --invert';
    case 'set':
      return `-m set --match-set ${m.set} ${m.side}`;
    case 'iprange':
      return `-m iprange --${m.side}-range ${m.from}-${m.to}`;
    case 'ports': {
      compilerAssert(rule.protocol !== undefined && m.ports.length > 0, 'a port match needs a protocol and ports');
      if (m.ports.length === 1) return `-m ${rule.protocol} --dport ${portText(m.ports[0]!)}`;
      return `-m multiport --dports ${m.ports.map(portText).join(',')}`;
    }
    case 'icmp':
      return `-m icmp --icmp-type ${m.type}`;
    case 'icmp6':
      return `-m icmp6 --icmpv6-type ${m.type}`;
    case 'hop-limit':
      return `-m hl --hl-eq ${m.value}`;
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

// Hooks and the rules of fixed chains are in every ruleset: their text is cached. Pod chains
// arrive with their text from the lowering (see shareChain). Rules of one node's dispatch chains
// are printed once and never cached: a cache entry per rule would cost more than it saves.
const textCache = new WeakMap<Rule, string>();

/** The rule specification after `-A CHAIN` (also the content key of a chain), cached. */
export function ruleText(rule: Rule): string {
  let text = textCache.get(rule);
  if (text === undefined) {
    text = formatRule(rule);
    textCache.set(rule, text);
  }
  return text;
}

/** The rule specification after `-A CHAIN`, built afresh. */
export function formatRule(rule: Rule): string {
  let out = '';
  if (rule.source !== undefined) out += `-s ${rule.source} `;
  if (rule.destination !== undefined) out += `-d ${rule.destination} `;
  if (rule.inInterface !== undefined) out += `-i ${rule.inInterface} `;
  if (rule.protocol !== undefined) out += `-p ${rule.protocol} `;
  if (rule.exceptProtocol !== undefined) out += `! -p ${rule.exceptProtocol} `;
  for (const m of rule.matches) out += `${matchText(m, rule)} `;
  return out + targetText(rule.target);
}

// Chains that many rulesets include (pod, log and fixed chains) are declared by the lowering;
// their `-A` lines are built once per compilation.
const sharedChains = new WeakSet<Chain>();
const chainCache = new WeakMap<Chain, string>();
const setCache = new WeakMap<IpSet, string>();

/**
 * Declares a chain object that several rulesets include, so that its text is built only once;
 * `lines`, when the caller has them, are its rules' texts ({@link formatRule}), in order.
 */
export function shareChain(c: Chain, lines?: readonly string[]): Chain {
  sharedChains.add(c);
  if (lines) {
    compilerAssert(lines.length === c.rules.length, 'one text per rule');
    chainCache.set(c, chainLines(c.name, lines));
  }
  return c;
}

/** The `-A` lines of a chain from its rules' texts: joined, so the cached text is flat. */
function chainLines(name: string, lines: readonly string[]): string {
  const head = `-A ${name} `;
  return lines.map((l) => `${head}${l}\n`).join('');
}

/** Start of the comment line that lists a node's files (the reload script reads it). */
const filesLinePrefix = '# netpolc files: ';

/** The last line of every file (see endOfFileLine): the reload script refuses a file without it. */
const endLine = `${endOfFileLine}\n`;

/** First line of every ruleset file; the parser reads node and family back from it. */
export function rulesetHeader(node: string, family: 4 | 6): string {
  return `# netpolc iptables backend: node ${node}, IPv${family}`;
}

/**
 * Appends the lines of the `iptables-restore` / `ip6tables-restore` input for one node and family
 * to `out`, each followed by its newline: `out.join('')` is the file. Writing pieces lets the
 * emitter join many files at once (see `emit.ts`). `ipsets`: whether the node has a .ipset file to
 * load first (its rules match sets), which the file's comment then says; `files`: the node's
 * files, listed in a comment line.
 */
export function writeRuleset(rs: Ruleset, out: string[], ipsets = true, files?: readonly string[]): void {
  out.push(`${rulesetHeader(rs.node, rs.family)}\n`, rulesetComments[rs.family][ipsets ? 1 : 0]);
  // The node's files, for the reload script: a copy that lost one is refused, and a stale file
  // the compile no longer writes (a node that lost its IPv6 pods) is not loaded.
  if (files) out.push(`${filesLinePrefix}${files.join(' ')}\n`);
  if (rs.raw) {
    out.push('*raw\n');
    for (const c of rs.raw.chains) out.push(declaration(c));
    for (const c of rs.raw.chains) for (const r of c.rules) out.push(`-A ${c.name} ${formatRule(r)}\n`);
    pushHooks(rs.raw.hooks, out);
    out.push('COMMIT\n');
  }
  out.push('*filter\n');
  for (const c of rs.chains) out.push(declaration(c));
  for (const c of rs.chains) {
    if (c.rules.length === 0) continue;
    if (sharedChains.has(c)) {
      let text = chainCache.get(c);
      if (text === undefined) {
        // Joined, not concatenated: a cached text must be flat, or every node's file would walk
        // its thousands of pieces again (--no-ipset chains run to thousands of rules).
        text = chainLines(c.name, c.rules.map((r) => textCache.get(r) ?? formatRule(r)));
        chainCache.set(c, text);
      }
      out.push(text);
    } else {
      const head = `-A ${c.name} `;
      for (const r of c.rules) out.push(`${head}${formatRule(r)}\n`);
    }
  }
  pushHooks(rs.hooks, out);
  out.push('COMMIT\n', endLine);
}

/** The `-I CHAIN N ...` lines of a table's hooks, each followed by its newline. */
function pushHooks(hooks: readonly Hook[], out: string[]): void {
  for (const h of hooks) out.push(`-I ${h.chain} ${h.position} ${ruleText(h.rule)}\n`);
}

const rulesetComment = (tool: string, ipsets: boolean): string =>
  `# ${ipsets ? "Load the node's .ipset file first. " : ''}On a host with other rules use ${tool}-restore --noflush,\n` +
  '# and reload with the procedure of the netpolc iptables README (it keeps the FORWARD and INPUT hooks single).\n';
/** By family, then without and with ipsets (a node whose rules match none has no .ipset file). */
const rulesetComments = {
  4: [rulesetComment('iptables', false), rulesetComment('iptables', true)],
  6: [rulesetComment('ip6tables', false), rulesetComment('ip6tables', true)],
} as const;

const declarations = new WeakMap<Chain, string>();

/** `:NAME - [0:0]` and its newline. */
function declaration(c: Chain): string {
  if (!sharedChains.has(c)) return `:${c.name} - [0:0]\n`;
  let text = declarations.get(c);
  if (text === undefined) {
    text = `:${c.name} - [0:0]\n`;
    declarations.set(c, text);
  }
  return text;
}

/** `iptables-restore` / `ip6tables-restore` input for one node and family (see {@link writeRuleset}). */
export function printRuleset(rs: Ruleset, ipsets = true, files?: readonly string[]): string {
  const out: string[] = [];
  writeRuleset(rs, out, ipsets, files);
  return out.join('');
}

function createLine(name: string, s: IpSet): string {
  return `create ${name} ${s.type} family ${s.family === 4 ? 'inet' : 'inet6'} hashsize ${s.hashsize} maxelem ${s.maxelem} -exist`;
}

/** First line of every ipset file. */
export function ipsetHeader(node: string): string {
  return `# netpolc ipsets: node ${node}`;
}

/**
 * Whether a file is one this backend writes for one of `nodes` (`EmitResult.owns`): its name and
 * its first line, which names the node and family, both say so.
 */
export function isOwnFile(nodes: ReadonlySet<string>, path: string, head: () => string): boolean {
  const owned = ownedName(path, nodes, ['.iptables', '.ip6tables', '.ipset']);
  if (!owned) return false;
  const first = owned.suffix === '.ipset' ? ipsetHeader(owned.name) : rulesetHeader(owned.name, owned.suffix === '.iptables' ? 4 : 6);
  return head().startsWith(`${first}\n`);
}

/**
 * Appends the `ipset restore` input to `out` (as {@link writeRuleset}). Each set is filled under
 * a temporary name and swapped in, so a set that live rules reference changes atomically and is
 * never flushed in place (kube-router does the same: `buildIPSetRestore` in
 * cloudnativelabs/kube-router pkg/utils/ipset.go). Names are content hashes, so an existing set
 * of the same name has the same parameters and `create -exist` succeeds. The temporary is named
 * by family and size only ({@link tmpSetName}) and destroyed after each swap. A set's block is
 * built once and shared by every node that loads the set.
 */
export function writeIpSets(file: IpSetFile, out: string[]): void {
  out.push(ipsetHeader(file.node), '\n# Load before the iptables files: ipset restore < THIS_FILE\n');
  for (const s of file.sets) {
    let block = setCache.get(s);
    if (block === undefined) {
      const tmp = tmpSetName(s.family, s.maxelem);
      const add = `\nadd ${tmp} `;
      // The members joined by the add command itself: no string per member (millions at kube-scale).
      const adds = s.members.length > 0 ? add + s.members.join(add) : '';
      block = `${createLine(s.name, s)}\n${createLine(tmp, s)}\nflush ${tmp}${adds}\nswap ${tmp} ${s.name}\ndestroy ${tmp}\n`;
      setCache.set(s, block);
    }
    out.push(block);
  }
  out.push(endLine);
}

/** `ipset restore` input for one node. */
export function printIpSets(file: IpSetFile): string {
  const out: string[] = [];
  writeIpSets(file, out);
  return out.join('');
}
