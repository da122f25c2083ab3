// Static checks of a model against what the kernel and nft 1.0.6 accept, so property tests
// catch a ruleset the kernel would refuse (e.g. overlapping interval elements, calico#13277)
// without loading it.
import { familyMax } from '@netpolc/ir';
import type { Family, Hook, Range, Rule, Table } from '../../src/model.js';

const identifier = /^[A-Za-z_.][A-Za-z0-9/_.-]*$/;
// Words the nft scanner turns into keywords; a set or chain with such a name does not parse.
const keywords = new Set(['fwd', 'dup', 'ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev', 'tcp', 'udp', 'sctp', 'meta', 'ct', 'th', 'set', 'map', 'chain', 'table', 'type', 'flags', 'elements', 'policy', 'hook', 'priority', 'accept', 'drop', 'return', 'jump', 'goto', 'counter', 'log', 'limit', 'reject', 'queue', 'vmap', 'ingress', 'egress']);
const baseChainNames = new Set(['forward', 'input', 'output']);

function checkRanges(problems: string[], where: string, ranges: readonly Range<bigint>[], family: Family, singles: boolean): void {
  let prev: bigint | undefined;
  for (const [lo, hi] of ranges) {
    if (lo > hi || hi > familyMax(family) || lo < 0n) problems.push(`${where}: bad range ${lo}-${hi}`);
    if (singles && lo !== hi) problems.push(`${where}: a set without flags interval holds only single addresses`);
    if (prev !== undefined && lo <= prev) problems.push(`${where}: elements overlap or are out of order (the kernel rejects overlapping intervals)`);
    prev = hi;
  }
}

function checkName(problems: string[], kind: string, name: string): void {
  if (name.length > 255) problems.push(`${kind} ${name}: name longer than 255 bytes`);
  if (!identifier.test(name)) problems.push(`${kind} ${name}: not an nft identifier`);
  if (keywords.has(name) && !(kind === 'chain' && baseChainNames.has(name))) problems.push(`${kind} ${name}: nft keyword`);
}

function checkRule(problems: string[], where: string, r: Rule, chains: ReadonlySet<string>, sets: ReadonlySet<string>, maps: ReadonlySet<string>, hook: Hook | undefined): void {
  for (const m of r.matches) {
    if (m.kind === 'interface') {
      // nft: "String exceeds maximum length of 16" (IFNAMSIZ with its NUL), "All-wildcard strings are not supported".
      if (Buffer.byteLength(m.name) > 15) problems.push(`${where}: interface name longer than 15 bytes`);
      if (m.name === '*' || m.name === '' || /["\\\s]/.test(m.name)) problems.push(`${where}: bad interface name ${JSON.stringify(m.name)}`);
      // Valid for nft, but a rule that can never match there is a lowering mistake.
      if ((m.side === 'in' && hook === 'output') || (m.side === 'out' && hook === 'input')) problems.push(`${where}: ${m.side === 'in' ? 'iifname' : 'oifname'} never matches in ${hook}`);
    }
    if (m.kind === 'address' && m.set.kind === 'named' && !sets.has(m.set.name)) problems.push(`${where}: unknown set ${m.set.name}`);
    if (m.kind === 'address' && m.set.kind === 'inline') checkRanges(problems, where, m.set.elements, m.family, false);
    if ((m.kind === 'address-proto-port' || m.kind === 'address-pair') && !sets.has(m.set)) problems.push(`${where}: unknown set ${m.set}`);
  }
  r.statements.forEach((s, i) => {
    const last = i === r.statements.length - 1;
    if ((s.kind === 'verdict' || s.kind === 'reject' || s.kind === 'vmap') && !last) problems.push(`${where}: statement after a verdict`);
    if (s.kind === 'verdict' && (s.verdict.kind === 'jump' || s.verdict.kind === 'goto') && !chains.has(s.verdict.chain)) problems.push(`${where}: unknown chain ${s.verdict.chain}`);
    if (s.kind === 'vmap' && !maps.has(s.map)) problems.push(`${where}: unknown map ${s.map}`);
    if (s.kind === 'log' && Buffer.byteLength(s.prefix) > 127) problems.push(`${where}: log prefix longer than 127 bytes`);
    if (s.kind === 'log' && s.prefix.includes('"')) problems.push(`${where}: quote in log prefix`);
    if (s.kind === 'limit' && !(s.rate > 0)) problems.push(`${where}: bad rate`);
    if (s.kind === 'reject' && s.with === 'tcp-reset' && !r.matches.some((m) => m.kind === 'l4proto' && m.protocols.length === 1 && m.protocols[0] === 'tcp')) {
      problems.push(`${where}: reject with tcp reset needs meta l4proto tcp`);
    }
  });
  if (r.comment !== undefined && (Buffer.byteLength(r.comment) > 128 || r.comment.includes('"'))) problems.push(`${where}: bad comment`);
}

/** Every reason the kernel or nft would refuse the table (empty when it loads). */
export function validateTable(t: Table): string[] {
  const problems: string[] = [];
  const chains = new Set<string>();
  const sets = new Set<string>();
  const maps = new Set<string>();
  for (const c of t.chains) {
    checkName(problems, 'chain', c.name);
    if (chains.has(c.name)) problems.push(`chain ${c.name}: defined twice`);
    chains.add(c.name);
  }
  for (const s of t.sets) {
    checkName(problems, 'set', s.name);
    if (sets.has(s.name)) problems.push(`set ${s.name}: defined twice`);
    sets.add(s.name);
    if (s.comment !== undefined && (Buffer.byteLength(s.comment) > 128 || s.comment.includes('"'))) problems.push(`set ${s.name}: bad comment`);
    if (s.kind === 'address') checkRanges(problems, `set ${s.name}`, s.elements, s.family, !s.interval);
    else if (s.kind === 'address-pair') {
      // The kernel merges a repeated pair silently; here it would mean an address listed twice.
      s.elements.forEach(([src, dst], i) => {
        if (src < 0n || src > familyMax(s.family) || dst < 0n || dst > familyMax(s.family)) problems.push(`set ${s.name}: bad address`);
        const prev = s.elements[i - 1];
        if (prev !== undefined && (prev[0] > src || (prev[0] === src && prev[1] >= dst))) problems.push(`set ${s.name}: elements repeat or are out of order`);
      });
    } else {
      // Concatenated intervals: no two elements may overlap in every field.
      s.elements.forEach((a, i) => {
        for (const b of s.elements.slice(i + 1)) {
          if (a.protocol === b.protocol && a.address[0] <= b.address[1] && b.address[0] <= a.address[1] && a.ports[0] <= b.ports[1] && b.ports[0] <= a.ports[1]) {
            problems.push(`set ${s.name}: overlapping elements`);
          }
        }
        if (a.ports[0] > a.ports[1] || a.ports[1] > 65535 || a.ports[0] < 0) problems.push(`set ${s.name}: bad port range`);
      });
    }
  }
  for (const m of t.maps) {
    checkName(problems, 'map', m.name);
    if (sets.has(m.name) || maps.has(m.name)) problems.push(`map ${m.name}: name taken`);
    maps.add(m.name);
    const keys = new Set<bigint>();
    for (const e of m.elements) {
      if (keys.has(e.address)) problems.push(`map ${m.name}: duplicate key`);
      keys.add(e.address);
      if (!chains.has(e.verdict.chain)) problems.push(`map ${m.name}: unknown chain ${e.verdict.chain}`);
    }
  }
  for (const c of t.chains) c.rules.forEach((r, i) => checkRule(problems, `chain ${c.name} rule ${i}`, r, chains, sets, maps, c.hook));
  if (t.chains.filter((c) => c.hook !== undefined).length !== new Set(t.chains.map((c) => c.hook).filter((h) => h !== undefined)).size) problems.push('two base chains on one hook');
  return problems;
}
