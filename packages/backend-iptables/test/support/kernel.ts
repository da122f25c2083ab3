// Helpers for the kernel tests: the iptables variants, and reading a table back from the kernel.
import type { Topology } from '@netpolc/netns-harness';
import type { Family } from '../../src/model.js';

/** Both iptables backends, by their explicit binaries (never the `iptables` alternative). */
export const variants = ['nft', 'legacy'] as const;

/** One of {@link variants}. */
export type Variant = (typeof variants)[number];

/** `iptables-nft-restore`, `ip6tables-legacy-save`, … */
export function tool(family: Family, variant: Variant, what: 'restore' | 'save' | ''): string {
  return `${family === 4 ? 'iptables' : 'ip6tables'}-${variant}${what === '' ? '' : `-${what}`}`;
}

/**
 * Rules per chain of an iptables-save text (`-A CHAIN spec` lines; `-I CHAIN N spec` counts as
 * the head of CHAIN), for the chains `keep` accepts.
 */
export function rulesByChain(text: string, keep: (chain: string) => boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const inserted = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const decl = /^:(\S+) /.exec(line);
    if (decl && keep(decl[1]!)) {
      if (!out.has(decl[1]!)) out.set(decl[1]!, []);
      continue;
    }
    const append = /^-A (\S+) (.*)$/.exec(line);
    if (append && keep(append[1]!)) {
      const list = out.get(append[1]!) ?? [];
      list.push(append[2]!);
      out.set(append[1]!, list);
      continue;
    }
    const insert = /^-I (\S+) \d+ (.*)$/.exec(line);
    if (insert && keep(insert[1]!)) inserted.set(insert[1]!, [...(inserted.get(insert[1]!) ?? []), insert[2]!]);
  }
  for (const [chain, rules] of inserted) out.set(chain, [...rules, ...(out.get(chain) ?? [])]);
  return out;
}

/** The filter table of a namespace as iptables-save prints it. */
export function saveFilter(topology: Topology, ns: string, family: Family, variant: Variant): string {
  return topology.exec(ns, [tool(family, variant, 'save'), '-t', 'filter']);
}

/** Names of the ipsets in a namespace. */
export function listSets(topology: Topology, ns: string): string[] {
  return topology
    .exec(ns, ['ipset', 'list', '-n'])
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

/** Clears netpolc's traces from a namespace: both filter tables of both variants, then every set. */
export function clearNamespace(topology: Topology, ns: string): void {
  for (const variant of variants) {
    for (const family of [4, 6] as const) topology.exec(ns, [tool(family, variant, 'restore')], '*filter\nCOMMIT\n');
  }
  topology.exec(ns, ['ipset', 'destroy']);
}
