import type { Program } from '@netpolc/ir';
import type { TopologySpec } from './spec.js';

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
