import type { Chain, Rule, Side } from './model.js';

/** One address a dispatch chain branches on, with the rules that handle it. */
export interface DispatchEntry {
  readonly value: bigint;
  /** Canonical address text. */
  readonly ip: string;
  /** Complete rules for this address (they match it with `-s`/`-d` themselves). */
  readonly rules: readonly Rule[];
}

/** Entries per leaf chain and branches per inner chain. */
export const dispatchFanout = 16;

/**
 * Rules that send a packet to the rules of its address in O(log n) rule visits: up to 16 entries
 * are listed inline; more are split into up to 16 contiguous address ranges, each an
 * `-m iprange` rule leading to a sub-chain, recursively (Felix builds similar trees over interface
 * names; here pods are matched by IP). Entries must be sorted by address and unique.
 *
 * `enter` is how a sub-chain is entered: `goto` when a miss may end the caller's chain (the miss
 * then returns to whoever called it), `jump` when the caller must go on after a miss.
 * Sub-chains are appended to `out` as `<name>-<i>`.
 */
export function dispatchRules(name: string, entries: readonly DispatchEntry[], side: Side, enter: 'goto' | 'jump', out: Chain[]): Rule[] {
  if (entries.length <= dispatchFanout) {
    const inline: Rule[] = [];
    for (const e of entries) for (const r of e.rules) inline.push(r);
    return inline;
  }
  const groups = Math.min(dispatchFanout, Math.ceil(entries.length / dispatchFanout));
  const rules: Rule[] = [];
  const at = out.length;
  const subChains: Chain[] = [];
  for (let i = 0; i < groups; i++) {
    const part = entries.slice(Math.floor((i * entries.length) / groups), Math.floor(((i + 1) * entries.length) / groups));
    const sub = `${name}-${i}`;
    const subOut: Chain[] = [];
    subChains.push({ name: sub, rules: dispatchRules(sub, part, side, enter, subOut) }, ...subOut);
    rules.push({ matches: [{ kind: 'iprange', side, from: part[0]!.ip, to: part[part.length - 1]!.ip }], target: { kind: enter, chain: sub } });
  }
  out.splice(at, 0, ...subChains);
  return rules;
}
