import { portSetEquals, trieNode, trieStep, type AllowTuple, type TrieNode, type Direction, type Provenance, type ResolvedProgram } from '@netpolc/ir';
import { groupTuples, sameTuples } from './groups.js';
import { lowerChainBody, type ChainBody, type LogChainIds } from './lower-pod.js';
import type { Rule } from './model.js';
import type { NftablesOptions } from './options.js';
import type { SetCatalog } from './sets.js';

/**
 * Chain bodies shared by content. Pods selected by the same policies have the same tuples (the
 * IR shares one tuple object among a rule's subjects), so a program with 150k pods and 20k
 * policies needs only as many bodies as there are distinct tuple lists (about 30k at
 * kube-scale). Tuples get content ids, so per-pod tuples with equal content (ingress named
 * ports) share too, and a pod's tuple list finds its body through a trie of ids.
 */
export class ChainBodies {
  private readonly tupleIds = new Map<AllowTuple, number>();
  /** Per provenance, its first tuples of distinct content with their ids. */
  private readonly byProvenance = new Map<Provenance, { readonly tuple: AllowTuple; readonly id: number }[]>();
  private readonly roots: Record<Direction, TrieNode<number, ChainBody>> = { ingress: trieNode(), egress: trieNode() };
  private nextId = 0;
  private readonly last: Record<Direction, { readonly tuples: readonly AllowTuple[]; readonly body: ChainBody } | undefined> = { ingress: undefined, egress: undefined };

  constructor(
    private readonly resolved: ResolvedProgram,
    private readonly catalog: SetCatalog,
    private readonly options: NftablesOptions,
    private readonly denyVerdicts: readonly Rule[],
    private readonly logChainIds: LogChainIds,
  ) {}

  /** The body for an isolated pod direction with these tuples. */
  get(direction: Direction, tuples: readonly AllowTuple[]): ChainBody {
    // Neighbouring pods (program order) are usually selected by the same policies.
    const last = this.last[direction];
    if (last !== undefined && sameTuples(last.tuples, tuples)) return last.body;
    const body = this.find(direction, tuples);
    this.last[direction] = { tuples, body };
    return body;
  }

  private find(direction: Direction, tuples: readonly AllowTuple[]): ChainBody {
    let node = this.roots[direction];
    for (const t of tuples) node = trieStep(node, this.tupleIds.get(t) ?? this.assignId(t));
    node.value ??= lowerChainBody(this.resolved, this.catalog, direction, groupTuples(this.resolved, direction, tuples), this.options, this.denyVerdicts, this.logChainIds);
    return node.value;
  }

  /**
   * Tuples equal in everything the lowering reads (provenance, peer set, ports) get one id. A
   * provenance has one tuple object per peer set, except ingress named ports: a port set per
   * subject pod, usually repeating a few contents, which are compared (up to a bound: past it a
   * tuple gets its own id, which only costs sharing).
   */
  private assignId(t: AllowTuple): number {
    const seen = this.byProvenance.get(t.provenance);
    let id: number | undefined;
    for (const e of seen ?? []) {
      if (e.tuple.peer === t.peer && (e.tuple.ports === t.ports || portSetEquals(e.tuple.ports, t.ports))) {
        id = e.id;
        break;
      }
    }
    if (id === undefined) {
      id = this.nextId++;
      // Most provenances have one tuple: its list is made at that size, not grown by push.
      if (!seen) this.byProvenance.set(t.provenance, [{ tuple: t, id }]);
      else if (seen.length < 16) seen.push({ tuple: t, id });
    }
    this.tupleIds.set(t, id);
    return id;
  }
}
