// semantics.md corner cases (cornerScenarios in @netpolc/ir/testing) through the iptables
// backend's model, interpreted, in both ipset modes: every probe gets the verdict semantics.md
// gives, on the reference evaluator and on the rules.
import { evaluate, resolve } from '@netpolc/ir';
import { cornerScenarios, loadValid, probeConnection } from '@netpolc/ir/testing';
import { describe, expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import { defaultOptions } from '../src/options.js';
import { networkVerdict, validateAll } from './support/network.js';

describe('iptables: semantics.md corner cases', () => {
  for (const s of cornerScenarios) {
    it(s.name, () => {
      const { program } = loadValid(s.objects);
      const resolved = resolve(program);
      for (const ipset of [true, false]) {
        const { nodes } = lowerProgram({ program, resolved }, { ...defaultOptions, ipset });
        validateAll(nodes);
        for (const p of s.probes) {
          const c = probeConnection(p);
          const ref = evaluate(program, c);
          if ('error' in ref) throw new Error(ref.error);
          const label = `${p.from} -> ${p.to} ${p.protocol}/${p.port} (ipset ${ipset})`;
          expect(ref.allowed, `reference evaluator: ${label}`).toBe(p.expected);
          expect(networkVerdict(program, nodes, c)!.allowed, `iptables: ${label}`).toBe(p.expected);
        }
      }
    });
  }
});
