import type { Inventory, Namespace, Pod } from '../model/inventory.js';
import type { NamespaceScope } from '../model/policy.js';
import { selectorKey, type LabelSelector } from '../model/selector.js';
import { appendAll } from '../util/append.js';
import { sameItems } from '../util/compare.js';
import { lazy, memoized } from '../util/memo.js';
import { normalize } from '../net/interval-set.js';
import { AddressIndex } from './address-index.js';
import { LabelIndex } from './label-index.js';
import type { AddressSet } from './peer-sets.js';

/**
 * What a resolution looks up in the inventory alone: the actionable pods, label indexes per
 * namespace and over namespaces, the pods' address index, and the selections and pod addresses
 * asked for so far. None of it depends on the policies, so resolutions of two policy sets against
 * one inventory (`netpolc diff`) share one index: at kube-scale the second resolution then skips
 * about half a second of indexing and selecting.
 */
export class InventoryIndex {
  /** The pods that take part in policy (ids of a resolution are indices into this). */
  readonly pods: readonly Pod[];
  readonly addresses: AddressIndex;
  /** The first node (by name) with each address. */
  readonly nodeAddresses: ReadonlyMap<string, string>;
  /** Addresses that more than one node lists, with every such node (by name). */
  readonly sharedNodeAddresses: ReadonlyMap<string, readonly string[]>;
  // Lookups by pod id and by address serve queries, not compiles: built on first use (a
  // 150k-pod compile would otherwise spend half a second on 300k map entries it never reads).
  readonly podIndex = lazy(() => {
    const index = new Map<string, number>();
    this.pods.forEach((p, i) => index.set(`${p.namespace}/${p.name}`, i));
    return index;
  });
  readonly addressOwner = lazy(() => {
    const owner = new Map<string, number>();
    this.pods.forEach((p, i) => {
      for (const a of p.addresses) if (!owner.has(a.ip)) owner.set(a.ip, i);
    });
    return owner;
  });
  /** The addresses of every actionable pod (only ipBlocks that exclude pod addresses need it). */
  readonly everyPodAddress = lazy(() => this.addresses.podAddresses(this.pods.map((_, i) => i)));
  /** Every address a Node object lists (only ipBlocks that exclude node addresses need it). */
  readonly everyNodeAddress = lazy((): AddressSet => {
    const points = { v4: [] as bigint[], v6: [] as bigint[] };
    for (const n of this.inventory.nodes) for (const a of n.addresses) (a.family === 4 ? points.v4 : points.v6).push(a.value);
    return { v4: normalize(points.v4.map((v) => [v, v] as const)), v6: normalize(points.v6.map((v) => [v, v] as const)) };
  });
  private readonly namespaces: readonly Namespace[];
  private readonly nsIndex: LabelIndex;
  private readonly byNamespace = new Map<string, LabelIndex>();
  private readonly selections = new Map<string, readonly number[]>();
  /** Addresses of the pod lists {@link selectPods} returned (by list: they are memoised). */
  private readonly selectedAddresses = new WeakMap<readonly number[], AddressSet>();
  private readonly addressesOf = (ids: readonly number[]): AddressSet => this.addresses.podAddresses(ids);

  constructor(private readonly inventory: Inventory) {
    const pods = inventory.pods.filter((p) => p.actionable);
    this.pods = pods;
    const nodeAddresses = new Map<string, string>();
    const shared = new Map<string, string[]>();
    for (const n of inventory.nodes) {
      for (const a of n.addresses) {
        const first = nodeAddresses.get(a.ip);
        if (first === undefined) nodeAddresses.set(a.ip, n.name);
        else if (first !== n.name) {
          const owners = shared.get(a.ip);
          if (owners) owners.push(n.name);
          else shared.set(a.ip, [first, n.name]);
        }
      }
    }
    this.nodeAddresses = nodeAddresses;
    this.sharedNodeAddresses = shared;
    const namespaces = inventory.namespaces;
    this.namespaces = namespaces;
    this.nsIndex = new LabelIndex((id) => namespaces[id]!.labels);
    namespaces.forEach((_, i) => this.nsIndex.add(i));
    pods.forEach((p, i) => {
      let index = this.byNamespace.get(p.namespace);
      if (!index) {
        index = new LabelIndex((id) => pods[id]!.labels);
        this.byNamespace.set(p.namespace, index);
      }
      index.add(i);
    });
    this.addresses = new AddressIndex(pods);
  }

  /**
   * Whether this index answers for `inventory`: the same pods and nodes (the objects, in order,
   * as two loads of one inventory file give them) and namespaces of the same names and labels (a
   * namespace only implied by a pod or policy is made afresh by each load).
   */
  fits(inventory: Inventory): boolean {
    const mine = this.inventory;
    if (inventory === mine) return true;
    return sameItems(mine.pods, inventory.pods) && sameItems(mine.nodes, inventory.nodes) && sameItems(mine.namespaces, inventory.namespaces, sameNamespace);
  }

  /**
   * Sorted ids of the pods `selector` selects within the namespaces of `scope` (for a policy of
   * namespace `policyNs`), memoised by canonical selector; the list is shared (read-only).
   */
  selectPods(scope: NamespaceScope, selector: LabelSelector, policyNs: string): readonly number[] {
    const key = `${scope.kind === 'policy-namespace' ? `ns:${policyNs}` : `sel:${selectorKey(scope.selector)}`}#${selectorKey(selector)}`;
    const memo = this.selections.get(key);
    if (memo) return memo;
    let result: readonly number[];
    if (scope.kind === 'policy-namespace') {
      result = this.byNamespace.get(policyNs)?.select(selector) ?? [];
    } else {
      const out: number[] = [];
      // Namespace ids are in name order and pod ids in (namespace, name) order: concatenation stays sorted.
      for (const nsId of this.nsIndex.select(scope.selector)) {
        const index = this.byNamespace.get(this.namespaces[nsId]!.name);
        if (index) appendAll(out, index.select(selector));
      }
      result = out;
    }
    this.selections.set(key, result);
    return result;
  }

  /** The exact addresses of a pod list that {@link selectPods} returned, made once per list. */
  selectionAddresses(ids: readonly number[]): AddressSet {
    return memoized(this.selectedAddresses, ids, this.addressesOf);
  }
}

function sameNamespace(a: Namespace, b: Namespace): boolean {
  if (a.name !== b.name || a.declared !== b.declared) return false;
  const ka = Object.keys(a.labels);
  return ka.length === Object.keys(b.labels).length && ka.every((k) => b.labels[k] === a.labels[k]);
}
