import { compareValues, podId, slots, type Address, type Direction, type ResolvedProgram } from '@netpolc/ir';
import { ChainBodies } from './chain-bodies.js';
import { allowLogChain, denyLogRule, denyVerdictRules, type ChainBody } from './lower-pod.js';
import type { Chain, Family, Range, Rule, Ruleset } from './model.js';
import { podChainName } from './names.js';
import { assembleTable, baseRules, emptyParts, type BaseRules, type NodeParts } from './node-table.js';
import type { NftablesOptions } from './options.js';
import { Numbered } from './numbered.js';
import { SetCatalog } from './sets.js';

const directions: readonly Direction[] = ['ingress', 'egress'];

/**
 * The lowering of one program, shared by all its nodes: the set catalog, chain bodies shared by
 * every pod with the same tuples, allow-logging chains and base rules. Per-program work is one
 * pass over the pods and one over their tuples; everything else is done on demand, so `--node`
 * lowers only the pods of the nodes asked for.
 */
export class ProgramLowering {
  readonly catalog: SetCatalog;
  private readonly bodies: ChainBodies;
  private readonly podsByNode = new Map<string, number[]>();
  private readonly nodesByName = new Map<string, ResolvedProgram['program']['inventory']['nodes'][number]>();
  /** Allow-logging chains (`--log allowed`), numbered, and their numbers by name. */
  private readonly logChains = new Numbered<Chain>();
  private readonly logChainIds = new Map<string, number>();
  private readonly denyVerdicts: readonly Rule[];
  private readonly base: BaseRules;
  private readonly logDenied: boolean;
  /** Per pod and isolated direction, gathered once: chain name and body. */
  private readonly chainNames: Record<Direction, (string | undefined)[]>;
  private readonly chainBodies: Record<Direction, (ChainBody | undefined)[]>;
  /** Per pod, once its facts are gathered: the addresses it owns (an address two pods claim belongs to the first, ir/duplicate-ip). */
  private readonly owned: (readonly Address[] | undefined)[];
  /** Per pod, `namespace/name` for its deny log rules (with `--log denied`). */
  private readonly subjects: (string | undefined)[];
  /**
   * True when no two pods claim an address, so that every pod owns all its addresses without a
   * look-up in the resolution's map of owners (150k entries at kube-scale, built on first read).
   */
  private readonly addressesUnique: boolean;
  private nodeSerial = 0;

  constructor(
    readonly resolved: ResolvedProgram,
    readonly options: NftablesOptions,
  ) {
    this.catalog = new SetCatalog(resolved);
    this.catalog.registerProgram();
    this.denyVerdicts = denyVerdictRules(options);
    this.base = baseRules(options);
    this.logDenied = options.log === 'denied' || options.log === 'all';
    this.addressesUnique = !resolved.sharedAddresses;
    this.bodies = new ChainBodies(resolved, this.catalog, options, this.denyVerdicts, (name, direction, policy) => this.logChainId(name, direction, policy));
    const n = resolved.pods.length;
    this.chainNames = { ingress: slots(n), egress: slots(n) };
    this.chainBodies = { ingress: slots(n), egress: slots(n) };
    this.owned = slots(n);
    this.subjects = this.logDenied ? slots(n) : [];
    for (const n of resolved.program.inventory.nodes) if (!this.nodesByName.has(n.name)) this.nodesByName.set(n.name, n);
    resolved.pods.forEach((p, i) => {
      if (p.nodeName === undefined) return;
      const list = this.podsByNode.get(p.nodeName);
      if (list) list.push(i);
      else this.podsByNode.set(p.nodeName, [i]);
    });
  }

  /** Every node that gets a ruleset: inventory nodes and nodes named by pods, sorted. */
  nodeNames(): string[] {
    const names = new Set(this.nodesByName.keys());
    for (const n of this.podsByNode.keys()) names.add(n);
    return [...names].sort();
  }

  /** The ruleset of one node. */
  lowerNode(node: string): Ruleset {
    const parts = emptyParts(this.nodeSerial++);
    for (const pod of this.podsByNode.get(node) ?? []) this.addPod(parts, pod);
    return assembleTable(node, parts, {
      semantics: this.resolved.program.semantics,
      base: this.base,
      nodeAddresses: this.nodeAddresses(node),
      setsInNameOrder: (ids) => this.catalog.numbered.inNameOrder(ids),
      logChainsInNameOrder: (ids) => this.logChains.inNameOrder(ids),
    });
  }

  /**
   * The rulesets of several nodes, in the order given, one at a time (a caller that prints each
   * and lets it go keeps only the text). Reading the IR node by node jumps around a heap of
   * millions of objects, ten times slower at kube-scale than reading it in program order; so
   * when the nodes hold a good share of the pods, one pass in program order gathers every
   * pod's facts first.
   */
  *lowerNodes(nodes: readonly string[]): Generator<Ruleset> {
    let localPods = 0;
    for (const n of nodes) localPods += this.podsByNode.get(n)?.length ?? 0;
    if (nodes.length > 1 && localPods * 8 > this.resolved.pods.length) {
      for (let pod = 0; pod < this.resolved.pods.length; pod++) this.gather(pod);
      // Every set the nodes use exists now: order them by number from here on.
      this.catalog.numbered.rank();
      this.logChains.rank();
    }
    for (const n of nodes) yield this.lowerNode(n);
  }

  /** Gathers a pod's chain names, bodies and owned addresses (once). */
  private gather(pod: number): readonly Address[] {
    const known = this.owned[pod];
    if (known) return known;
    const { resolved } = this;
    const p = resolved.pods[pod]!;
    for (const direction of directions) {
      const d = resolved[direction][pod]!;
      if (!d.isolated) continue;
      this.chainNames[direction][pod] = podChainName(direction, p.namespace, p.name);
      this.chainBodies[direction][pod] = this.bodies.get(direction, d.tuples);
    }
    if (this.logDenied) this.subjects[pod] = podId(p);
    const owns = (a: Address): boolean => resolved.addressOwner.get(a.ip) === pod;
    const owned = this.addressesUnique || p.addresses.every(owns) ? p.addresses : p.addresses.filter(owns);
    this.owned[pod] = owned;
    return owned;
  }

  /** Adds one local pod: its addresses, its chains, the sets and log chains they use. */
  private addPod(parts: NodeParts, pod: number): void {
    const owned = this.gather(pod);
    parts.local++;
    let egress: Chain | undefined;
    let ingress: Chain | undefined;
    for (const direction of directions) {
      const body = this.chainBodies[direction][pod];
      if (body === undefined) continue;
      // Replicas share a body: its sets and log chains are listed once per node.
      if (body.stamp !== parts.serial) {
        body.stamp = parts.serial;
        for (const id of body.sets) if (this.catalog.numbered.firstFor(id, parts.serial)) parts.sets.push(id);
        for (const id of body.logChains) if (this.logChains.firstFor(id, parts.serial)) parts.logChains.push(id);
      }
      // Without per-pod deny logging, every pod with this body shares one rule list.
      const rules = body.unconditional || !this.logDenied ? body.chainRules : body.rules.concat(denyLogRule(direction, this.subjects[pod]!, this.options)!, this.denyVerdicts);
      const chain: Chain = { name: this.chainNames[direction][pod]!, rules };
      parts.chains[direction].push(chain);
      if (direction === 'egress') egress = chain;
      else ingress = chain;
    }
    const self = (egress || ingress) && this.resolved.program.semantics.allowSelf ? ownAddresses(owned) : undefined;
    for (const a of owned) parts.addresses[a.family].push({ value: a.value, egress, ingress, self: self?.[a.family] });
  }

  /** The number of an allow-logging chain, built once for the program. */
  private logChainId(name: string, direction: Direction, policy: number): number {
    let id = this.logChainIds.get(name);
    if (id === undefined) this.logChainIds.set(name, (id = this.logChains.add(allowLogChain(this.resolved, name, direction, policy, this.options))));
    return id;
  }

  private nodeAddresses(node: string): Record<Family, Range<bigint>[]> {
    const out: Record<Family, Range<bigint>[]> = { 4: [], 6: [] };
    const n = this.nodesByName.get(node);
    // Every address the node lists, one that another node lists too included (semantics.md §2.5).
    for (const a of n?.addresses ?? []) out[a.family].push([a.value, a.value]);
    for (const f of [4, 6] as const) out[f].sort((a, b) => compareValues(a[0], b[0]));
    return out;
  }
}

/** A pod's addresses per family, sorted (almost always one each). */
function ownAddresses(owned: readonly Address[]): Record<Family, bigint[]> {
  if (owned.length === 1) {
    const a = owned[0]!;
    return a.family === 4 ? { 4: [a.value], 6: [] } : { 4: [], 6: [a.value] };
  }
  const out: Record<Family, bigint[]> = { 4: [], 6: [] };
  for (const a of owned) out[a.family].push(a.value);
  for (const f of [4, 6] as const) if (out[f].length > 1) out[f].sort(compareValues);
  return out;
}
