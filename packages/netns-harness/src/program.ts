import type { Program } from '@netpolc/ir';
import type { TopologySpec } from './spec.js';
import { createTopology, type Topology } from './topology.js';

/**
 * The routed topology of a netpolc program's inventory: its nodes with their addresses, and the
 * actionable pods on known nodes (`namespace/name`, node, addresses). Labels play no part, so a
 * relabelled inventory gives the same topology. The backends' kernel tests share it.
 */
export function topologyOf(program: Program, prefix: string): TopologySpec {
  const inv = program.inventory;
  const known = new Set(inv.nodes.map((n) => n.name));
  return {
    prefix,
    nodes: inv.nodes.map((n) => ({ name: n.name, addresses: n.addresses.map((a) => a.ip) })),
    pods: inv.pods
      .filter((p) => p.actionable && p.nodeName !== undefined && known.has(p.nodeName))
      .map((p) => ({ id: `${p.namespace}/${p.name}`, node: p.nodeName!, addresses: p.addresses.map((a) => a.ip) })),
  };
}

/**
 * Topologies of programs, made on first use and reused by every later program of the same
 * inventory shape (labels play no part, so relabelled states share one): at most `keep` at a
 * time, the oldest destroyed first. With more than one kept, each gets the prefix and a number.
 */
export class TopologyPool {
  private readonly made = new Map<string, Topology>();
  private count = 0;

  constructor(
    private readonly prefix: string,
    private readonly keep = 1,
  ) {}

  /** The topology of `program`'s inventory (firewalls as the last user left them). */
  for(program: Program): Topology {
    const spec = topologyOf(program, this.keep === 1 ? this.prefix : `${this.prefix}${this.count}`);
    const key = JSON.stringify({ nodes: spec.nodes, pods: spec.pods });
    const found = this.made.get(key);
    if (found) return found;
    if (this.made.size >= this.keep) {
      const [oldest, t] = this.made.entries().next().value!;
      t.destroy();
      this.made.delete(oldest);
    }
    const t = createTopology(spec);
    this.count++;
    this.made.set(key, t);
    return t;
  }

  /** Destroys every topology made (their namespaces and links). */
  destroy(): void {
    for (const t of this.made.values()) t.destroy();
    this.made.clear();
  }
}
