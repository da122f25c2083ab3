import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IntervalSet } from '../net/interval-set.js';
import type { PortSet } from '../resolve/port-set.js';
import type { Pod } from './inventory.js';
import type { Direction, NamespaceScope } from './policy.js';
import type { Program } from './program.js';
import type { LabelSelector } from './selector.js';

/**
 * A set of peer addresses, shared by every tuple that refers to the same content: the
 * iptables/nftables backends turn each into one ipset / nft set.
 */
export interface PeerSet {
  /** Index in {@link ResolvedProgram.peerSets}. */
  readonly id: number;
  /** Stable content hash (hex), usable as a set name across runs. */
  readonly hash: string;
  /** IPv4 addresses as exact intervals. */
  readonly v4: IntervalSet<bigint>;
  /** IPv6 addresses as exact intervals. */
  readonly v6: IntervalSet<bigint>;
  /** Actionable pods (indices into {@link ResolvedProgram.pods}) with an address in the set. */
  readonly pods: readonly number[];
  /** How the set arose, for names and explanations: pods of selectors, an ipBlock, or all. */
  readonly origin: 'pods' | 'ip-block' | 'all' | 'named-port';
}

/** Where a tuple comes from. */
export interface Provenance {
  /** Index into `program.policies`. */
  readonly policy: number;
  readonly direction: Direction;
  /** Rule index in the policy's ingress/egress list. */
  readonly rule: number;
  /** Peer index in `from`/`to`, or null for a rule without peers. */
  readonly peer: number | null;
}

/** "Traffic with peers in `peer` on `ports` is allowed", for one pod and direction. */
export interface AllowTuple {
  /** Index into {@link ResolvedProgram.peerSets}. */
  readonly peer: number;
  readonly ports: PortSet;
  readonly provenance: Provenance;
}

/** One pod's verdict data for one direction. */
export interface PodDirection {
  /** Isolated when some policy selects the pod and lists this direction in policyTypes. */
  readonly isolated: boolean;
  /** Indices of the isolating policies. */
  readonly policies: readonly number[];
  /** Allowed tuples (meaningful only when isolated), deduplicated, in deterministic order. */
  readonly tuples: readonly AllowTuple[];
}

/**
 * The resolved IR: per actionable pod and direction, whether it is isolated and its allow
 * tuples, with peer address sets shared by content.
 */
export interface ResolvedProgram {
  readonly program: Program;
  /** Actionable pods in program order; tuples and sets refer to them by index. */
  readonly pods: readonly Pod[];
  readonly peerSets: readonly PeerSet[];
  readonly ingress: readonly PodDirection[];
  readonly egress: readonly PodDirection[];
  /** Index of a pod (`namespace/name`) in {@link pods}. */
  readonly podIndex: ReadonlyMap<string, number>;
  /** Owner of each actionable pod address (canonical text → pod index). */
  readonly addressOwner: ReadonlyMap<string, number>;
  /**
   * True when two pods have an address in common (then only the first owns it, see
   * {@link addressOwner}); known without building that map.
   */
  readonly sharedAddresses: boolean;
  /** Node addresses (canonical text → the first node, by name, that lists it). */
  readonly nodeAddresses: ReadonlyMap<string, string>;
  /** Addresses that several nodes list (a shared ExternalIP), with all of them. */
  readonly sharedNodeAddresses: ReadonlyMap<string, readonly string[]>;
  /** Warnings found while resolving (unresolvable named ports). */
  readonly diagnostics: readonly Diagnostic[];
  /** True when only some pods were resolved (`resolve(program, { subjects })`). */
  readonly partial: boolean;
  /**
   * Every peer entry (or "any peer") of every rule of every policy that selects some pod, with
   * its plain peer set (before named-port grouping), in program order. Complete even when
   * `partial`, so that backends which name shared sets after their definitions name them the
   * same in a one-node compile as in an all-nodes compile. In a partial resolution it is built
   * on first read, which may add peer sets to {@link peerSets}.
   */
  readonly definitions: readonly PeerDefinition[];
  /**
   * The pods (indices into {@link pods}, ascending) that a pod peer selects: `selector` within
   * the namespaces of `scope`, for a policy of namespace `policyNamespace`. Answered from the
   * label indexes of the resolution and memoised by canonical selector, as the resolution's own
   * selections are; covers every actionable pod even when `partial`.
   */
  selectPods(scope: NamespaceScope, selector: LabelSelector, policyNamespace: string): readonly number[];
  /**
   * The pods (indices into {@link pods}, ascending) with at least one address in the given
   * addresses, found through the resolution's address index; covers every actionable pod even
   * when `partial`.
   */
  podsIn(addresses: { readonly v4: IntervalSet<bigint>; readonly v6: IntervalSet<bigint> }): readonly number[];
  /** The addresses of every actionable pod, per family, from the resolution's address index. */
  podAddresses(): { readonly v4: IntervalSet<bigint>; readonly v6: IntervalSet<bigint> };
}

/** One peer entry of a rule and the address set it names. */
export interface PeerDefinition {
  readonly provenance: Provenance;
  /** Index into {@link ResolvedProgram.peerSets}. */
  readonly peer: number;
}
