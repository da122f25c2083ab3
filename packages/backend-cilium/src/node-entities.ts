// Node addresses inside a rule's ipBlocks. Cilium gives them the host and remote-node
// identities, never CIDR identities (layer3.rst; cilium/cilium#12277), and those entities also
// hold node addresses no Node object lists: added only where that adds nothing Kubernetes denies.
import type { Direction, Rule, SourceRef } from '@netpolc/ir';
import { blockKey, blockSetOf, blockText, covers, familyWhole, type BlockPeer, type BlockSet } from './coverage.js';
import { ciliumDiagnostic } from './diagnostics.js';
import type { LowerContext } from './lower-rule.js';
import type { CiliumEntity } from './model.js';
import type { Notes } from './ports.js';

/**
 * Node addresses inside the ipBlocks. Cilium gives them the `host` / `remote-node` identities,
 * which CIDR rules do not match (layer3.rst; cilium/cilium#12277). Together the two entities are
 * exactly "every node", so they are added only when that adds nothing Kubernetes denies.
 */
export function nodeEntities(ctx: LowerContext, pi: number, direction: Direction, rule: Rule, peers: readonly BlockPeer[], set: BlockSet, origin: SourceRef, where: string, notes: Notes): CiliumEntity[] {
  // Profile where ipBlocks never match node addresses: Cilium's own CIDR semantics already agree.
  if (!ctx.program.semantics.ipBlockMatchesNodes) return [];
  if (ctx.nodeGap !== undefined) {
    // The entities would also admit nodes the inventory lacks, whatever their addresses.
    for (const p of peers) notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-nodes-unknown', { cidr: p.cidr, reason: ctx.nodeGap }, p.origin));
    notes.report(`${where}: node addresses inside the ipBlock are unknown (${ctx.nodeGap}); Cilium will deny any node traffic there, as CIDR rules do not match nodes (warning)`);
    return [];
  }
  const addresses = ctx.nodeAddresses;
  const key = blockKey(set);
  let inside = ctx.nodesInside.get(key);
  if (!inside) {
    inside = addresses.filter((a) => covers(set, a));
    ctx.nodesInside.set(key, inside);
  }
  if (inside.length === 0) return [];
  // The rule's blocks that hold a node address carry the diagnostics (another block of the rule,
  // of the other family say, has nothing to do with the nodes).
  const holding = peers.filter((p) => inside.some((a) => covers(blockSetOf([p]), a)));
  const blamed = holding.length > 0 ? holding : peers;
  // Without pods in the inventory no subject can show the uncovered node addresses allowed
  // anyway (the check would hold vacuously, and the pods selected at run time would reach a
  // dual-stack node's other family): then every node address must be inside the block.
  const whole = ctx.hasInventory ? ctx.allowance.wholeEndpointAllowed(pi, rule.index, direction, set, addresses, (u) => ctx.policyRules.allows(pi, direction, rule.index, u)) : inside.length === addresses.length;
  if (whole) {
    // Every family of the cluster, in this rule's blocks or allowed whole by the policy's other
    // rules: in a dual-stack cluster whose Node objects list IPv4 only, every node still has
    // IPv6 addresses (its router address from its pod CIDR), which the entities admit.
    const wholeFamilies = [...ctx.families].every((f) => familyWhole(set, f) || ctx.policyRules.allowsFamily(pi, direction, rule.index, f));
    if (ctx.options.clusterName !== undefined && !wholeFamilies) {
      // remote-node is every node of every cluster in the mesh (Documentation/network/concepts
      // terminology, cilium/cilium#37989): their addresses are in no inventory given here.
      const reason = `remote-node also holds the nodes of the other clusters in the ClusterMesh (--cluster-name), whose addresses the inventory lacks`;
      for (const p of blamed) notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-nodes-unknown', { cidr: p.cidr, reason }, p.origin));
      notes.report(`${where}: the ipBlock covers every node address of the inventory, but ${reason}; Cilium will deny the node traffic there (warning)`);
      return [];
    }
    // The entities also hold node addresses no Node object lists (each node's router address
    // from its pod CIDR, and every address of the local node's interfaces for host:
    // cilium/cilium#11006, #16308), which only a block of whole families surely covers: added
    // otherwise only when the user accepts that (--node-entities), as they may widen the rule.
    if (!wholeFamilies && !ctx.options.nodeEntities) {
      for (const p of blamed) notes.diagnostic(ciliumDiagnostic('backend-cilium/node-entities-withheld', { cidr: blockText(p) }, p.origin));
      notes.report(`${where}: the ipBlock covers every node address of the inventory, but the host and remote-node entities would also admit node addresses it does not list, which may lie outside the ipBlock; none added, so Cilium will deny this node traffic (warning; --node-entities adds them)`);
      return [];
    }
    notes.report(`${where}: the ipBlock covers every node address, which Cilium CIDR rules do not match; added the host and remote-node entities`);
    if (!wholeFamilies) {
      for (const p of blamed) notes.diagnostic(ciliumDiagnostic('backend-cilium/node-entities-unlisted', { cidr: blockText(p) }, p.origin));
      notes.report(`${where}: the host and remote-node entities also admit node addresses the inventory does not list, which may lie outside the ipBlock (--node-entities)`);
    }
    return ['host', 'remote-node'];
  }
  notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-covers-nodes', { addresses: inside.map((a) => a.ip).join(', ') }, origin));
  notes.report(`${where}: node address ${inside.map((a) => a.ip).join(', ')} inside the ipBlock will be denied by Cilium (CIDR rules do not match nodes; narrower than Kubernetes)`);
  return [];
}
