// Parsers of the printed files back into the typed model (tests only): parse(print(model)) must
// deep-equal the model. They accept exactly the subset of the iptables-restore / ipset restore
// languages the printers produce and throw on anything else.
import { endOfFileLine } from '@netpolc/ir';
import type { BuiltinChain, Chain, CtState, Family, Hook, IpSet, IpSetFile, L4Protocol, Match, PortRange, Rule, Ruleset, Side, Target } from '../../src/model.js';
import { tmpSetName } from '../../src/names.js';

/** Splits a line into words; double-quoted words keep their spaces. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${line}`);
      out.push(line.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let end = line.indexOf(' ', i);
    if (end < 0) end = line.length;
    out.push(line.slice(i, end));
    i = end;
  }
  return out;
}

function parsePorts(text: string): PortRange[] {
  return text.split(',').map((p) => {
    const [a, b] = p.split(':');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new Error(`bad port ${p}`);
    return { from, to };
  });
}

/** Parses the words after `-A CHAIN` (or `-I CHAIN N`). */
export function parseRule(words: readonly string[]): Rule {
  let i = 0;
  const next = (): string => {
    const w = words[i++];
    if (w === undefined) throw new Error(`rule ends early: ${words.join(' ')}`);
    return w;
  };
  let source: string | undefined;
  let destination: string | undefined;
  let protocol: L4Protocol | undefined;
  let exceptProtocol: L4Protocol | undefined;
  let inInterface: string | undefined;
  const matches: Match[] = [];
  const protocolWord = (): L4Protocol => {
    const p = next();
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp' && p !== 'icmp' && p !== 'ipv6-icmp') throw new Error(`unknown protocol ${p}`);
    return p;
  };
  let target: Target | undefined;
  while (i < words.length) {
    const w = next();
    if (w === '-s') source = next();
    else if (w === '-d') destination = next();
    else if (w === '-i') inInterface = next();
    else if (w === '-p') protocol = protocolWord();
    else if (w === '!') {
      if (next() !== '-p') throw new Error(`only -p is negated before the matches: ${words.join(' ')}`);
      exceptProtocol = protocolWord();
    } else if (w === '-m') {
      const mod = next();
      const opt = next();
      if (mod === 'conntrack' && opt === '--ctstate') matches.push({ kind: 'conntrack', states: next().split(',') as CtState[] });
      else if (mod === 'conntrack' && opt === '!' && next() === '--ctstate') matches.push({ kind: 'conntrack', states: next().split(',') as CtState[], negated: true });
      else if (mod === 'set' && opt === '--match-set') {
        const set = next();
        matches.push({ kind: 'set', set, side: next() as Side });
      } else if (mod === 'iprange' && (opt === '--src-range' || opt === '--dst-range')) {
        const [from, to] = next().split('-') as [string, string];
        matches.push({ kind: 'iprange', side: opt === '--src-range' ? 'src' : 'dst', from, to });
      } else if (mod === protocol && opt === '--dport') {
        const ports = parsePorts(next());
        if (ports.length !== 1) throw new Error('--dport takes one port or range');
        matches.push({ kind: 'ports', ports });
      } else if (mod === 'multiport' && opt === '--dports') matches.push({ kind: 'ports', ports: parsePorts(next()) });
      else if (mod === 'icmp' && opt === '--icmp-type' && protocol === 'icmp') {
        const type = Number(next());
        if (!Number.isInteger(type)) throw new Error('--icmp-type takes a number');
        matches.push({ kind: 'icmp', type });
      } else if (mod === 'icmp6' && opt === '--icmpv6-type' && protocol === 'ipv6-icmp') {
        const type = Number(next());
        if (!Number.isInteger(type)) throw new Error('--icmpv6-type takes a number');
        matches.push({ kind: 'icmp6', type });
      } else if (mod === 'limit' && opt === '--limit') matches.push({ kind: 'limit', rate: next() });
      else if (mod === 'comment' && opt === '--comment') matches.push({ kind: 'comment', text: next() });
      else if (mod === 'rpfilter' && opt === '--invert') matches.push({ kind: 'rpfilter-fails' });
      else if (mod === 'hl' && opt === '--hl-eq') matches.push({ kind: 'hop-limit', value: Number(next()) });
      else throw new Error(`unknown match -m ${mod} ${opt}`);
    } else if (w === '-g') target = { kind: 'goto', chain: next() };
    else if (w === '-j') {
      const t = next();
      if (t === 'ACCEPT' || t === 'DROP' || t === 'RETURN') target = { kind: t };
      else if (t === 'REJECT') {
        if (next() !== '--reject-with') throw new Error('REJECT needs --reject-with');
        target = { kind: 'REJECT', with: next() as Extract<Target, { kind: 'REJECT' }>['with'] };
      } else if (t === 'LOG') {
        if (next() !== '--log-prefix') throw new Error('LOG needs --log-prefix');
        const prefix = next();
        if (next() !== '--log-level') throw new Error('LOG needs --log-level');
        target = { kind: 'LOG', prefix, level: Number(next()) };
      } else if (t === 'NFLOG') {
        if (next() !== '--nflog-prefix') throw new Error('NFLOG needs --nflog-prefix');
        const prefix = next();
        if (next() !== '--nflog-group') throw new Error('NFLOG needs --nflog-group');
        target = { kind: 'NFLOG', prefix, group: Number(next()) };
      } else target = { kind: 'jump', chain: t };
    } else throw new Error(`unknown word ${w} in ${words.join(' ')}`);
    if (target && i < words.length) throw new Error(`words after the target: ${words.slice(i).join(' ')}`);
  }
  if (!target) throw new Error(`rule without target: ${words.join(' ')}`);
  return {
    ...(source !== undefined ? { source } : {}),
    ...(destination !== undefined ? { destination } : {}),
    ...(inInterface !== undefined ? { inInterface } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(exceptProtocol !== undefined ? { exceptProtocol } : {}),
    matches,
    target,
  };
}

/** Parses an iptables-restore file printed by `printRuleset`. */
export function parseRuleset(text: string): Ruleset {
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('file must end with a newline');
  lines.pop();
  const header = /^# netpolc iptables backend: node (\S+), IPv([46])$/.exec(lines[0] ?? '');
  if (!header) throw new Error(`bad header ${lines[0]}`);
  if (lines[lines.length - 1] !== endOfFileLine) throw new Error(`the last line must be ${endOfFileLine}`);
  const body = lines.filter((l) => !l.startsWith('#'));
  // An optional *raw table (--pod-interface), then the *filter table, each ending in COMMIT.
  const tables: { name: string; lines: string[] }[] = [];
  for (const line of body) {
    if (line.startsWith('*')) tables.push({ name: line.slice(1), lines: [] });
    else if (line === 'COMMIT') tables.push({ name: '', lines: [] });
    else if (tables.length === 0 || tables[tables.length - 1]!.name === '') throw new Error(`line outside a table: ${line}`);
    else tables[tables.length - 1]!.lines.push(line);
  }
  const named = tables.filter((t) => t.name !== '');
  if (body[body.length - 1] !== 'COMMIT' || tables.length !== 2 * named.length) throw new Error('every table must end in COMMIT');
  const names = named.map((t) => t.name).join(',');
  if (names !== 'filter' && names !== 'raw,filter') throw new Error(`expected *filter, or *raw then *filter: found ${names}`);
  const tableOf = (name: string, builtins: readonly BuiltinChain[]): { chains: Chain[]; hooks: Hook[] } => {
    const chains = new Map<string, Rule[]>();
    const hooks: Hook[] = [];
    for (const line of named.find((t) => t.name === name)!.lines) {
      const decl = /^:(\S+) - \[0:0\]$/.exec(line);
      if (decl) {
        if (chains.has(decl[1]!)) throw new Error(`chain ${decl[1]} declared twice`);
        chains.set(decl[1]!, []);
        continue;
      }
      const words = tokenize(line);
      if (words[0] === '-A') {
        const rules = chains.get(words[1]!);
        if (!rules) throw new Error(`rule for undeclared chain ${words[1]}`);
        rules.push(parseRule(words.slice(2)));
      } else if (words[0] === '-I' && builtins.includes(words[1] as BuiltinChain)) {
        hooks.push({ chain: words[1] as BuiltinChain, position: Number(words[2]), rule: parseRule(words.slice(3)) });
      } else throw new Error(`unexpected line ${line}`);
    }
    return { chains: [...chains].map(([n, rules]) => ({ name: n, rules })), hooks };
  };
  const filter = tableOf('filter', ['FORWARD', 'INPUT']);
  const ruleset: Ruleset = { node: header[1]!, family: Number(header[2]) as Family, chains: filter.chains, hooks: filter.hooks };
  return names === 'filter' ? ruleset : { ...ruleset, raw: tableOf('raw', ['PREROUTING']) };
}

/** Parses an ipset restore file printed by `printIpSets`, checking the fill-then-swap protocol. */
export function parseIpSets(text: string): IpSetFile {
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('file must end with a newline');
  lines.pop();
  const header = /^# netpolc ipsets: node (\S+)$/.exec(lines[0] ?? '');
  if (!header) throw new Error(`bad header ${lines[0]}`);
  if (lines[lines.length - 1] !== endOfFileLine) throw new Error(`the last line must be ${endOfFileLine}`);
  const body = lines.filter((l) => !l.startsWith('#')).map((l) => l.split(' '));
  const sets: IpSet[] = [];
  let i = 0;
  const expect = (cond: boolean, what: string): void => {
    if (!cond) throw new Error(`line ${i}: expected ${what}, found ${body[i]?.join(' ')}`);
  };
  const create = (w: readonly string[] | undefined): { name: string; family: Family; hashsize: number; maxelem: number } => {
    expect(w !== undefined && w.length === 10 && w[0] === 'create' && w[2] === 'hash:net' && w[3] === 'family' && w[5] === 'hashsize' && w[7] === 'maxelem' && w[9] === '-exist', 'create NAME hash:net family F hashsize H maxelem M -exist');
    return { name: w![1]!, family: w![4] === 'inet' ? 4 : 6, hashsize: Number(w![6]), maxelem: Number(w![8]) };
  };
  while (i < body.length) {
    const real = create(body[i]);
    i++;
    const tmp = create(body[i]);
    expect(tmp.name === tmpSetName(real.family, real.maxelem) && tmp.name !== real.name && tmp.family === real.family && tmp.hashsize === real.hashsize && tmp.maxelem === real.maxelem, 'the temporary twin of the set');
    i++;
    expect(body[i]?.join(' ') === `flush ${tmp.name}`, `flush ${tmp.name}`);
    i++;
    const members: string[] = [];
    while (body[i]?.[0] === 'add') {
      expect(body[i]!.length === 3 && body[i]![1] === tmp.name, `add ${tmp.name} MEMBER`);
      members.push(body[i]![2]!);
      i++;
    }
    expect(body[i]?.join(' ') === `swap ${tmp.name} ${real.name}`, 'swap');
    i++;
    expect(body[i]?.join(' ') === `destroy ${tmp.name}`, 'destroy');
    i++;
    sets.push({ name: real.name, family: real.family, type: 'hash:net', hashsize: real.hashsize, maxelem: real.maxelem, members });
  }
  return { node: header[1]!, sets };
}
