// The icmp-essentials profile's shape in the model, without the kernel (kernel-icmp.test.ts probes
// it): kube-router's types and no other, after the conntrack rules and before the dispatch maps.
import { icmpEssentialsScenario } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import type { Rule } from '../src/model.js';
import { compile, loadProgram } from './support/compile.js';

// Written out by hand from kube-router's utils.CommonICMPRules.
const essentials: Record<string, readonly string[]> = {
  'icmp-type': ['destination-unreachable', 'echo-request', 'time-exceeded'],
  'icmpv6-type': ['destination-unreachable', 'echo-reply', 'echo-request', 'nd-neighbor-advert', 'nd-neighbor-solicit', 'time-exceeded'],
};

/** The ICMP type matches of a rule (neighbour discovery's own rule aside). */
function icmpTypes(rule: Rule): { kind: string; types: string[] } | undefined {
  for (const m of rule.matches) {
    if ((m.kind === 'icmp-type' || m.kind === 'icmpv6-type') && !m.types.every((t) => t.startsWith('nd-'))) return { kind: m.kind, types: [...m.types].sort() };
  }
  return undefined;
}

it('--semantics icmp-essentials: kube-router\'s ICMP types and no other, after the conntrack rules and before the dispatch maps, in forward, input and output', () => {
  const { objects } = icmpEssentialsScenario();
  for (const allowIcmpEssentials of [false, true]) {
    const { models } = compile(loadProgram(objects, { semantics: { allowIcmpEssentials } }));
    expect(models.size).toBe(2);
    for (const [node, model] of models) {
      for (const chain of model.table.chains) {
        const at = chain.rules.flatMap((r, i) => (icmpTypes(r) ? [i] : []));
        const label = `${node} ${chain.name}`;
        if (!allowIcmpEssentials || chain.hook === undefined) {
          expect(at, label).toEqual([]);
          continue;
        }
        // One rule per family, accepting exactly the profile's types, with no other match.
        expect(at.map((i) => icmpTypes(chain.rules[i]!)), label).toEqual([
          { kind: 'icmp-type', types: essentials['icmp-type'] },
          { kind: 'icmpv6-type', types: essentials['icmpv6-type'] },
        ]);
        for (const i of at) {
          expect(chain.rules[i]!.matches, label).toHaveLength(1);
          expect(chain.rules[i]!.statements.at(-1), label).toEqual({ kind: 'verdict', verdict: { kind: 'accept' } });
        }
        const lastCt = chain.rules.findLastIndex((r) => r.matches.some((m) => m.kind === 'ct-state'));
        const firstMap = chain.rules.findIndex((r) => r.statements.some((s) => s.kind === 'vmap'));
        expect(lastCt, label).toBeLessThan(at[0]!);
        expect(firstMap === -1 || firstMap > at.at(-1)!, label).toBe(true);
      }
    }
  }
});
