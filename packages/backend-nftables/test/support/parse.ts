// A parser of the text the printer writes, back into the typed model. It accepts exactly the
// printer's layout and fails loudly on anything else, so `parse(print(m))` equal to `m` shows the
// printer loses nothing and the goldens mean what the model means.
import { cidrBounds, endOfFileLine, parseCidr, parseIp } from '@netpolc/ir';
import type {
  AddressField,
  AddressProtoPort,
  Chain,
  CtState,
  Family,
  Hook,
  IcmpType, Icmpv6Type,
  L4Protocol,
  Match,
  NamedSet,
  ProtoPort,
  Range,
  RateUnit,
  Rule,
  Ruleset,
  Statement,
  VerdictMap,
} from '../../src/model.js';

class ParseError extends Error {
  override readonly name = 'ParseError';
}

function fail(line: number, message: string): never {
  throw new ParseError(`line ${line + 1}: ${message}`);
}

/** Parses an address element: `1.2.3.4`, `10.0.0.0/8`, `a-b`. */
export function parseAddressRange(text: string, family: Family): Range<bigint> {
  const dash = text.indexOf('-');
  if (dash > 0) {
    const lo = parseIp(text.slice(0, dash));
    const hi = parseIp(text.slice(dash + 1));
    if (!lo || !hi || lo.family !== family || hi.family !== family) throw new ParseError(`bad address range ${text}`);
    return [lo.value, hi.value];
  }
  if (text.includes('/')) {
    const c = parseCidr(text);
    if (!c || c.family !== family || c.hadHostBits) throw new ParseError(`bad prefix ${text}`);
    return cidrBounds(c);
  }
  const ip = parseIp(text);
  if (!ip || ip.family !== family) throw new ParseError(`bad address ${text}`);
  return [ip.value, ip.value];
}

function parsePortRange(text: string): Range<number> {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new ParseError(`bad port ${text}`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** Splits a rule line into tokens: words, quoted strings, `{`, `}`, `,`, `.`. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|([{},])|(\S+?)(?=[\s{},]|$)/gy;
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new ParseError(`cannot tokenize at ${text.slice(i)}`);
    out.push(m[1] !== undefined ? `"${m[1]}` : m[0]);
    i = re.lastIndex;
  }
  return out;
}

class Tokens {
  private i = 0;
  constructor(private readonly list: readonly string[]) {}
  peek(k = 0): string | undefined {
    return this.list[this.i + k];
  }
  next(): string {
    const t = this.list[this.i++];
    if (t === undefined) throw new ParseError('unexpected end of rule');
    return t;
  }
  expect(word: string): void {
    const t = this.next();
    if (t !== word) throw new ParseError(`expected ${word}, got ${t}`);
  }
  done(): boolean {
    return this.i >= this.list.length;
  }
  /** `x` or `{ x, y }` as a list of words. */
  list1(): string[] {
    if (this.peek() !== '{') return [this.next()];
    this.next();
    const items: string[] = [];
    for (;;) {
      items.push(this.next());
      const sep = this.next();
      if (sep === '}') return items;
      if (sep !== ',') throw new ParseError(`expected , or }, got ${sep}`);
    }
  }
  quoted(): string {
    const t = this.next();
    if (!t.startsWith('"')) throw new ParseError(`expected a quoted string, got ${t}`);
    return t.slice(1);
  }
}

const l4: readonly string[] = ['tcp', 'udp', 'sctp'];

/** Parses one printed rule. */
export function parseRule(text: string): Rule {
  const t = new Tokens(tokenize(text));
  const matches: Match[] = [];
  const statements: Statement[] = [];
  let comment: string | undefined;
  const match = (m: Match): void => {
    if (statements.length > 0) throw new ParseError('match after a statement');
    matches.push(m);
  };
  while (!t.done()) {
    const w = t.next();
    if (w === 'ct' && t.peek() === 'status') {
      t.next();
      t.expect('dnat');
      match({ kind: 'ct-status-dnat' });
    } else if (w === 'ct') {
      t.expect('state');
      const states = [t.next()];
      while (t.peek() === ',') {
        t.next();
        states.push(t.next());
      }
      match({ kind: 'ct-state', states: states as CtState[] });
    } else if (w === 'meta') {
      const what = t.next();
      if (what === 'nfproto') {
        const f = t.next();
        if (f !== 'ipv4' && f !== 'ipv6') throw new ParseError(`bad nfproto ${f}`);
        match({ kind: 'nfproto', family: f === 'ipv4' ? 4 : 6 });
      } else if (what === 'l4proto' && t.peek() === '.') {
        t.expect('.');
        t.expect('th');
        t.expect('dport');
        const elements: ProtoPort[] = [];
        t.expect('{');
        for (;;) {
          const protocol = t.next();
          if (!l4.includes(protocol)) throw new ParseError(`bad protocol ${protocol}`);
          t.expect('.');
          elements.push({ protocol: protocol as L4Protocol, ports: parsePortRange(t.next()) });
          const sep = t.next();
          if (sep === '}') break;
          if (sep !== ',') throw new ParseError(`expected , or }, got ${sep}`);
        }
        match({ kind: 'proto-port', elements });
      } else if (what === 'l4proto' && t.peek() === '!=') {
        t.next();
        t.expect('ipv6-icmp');
        match({ kind: 'not-icmpv6' });
      } else if (what === 'l4proto') {
        const protocols = t.list1();
        if (!protocols.every((p) => l4.includes(p))) throw new ParseError(`bad protocols ${protocols.join(',')}`);
        match({ kind: 'l4proto', protocols: protocols as L4Protocol[] });
      } else throw new ParseError(`unknown meta ${what}`);
    } else if (w === 'ip6' && t.peek() === 'hoplimit') {
      t.next();
      match({ kind: 'hop-limit', value: Number(t.next()) });
    } else if (w === 'ip' || w === 'ip6') {
      const family: Family = w === 'ip' ? 4 : 6;
      const field = t.next();
      if (field !== 'saddr' && field !== 'daddr') throw new ParseError(`bad field ${field}`);
      const f = field as AddressField;
      const nxt = t.peek();
      if (nxt === 'vmap') {
        t.next();
        const ref = t.next();
        if (!ref.startsWith('@')) throw new ParseError('vmap needs a named map');
        statements.push({ kind: 'vmap', family, field: f, map: ref.slice(1) });
      } else if (nxt === '.' && t.peek(1) === w) {
        if (f !== 'saddr') throw new ParseError('a pair lookup reads saddr . daddr');
        for (const word of ['.', w, 'daddr']) t.expect(word);
        const ref = t.next();
        if (!ref.startsWith('@')) throw new ParseError('pair lookup needs a named set');
        match({ kind: 'address-pair', family, set: ref.slice(1) });
      } else if (nxt === '.') {
        for (const word of ['.', 'meta', 'l4proto', '.', 'th', 'dport']) t.expect(word);
        const ref = t.next();
        if (!ref.startsWith('@')) throw new ParseError('concatenated lookup needs a named set');
        match({ kind: 'address-proto-port', family, field: f, set: ref.slice(1) });
      } else if (nxt?.startsWith('@')) {
        match({ kind: 'address', family, field: f, set: { kind: 'named', name: t.next().slice(1) } });
      } else if (nxt === '{') {
        match({ kind: 'address', family, field: f, set: { kind: 'inline', elements: t.list1().map((e) => parseAddressRange(e, family)) } });
      } else throw new ParseError(`unexpected ${nxt ?? 'end'} after ${w} ${field}`);
    } else if (l4.includes(w)) {
      t.expect('dport');
      match({ kind: 'dport', protocol: w as L4Protocol, ports: t.list1().map(parsePortRange) });
    } else if (w === 'fib') {
      for (const word of ['saddr', '.', 'iif', 'oif', 'missing']) t.expect(word);
      match({ kind: 'source-not-routed-back' });
    } else if (w === 'iifname' || w === 'oifname') {
      match({ kind: 'interface', side: w === 'iifname' ? 'in' : 'out', name: t.quoted() });
    } else if (w === 'icmp') {
      t.expect('type');
      match({ kind: 'icmp-type', types: t.list1() as IcmpType[] });
    } else if (w === 'icmpv6') {
      t.expect('type');
      match({ kind: 'icmpv6-type', types: t.list1() as Icmpv6Type[] });
    } else if (w === 'counter') {
      statements.push({ kind: 'counter' });
    } else if (w === 'limit') {
      t.expect('rate');
      const m = /^(\d+)\/(second|minute|hour|day)$/.exec(t.next());
      if (!m) throw new ParseError('bad rate');
      statements.push({ kind: 'limit', rate: Number(m[1]), unit: m[2] as RateUnit });
    } else if (w === 'log') {
      t.expect('prefix');
      statements.push({ kind: 'log', prefix: t.quoted() });
    } else if (w === 'reject') {
      t.expect('with');
      const how = t.next();
      if (how === 'tcp') {
        t.expect('reset');
        statements.push({ kind: 'reject', with: 'tcp-reset' });
      } else if (how === 'icmpx') {
        t.expect('type');
        t.expect('port-unreachable');
        statements.push({ kind: 'reject', with: 'icmpx-port-unreachable' });
      } else throw new ParseError(`unknown reject ${how}`);
    } else if (w === 'comment') {
      comment = t.quoted();
      if (!t.done()) throw new ParseError('comment must come last');
    } else if (w === 'accept' || w === 'drop' || w === 'return') {
      statements.push({ kind: 'verdict', verdict: { kind: w } });
    } else if (w === 'jump' || w === 'goto') {
      statements.push({ kind: 'verdict', verdict: { kind: w, chain: t.next() } });
    } else throw new ParseError(`unknown word ${w}`);
  }
  return { matches, statements, ...(comment !== undefined ? { comment } : {}) };
}

function parseElements(lines: readonly string[], at: number, line: (text: string) => void): number {
  let i = at;
  for (;;) {
    const l = lines[i];
    if (l === undefined) fail(i, 'unterminated elements');
    if (l === '\t\t}') return i + 1;
    const m = /^\t\t\t(.+),$/.exec(l);
    if (!m) fail(i, `bad element line ${JSON.stringify(l)}`);
    try {
      line(m[1]!);
    } catch (e) {
      fail(i, (e as Error).message);
    }
    i++;
  }
}

/** Parses a whole printed file into the ruleset it describes. */
export function parseRuleset(text: string): Ruleset {
  const lines = text.split('\n');
  if (lines.pop() !== '') fail(lines.length, 'file must end with a newline');
  let i = 0;
  let node: string | undefined;
  while (lines[i]?.startsWith('#')) {
    const m = /^# netpolc: NetworkPolicy ruleset of node (\S+)\. /.exec(lines[i]!);
    if (m) node = m[1];
    i++;
  }
  if (node === undefined) fail(0, 'missing node header');
  const preamble = /^table inet (\S+)$/.exec(lines[i] ?? '');
  if (!preamble) fail(i, 'expected the create-if-missing table command');
  const name = preamble[1]!;
  if (lines[i + 1] !== `delete table inet ${name}` || lines[i + 2] !== '' || lines[i + 3] !== `table inet ${name} {`) fail(i + 1, 'expected delete, then the table definition');
  i += 4;
  const sets: NamedSet[] = [];
  const maps: VerdictMap[] = [];
  const chains: Chain[] = [];
  for (;;) {
    const l = lines[i];
    if (l === undefined) fail(i, 'unterminated table');
    if (l === '}') {
      i++;
      break;
    }
    if (l === '') {
      i++;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\tset (\S+) \{$/.exec(l))) {
      const setName = m[1]!;
      const type = /^\t\ttype (ipv4_addr|ipv6_addr)( \. inet_proto \. inet_service| \. \1)?$/.exec(lines[i + 1] ?? '') ?? fail(i + 1, 'bad set type');
      const family: Family = type[1] === 'ipv4_addr' ? 4 : 6;
      const pair = type[2] !== undefined && !type[2].includes('inet_proto');
      const concat = type[2] !== undefined && !pair;
      i += 2;
      let interval = false;
      let comment: string | undefined;
      if (lines[i] === '\t\tflags interval') {
        interval = true;
        i++;
      }
      const cm = /^\t\tcomment "([^"]*)"$/.exec(lines[i] ?? '');
      if (cm) {
        comment = cm[1];
        i++;
      }
      const addresses: Range<bigint>[] = [];
      const tuples: AddressProtoPort[] = [];
      const pairs: [bigint, bigint][] = [];
      if (lines[i] === '\t\telements = {') {
        i = parseElements(lines, i + 1, (e) => {
          if (pair) {
            const ends = e.split(' . ').map((a) => parseAddressRange(a, family));
            if (ends.length !== 2 || ends.some(([lo, hi]) => lo !== hi)) throw new ParseError(`bad address pair ${e}`);
            pairs.push([ends[0]![0], ends[1]![0]]);
            return;
          }
          if (!concat) {
            addresses.push(parseAddressRange(e, family));
            return;
          }
          const parts = e.split(' . ');
          if (parts.length !== 3 || !l4.includes(parts[1]!)) throw new ParseError(`bad concatenated element ${e}`);
          tuples.push({ address: parseAddressRange(parts[0]!, family), protocol: parts[1] as L4Protocol, ports: parsePortRange(parts[2]!) });
        });
      }
      if (lines[i] !== '\t}') fail(i, 'expected end of set');
      i++;
      const c = comment !== undefined ? { comment } : {};
      if (pair) {
        if (interval) fail(i, 'address pair sets hold single addresses');
        sets.push({ kind: 'address-pair', name: setName, family, ...c, elements: pairs });
      } else if (concat) {
        if (!interval) fail(i, 'concatenated sets are always interval sets here');
        sets.push({ kind: 'address-proto-port', name: setName, family, ...c, elements: tuples });
      } else sets.push({ kind: 'address', name: setName, family, interval, ...c, elements: addresses });
    } else if ((m = /^\tmap (\S+) \{$/.exec(l))) {
      const mapName = m[1]!;
      const type = /^\t\ttype (ipv4_addr|ipv6_addr) : verdict$/.exec(lines[i + 1] ?? '') ?? fail(i + 1, 'bad map type');
      const family: Family = type[1] === 'ipv4_addr' ? 4 : 6;
      i += 2;
      const elements: VerdictMap['elements'][number][] = [];
      if (lines[i] === '\t\telements = {') {
        i = parseElements(lines, i + 1, (e) => {
          const em = /^(\S+) : (jump|goto) (\S+)$/.exec(e);
          if (!em) throw new ParseError(`bad map element ${e}`);
          const [lo, hi] = parseAddressRange(em[1]!, family);
          if (lo !== hi) throw new ParseError('map keys are single addresses');
          elements.push({ address: lo, verdict: { kind: em[2] as 'jump' | 'goto', chain: em[3]! } });
        });
      }
      if (lines[i] !== '\t}') fail(i, 'expected end of map');
      i++;
      maps.push({ name: mapName, family, elements });
    } else if ((m = /^\tchain (\S+) \{$/.exec(l))) {
      const chainName = m[1]!;
      i++;
      let hook: Hook | undefined;
      const base = /^\t\ttype filter hook (prerouting|forward|input|output) priority filter; policy accept;$/.exec(lines[i] ?? '');
      if (base) {
        hook = base[1] as Hook;
        i++;
      }
      const rules: Rule[] = [];
      while (lines[i] !== '\t}') {
        const rl = lines[i];
        if (rl === undefined || !rl.startsWith('\t\t')) fail(i, 'expected a rule');
        try {
          rules.push(parseRule(rl.slice(2)));
        } catch (e) {
          fail(i, (e as Error).message);
        }
        i++;
      }
      i++;
      chains.push({ name: chainName, ...(hook !== undefined ? { hook } : {}), rules });
    } else fail(i, `unexpected ${JSON.stringify(l)}`);
  }
  // The end-of-file line, which loaders check first (a file cut short may still load).
  if (lines[i] !== endOfFileLine) fail(i, `expected ${JSON.stringify(endOfFileLine)} after the table`);
  if (i + 1 !== lines.length) fail(i + 1, 'text after the end-of-file line');
  return { node, table: { name, sets, maps, chains } };
}
