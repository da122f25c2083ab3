import fc from 'fast-check';
import { resolve, type Program } from '@netpolc/ir';
import { clusterArb, corpusCases, loadValid, policiesArb, propertyParams, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import type { NodeRules } from '../src/model.js';
import { defaultOptions, type IptablesOptions } from '../src/options.js';
import { printIpSets, printRuleset } from '../src/print.js';
import { parseIpSets, parseRuleset, tokenize } from './support/parse.js';

const params = propertyParams(60);

function load(objects: readonly Manifest[]): Program {
  return loadValid(objects).program;
}

function roundTrip(nodes: readonly NodeRules[]): void {
  for (const n of nodes) {
    expect(parseRuleset(printRuleset(n.v4))).toEqual(n.v4);
    if (n.v6) expect(parseRuleset(printRuleset(n.v6))).toEqual(n.v6);
    if (n.ipsets) expect(parseIpSets(printIpSets(n.ipsets))).toEqual(n.ipsets);
  }
}

const optionsArb: fc.Arbitrary<IptablesOptions> = fc.record({
  ipset: fc.boolean(),
  denyAction: fc.constantFrom('drop' as const, 'reject' as const),
  log: fc.constantFrom('none' as const, 'denied' as const, 'allowed' as const, 'all' as const),
  logTarget: fc.constantFrom('log' as const, 'nflog' as const),
  nflogGroup: fc.integer({ min: 0, max: 65535 }),
  logRate: fc.constantFrom('10/sec', '3/min', '7/hour', '1/day'),
  podInterfaces: fc.constantFrom([], ['cali+'], ['eth1', 'lxc+', 'veth+']),
}).map((o) => ({ ...defaultOptions, ...o }));

it('parses printed rulesets and ipset files back into the same model', () => {
  fc.assert(
    fc.property(clusterArb(), policiesArb(), optionsArb, (cluster, policies, options) => {
      const program = load([...cluster.manifests, ...policies]);
      roundTrip(lowerProgram({ program, resolved: resolve(program) }, options).nodes);
    }),
    params,
  );
});

it('round-trips every corpus case in both ipset modes', () => {
  for (const c of corpusCases().filter((x) => !x.expectError)) {
    const { program } = c.load();
    for (const ipset of [true, false]) roundTrip(lowerProgram({ program, resolved: resolve(program) }, { ...defaultOptions, ipset, log: 'all' }).nodes);
  }
});

it('prints byte-identical files whatever the order of the input objects', () => {
  fc.assert(
    fc.property(clusterArb(), policiesArb(), fc.infiniteStream(fc.nat()), (cluster, policies, stream) => {
      const objects = [...cluster.manifests, ...policies];
      const shuffled = objects.map((o) => ({ o, k: stream.next().value as number })).sort((a, b) => a.k - b.k).map((x) => x.o);
      const print = (list: readonly Manifest[]): string[] => {
        const program = load(list);
        return lowerProgram({ program, resolved: resolve(program) }, defaultOptions).nodes.flatMap((n) => [printRuleset(n.v4), n.v6 ? printRuleset(n.v6) : '', n.ipsets ? printIpSets(n.ipsets) : '']);
      };
      expect(print(shuffled)).toEqual(print(objects));
    }),
    params,
  );
});

it('splits quoted words like iptables-restore does', () => {
  expect(tokenize('-A X -m comment --comment "a b" -j LOG --log-prefix "netpolc DENY-E 0123456789 "')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a b', '-j', 'LOG', '--log-prefix', 'netpolc DENY-E 0123456789 ']);
});

it('rejects a file whose temporary set is not swapped in', () => {
  const text = '# netpolc ipsets: node n\ncreate s hash:net family inet hashsize 64 maxelem 64 -exist\ncreate netpolc4-t6 hash:net family inet hashsize 64 maxelem 64 -exist\nflush netpolc4-t6\nadd netpolc4-t6 10.0.0.1\ndestroy netpolc4-t6\n# netpolc: end of file\n';
  expect(() => parseIpSets(text)).toThrow(/swap/);
});

it('ends every ruleset and ipset file with the end-of-file line the reload script checks, and nothing after it', () => {
  const program = corpusCases().find((c) => c.name === 'ipblock-except')!.load().program;
  const nodes = lowerProgram({ program, resolved: resolve(program) }, defaultOptions).nodes;
  const texts = nodes.flatMap((n) => [printRuleset(n.v4), ...(n.v6 ? [printRuleset(n.v6)] : []), ...(n.ipsets ? [printIpSets(n.ipsets)] : [])]);
  expect(texts.some((t) => t.startsWith('# netpolc ipsets'))).toBe(true);
  for (const t of texts) expect(t.endsWith('\n# netpolc: end of file\n'), t.slice(-80)).toBe(true);
  // Without it, the parsers refuse the file as the script does.
  for (const t of texts) expect(() => (t.startsWith('# netpolc ipsets') ? parseIpSets(t) : parseRuleset(t)).toString()).not.toThrow();
  for (const t of texts) {
    const cut = t.slice(0, t.lastIndexOf('# netpolc: end of file'));
    expect(() => (t.startsWith('# netpolc ipsets') ? parseIpSets(cut) : parseRuleset(cut))).toThrow(/last line/);
  }
});
