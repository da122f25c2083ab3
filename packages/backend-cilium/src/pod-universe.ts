// Selecting an exact set of inventory pods with Cilium endpoint selectors. Cilium decides by
// security identity, derived from the pod's namespace and identity-relevant labels
// (Documentation/internals/security-identities.rst; pkg/labelsfilter), never from its address
// (cilium/cilium#9209). So a set of pods is expressible iff no pod outside it shares an identity
// with a pod inside it.
import type { Pod } from '@netpolc/ir';
import { blockKey, coverage, type BlockSet } from './coverage.js';
import { identityLabels, podLabelKey, SelectorBuilder } from './labels.js';
import { ciliumLabel, type CiliumSelector } from './model.js';
import type { CiliumVersion } from './options.js';

/** Why a set of pods cannot be selected exactly: a pod inside and a pod outside share an identity. */
export interface Inseparable {
  readonly inside: number;
  readonly outside: number;
}

/** Result of {@link PodUniverse.select}. */
export interface Selection {
  readonly selectors: readonly CiliumSelector[];
  /** Pods of the set left out (fail closed) because of an identity clash. */
  readonly clashes: readonly Inseparable[];
}

/** Pods an ipBlock set covers. */
export interface Coverage {
  /** Pods with every address inside. */
  readonly full: ReadonlySet<number>;
  /** Pods with some addresses inside and some outside. */
  readonly partial: readonly number[];
  /** Selection of exactly `full` (memoised). */
  selectFull(): Selection;
}

/** The actionable pods of the inventory, indexed by namespace and identity. */
export class PodUniverse {
  private readonly byNamespace = new Map<string, number[]>();
  /**
   * Each pod's identity-relevant labels and identity key, made when a selection first needs
   * them: most selections are whole namespaces or the whole cluster (a kube-scale emit spent
   * 0.4 s making them for 150k pods up front).
   */
  private readonly identities: ({ readonly labels: Record<string, string>; readonly key: string } | undefined)[];
  private readonly coverageMemo = new Map<string, Coverage>();
  /**
   * `podsIn`: the pods with an address in some addresses, in pod order (the resolution's address
   * index: an ipBlock's pods are found by binary search, not by reading every pod for every
   * distinct ipBlock, which took 3 s for 10k CIDRs over 5k pods).
   */
  constructor(
    readonly pods: readonly Pod[],
    private readonly podsIn: (addresses: BlockSet) => readonly number[],
    /** Oldest Cilium release the selectors must work on (which label keys they may name). */
    private readonly version: CiliumVersion,
  ) {
    this.identities = new Array(pods.length).fill(undefined);
    pods.forEach((p, i) => {
      const list = this.byNamespace.get(p.namespace);
      if (list) list.push(i);
      else this.byNamespace.set(p.namespace, [i]);
    });
  }

  /**
   * Pods whose addresses an ipBlock set covers entirely or partly; memoised by the set's content,
   * as the same ipBlock tends to appear in many policies.
   */
  coverage(set: BlockSet): Coverage {
    const key = blockKey(set);
    const known = this.coverageMemo.get(key);
    if (known) return known;
    const full = new Set<number>();
    const partial: number[] = [];
    for (const i of this.podsIn(set)) {
      const addresses = this.pods[i]!.addresses;
      // These pods have an address inside: a pod's only address is then all of them.
      const c = addresses.length === 1 ? 'full' : coverage(set, addresses);
      if (c === 'full') full.add(i);
      else if (c === 'partial') partial.push(i);
    }
    let selection: Selection | undefined;
    const result: Coverage = { full, partial, selectFull: () => (selection ??= this.select(full)) };
    this.coverageMemo.set(key, result);
    return result;
  }

  /**
   * A pod's identity-relevant labels and its identity key among the pods of its namespace (the
   * only pods it is compared with: a selection is made namespace by namespace).
   */
  private identity(i: number): { readonly labels: Record<string, string>; readonly key: string } {
    let found = this.identities[i];
    if (found === undefined) {
      const labels = identityLabels(this.pods[i]!.labels, this.version);
      found = { labels, key: JSON.stringify(labels) };
      this.identities[i] = found;
    }
    return found;
  }

  /** `namespace/name` of a pod. */
  id(i: number): string {
    const p = this.pods[i]!;
    return `${p.namespace}/${p.name}`;
  }

  /**
   * Selectors whose union selects exactly `set` among the universe's pods and never a reserved
   * identity (every selector names the pod namespace label). Uses whole-cluster and
   * whole-namespace selectors where the set covers them, else one selector per identity.
   */
  select(set: ReadonlySet<number>): Selection {
    if (set.size === 0) return { selectors: [], clashes: [] };
    if (set.size === this.pods.length) {
      return { selectors: [new SelectorBuilder().add({ key: ciliumLabel.podNamespace, operator: 'Exists' }).build()], clashes: [] };
    }
    const selectors: CiliumSelector[] = [];
    const clashes: Inseparable[] = [];
    // The set's pods by namespace, so a small set costs its own size, not the universe's.
    const touched = new Map<string, number[]>();
    for (const i of set) {
      const ns = this.pods[i]!.namespace;
      const list = touched.get(ns);
      if (list) list.push(i);
      else touched.set(ns, [i]);
    }
    for (const ns of [...touched.keys()].sort()) {
      const members = this.byNamespace.get(ns)!;
      // In pod order, as the namespace's members are.
      const inside = touched.get(ns)!.sort((a, b) => a - b);
      if (inside.length === members.length) {
        selectors.push(new SelectorBuilder().add({ key: ciliumLabel.podNamespace, operator: 'In', values: [ns] }).build());
        continue;
      }
      const outside = members.filter((i) => !set.has(i));
      const groups = new Map<string, number[]>();
      for (const i of inside) {
        const key = this.identity(i).key;
        const g = groups.get(key);
        if (g) g.push(i);
        else groups.set(key, [i]);
      }
      for (const key of [...groups.keys()].sort()) {
        const group = groups.get(key)!;
        const clash = outside.find((o) => this.identity(o).key === key);
        if (clash !== undefined) {
          for (const g of group) clashes.push({ inside: g, outside: clash });
          continue;
        }
        selectors.push(this.identitySelector(ns, this.identity(group[0]!).labels, outside));
      }
    }
    return { selectors, clashes };
  }

  /** Selects the pods of one identity: all its labels, and the absence of a key of each outside pod whose labels are a superset. */
  private identitySelector(ns: string, labels: Record<string, string>, outside: readonly number[]): CiliumSelector {
    const b = new SelectorBuilder().add({ key: ciliumLabel.podNamespace, operator: 'In', values: [ns] });
    for (const [k, v] of Object.entries(labels)) b.add({ key: podLabelKey(k), operator: 'In', values: [v] });
    const absent = new Set<string>();
    for (const o of outside) {
      const other = this.identity(o).labels;
      const superset = Object.entries(labels).every(([k, v]) => other[k] === v);
      if (!superset) continue;
      const extra = Object.keys(other).filter((k) => !(k in labels)).sort();
      if (extra.some((k) => absent.has(k))) continue;
      absent.add(extra[0]!);
    }
    for (const k of [...absent].sort()) b.add({ key: podLabelKey(k), operator: 'DoesNotExist' });
    return b.build();
  }
}
