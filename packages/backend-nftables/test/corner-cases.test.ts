// semantics.md corner cases (cornerScenarios in @netpolc/ir/testing) through the nftables
// backend: printed text parses back to the model, the model passes the kernel constraints
// (overlapping intervals, keyword names), and every node interpreted gives semantics.md's verdict.
import { evaluate } from '@netpolc/ir';
import { cornerScenarios, probeConnection } from '@netpolc/ir/testing';
import { describe, expect, it } from 'vitest';
import { clusterDecision } from './support/cluster.js';
import { compile, loadProgram } from './support/compile.js';
import { parseRuleset } from './support/parse.js';
import { validateTable } from './support/validate.js';

describe('nftables: semantics.md corner cases', () => {
  for (const s of cornerScenarios) {
    it(s.name, () => {
      const program = loadProgram(s.objects);
      const { models, texts } = compile(program);
      for (const [node, model] of models) {
        expect(parseRuleset(texts.get(node)!)).toStrictEqual(model);
        expect(validateTable(model.table), node).toEqual([]);
      }
      for (const p of s.probes) {
        const c = probeConnection(p);
        const ref = evaluate(program, c);
        if ('error' in ref) throw new Error(ref.error);
        const label = `${p.from} -> ${p.to} ${p.protocol}/${p.port}`;
        expect(ref.allowed, `reference evaluator: ${label}`).toBe(p.expected);
        for (const hostBehindForward of [false, true]) expect(clusterDecision(program, models, c, { hostBehindForward })!.allowed, `nftables: ${label} (hostBehindForward ${hostBehindForward})`).toBe(p.expected);
      }
    });
  }
});
