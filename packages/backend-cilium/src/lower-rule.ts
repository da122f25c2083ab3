// One Kubernetes rule → Cilium rules (direction-neutral shape; lower.ts names the fields).
import { appendAll, compareValues, parseCidr, type Address, type Direction, type Peer, type Policy, type PortMatch, type Program, type Protocol, type ResolvedProgram, type Rule, type SourceRef } from '@netpolc/ir';
import { blockKey, blockSetOf, blockText, cidrRelation, coverage, covers, type BlockPeer, type BlockSet, type ResolvedAllowance } from './coverage.js';
import { ciliumDiagnostic } from './diagnostics.js';
import { exceptReachesMapped, ofClusterFamily } from './block-readings.js';
import { nodeEntities } from './node-entities.js';
import { addNamespaceSelector, addPodSelector, droppedRequirements, SelectorBuilder } from './labels.js';
import { ciliumLabel, type CiliumCidrRule, type CiliumEntity, type CiliumIcmpRule, type CiliumPortProtocol, type CiliumPortRule, type CiliumSelector, type Writable } from './model.js';
import { atLeast, ciliumFeatures, formatVersion, type CiliumOptions, type CiliumVersion } from './options.js';
import type { PodUniverse } from './pod-universe.js';
import { lowerNamedPort, lowerNumericPort, lowerResolvedPorts, portRules, type Notes } from './ports.js';
import { namedPortKey, narrowedByLastDeclaration, type Declaration } from './sidecars.js';
import type { PolicyRules } from './same-policy.js';
import { distinctTrees } from './tree.js';

/** A Cilium rule before its fields get their ingress (`from*`) or egress (`to*`) names. */
export interface GenericRule {
  readonly endpoints?: readonly CiliumSelector[];
  readonly cidrs?: readonly CiliumCidrRule[];
  readonly entities?: readonly CiliumEntity[];
  readonly toPorts?: readonly CiliumPortRule[];
  readonly icmps?: readonly CiliumIcmpRule[];
}

/** Everything lowering needs besides the rule. */
export interface LowerContext {
  readonly program: Program;
  readonly resolved: ResolvedProgram;
  readonly options: CiliumOptions;
  readonly universe: PodUniverse;
  readonly allowance: ResolvedAllowance;
  /** True when the inventory lists pods: ipBlock coverage and named ports are then exact. */
  readonly hasInventory: boolean;
  /** Every node address of the inventory. */
  readonly nodeAddresses: readonly Address[];
  /** The address families of the cluster: of its nodes' and pods' addresses and of --cluster-cidr. */
  readonly families: ReadonlySet<4 | 6>;
  /** The families of the pod network: of the pods' addresses and of --cluster-cidr (empty: unknown). */
  readonly podFamilies: ReadonlySet<4 | 6>;
  /** What each policy's own rules allow, for policies that select no pod yet. */
  readonly policyRules: PolicyRules;
  /** Memo: the pods each pod peer selects. */
  readonly peerPods: Map<PodPeer, ReadonlySet<number>>;
  /** Why the inventory's nodes may not be every node of the cluster (undefined: they are). */
  readonly nodeGap: string | undefined;
  /** Memo: node addresses inside a block set, by {@link blockKey}. */
  readonly nodesInside: Map<string, readonly Address[]>;
  /** Pods declaring each `protocol/name` on a native sidecar, with the sidecar (sidecars.ts). */
  readonly sidecarNames: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Pods whose containers declare a name more than once, with the declarations (sidecars.ts). */
  readonly repeatedNames: ReadonlyMap<string, ReadonlyMap<number, readonly Declaration[]>>;
}

/** `pods a, b, c` (at most 12 names, then a count). */
function podList(ctx: LowerContext, pods: ReadonlySet<number>): string {
  return `pod${pods.size === 1 ? '' : 's'} ${firstOf(pods, pods.size, (i) => ctx.universe.id(i))}`;
}

/** The first 12 of `count` items shown, then a count of the others: `a, b, c and 3 more`. */
function firstOf(items: Iterable<number>, count: number, show: (i: number) => string): string {
  const shown: string[] = [];
  for (const i of items) {
    if (shown.length === 12) break;
    shown.push(show(i));
  }
  return shown.join(', ') + (count > shown.length ? ` and ${count - shown.length} more` : '');
}

type PodPeer = Extract<Peer, { kind: 'pods' }>;
type NamedPort = Extract<PortMatch, { kind: 'named' }>;

/** The Cilium selector of a Kubernetes pod/namespace peer, always naming the namespace key. */
export function peerSelector(policy: Policy, peer: PodPeer): CiliumSelector {
  const b = new SelectorBuilder();
  if (peer.namespaces.kind === 'policy-namespace') b.add({ key: ciliumLabel.podNamespace, operator: 'In', values: [policy.namespace] });
  else addNamespaceSelector(b, peer.namespaces.selector);
  return addPodSelector(b, peer.pods).build();
}

const allPods = (): CiliumSelector => new SelectorBuilder().add({ key: ciliumLabel.podNamespace, operator: 'Exists' }).build();

/** Lowers one rule of `policy` (index `pi`) in `direction`. */
export function lowerRule(ctx: LowerContext, policy: Policy, pi: number, direction: Direction, rule: Rule, policyNotes: Notes): GenericRule[] {
  const where = `${direction} rule ${rule.index}`;
  // Port lowering does not know the rule: prefix its report lines here.
  const portNotes: Notes = { diagnostic: (d) => policyNotes.diagnostic(d), report: (l) => policyNotes.report(`${where}: ${l}`) };
  const notes = policyNotes;
  const numeric: CiliumPortProtocol[] = [];
  const named: NamedPort[] = [];
  if (rule.ports !== 'any') {
    if (rule.ports.some((e) => e.kind === 'all')) notes.report(`${where}: a port entry without port number written as port "0", which Cilium reads as every port of the protocol`);
    for (const e of rule.ports) {
      if (e.kind !== 'named') numeric.push(...lowerNumericPort(e, ctx.options, portNotes));
      // Ingress names resolve on the selected pod itself, as in Kubernetes (pkg/endpoint
      // GetNamedPort: "Ingress only needs the ports of the POD itself").
      else if (direction === 'ingress') {
        sidecarNamed(ctx, policy, e, where, notes);
        repeatedNamed(ctx, policy, e, where, notes);
        numeric.push(...lowerNamedPort(e, ctx.options, portNotes));
      } else named.push(e);
    }
  }
  const toPorts = rule.ports === 'any' ? undefined : portRules(numeric);
  const main = rule.ports === 'any' || numeric.length > 0;
  // Every rule given is a fresh object with one peer key: the ports are added to it, after that
  // key as they are printed (a copy per rule took a tenth of a second at kube-scale).
  const withPorts = (r: Writable<GenericRule>): GenericRule => {
    if (toPorts) r.toPorts = toPorts;
    return r;
  };
  const out: GenericRule[] = [];

  if (rule.peers === 'any') {
    // An empty Cilium rule allows nothing, and an empty endpoint selector in a namespaced policy
    // is scoped to its namespace; the `all` entity matches every peer (layer3.rst "Entities").
    if (main) {
      out.push(withPorts({ entities: ['all'] }));
      notes.report(`${where}: no peers (any address): written as the \`all\` entity`);
    }
    if (named.length > 0) appendAll(out, egressNamed(ctx, named, [{ pods: new Set(ctx.universe.pods.keys()), selector: allPods() }], rule.origin, where, notes));
    return out;
  }

  // A peer requirement on a key Cilium drops matches no pod or every pod there: left out, as
  // "every pod" would be wider; so is one on a key Cilium rejects, which would drop the whole
  // policy (lower.ts reports the error).
  const podPeers = rule.peers.filter((p): p is PodPeer => p.kind === 'pods' && inIdentity(p, ctx.options.ciliumVersion));
  const blockPeers = rule.peers.filter((p): p is BlockPeer => p.kind === 'ip-block' && ofClusterFamily(ctx, p, where, notes) && !exceptReachesMapped(ctx, p, where, notes));
  const endpoints: CiliumSelector[] = podPeers.map((p) => peerSelector(policy, p));
  if (podPeers.some((p) => p.namespaces.kind === 'selector' && p.namespaces.selector.requirements.length === 0)) {
    notes.report(`${where}: namespaceSelector {} written as "the pod namespace label exists" (Cilium's reading of {}), which is every pod and no node or external address`);
  }
  const block = blockPeers.length > 0 ? blockCoverage(ctx, pi, direction, rule, blockPeers, where, notes) : undefined;
  if (main) {
    // A namespaceSelector {} peer and an ipBlock over every pod give the same selector: once.
    const selectors = distinctTrees([...endpoints, ...(block?.selectors ?? [])]);
    if (selectors.length > 0) out.push(withPorts({ endpoints: selectors }));
    if (blockPeers.length > 0) {
      const lone = loneWorldCidr(ctx, blockPeers, where, notes);
      out.push(withPorts({ cidrs: blockPeers.flatMap((p) => (p === lone ? halves(p.cidr) : p.except.length > 0 ? [{ cidr: p.cidr, except: p.except }] : [{ cidr: p.cidr }])) }));
    }
    if (block && block.entities.length > 0) out.push(withPorts({ entities: block.entities }));
  }
  if (named.length > 0) {
    const targets: NamedTarget[] = podPeers.map((p, i) => ({ pods: ctx.hasInventory ? podsOf(ctx, policy, p) : new Set<number>(), selector: endpoints[i]! }));
    if (block && ctx.hasInventory) targets.push({ pods: block.covered, selector: undefined });
    if (!ctx.hasInventory && blockPeers.length > 0) {
      for (const p of blockPeers) notes.diagnostic(ciliumDiagnostic('backend-cilium/named-port-ipblock-unknown', { name: named.map((n) => n.name).join(', ') }, p.origin));
      notes.report(`${where}: egress named port ${named.map((n) => n.name).join(', ')} left out for the ipBlock peers (no inventory to know the pods inside them)`);
    }
    appendAll(out, egressNamed(ctx, named, targets, rule.origin, where, notes));
  }
  return out;
}

/**
 * An ingress name that some pod of the policy declares on a native sidecar. Cilium resolves
 * names on spec.containers only (sidecars.ts), so that pod's port stays closed: narrower than
 * Kubernetes, never wider. The name is still written, as it resolves on the other pods; no
 * rule can open the port on that pod alone, since the rule applies to the whole subject.
 */
function sidecarNamed(ctx: LowerContext, policy: Policy, entry: NamedPort, where: string, notes: Notes): void {
  const byPod = ctx.sidecarNames.get(namedPortKey(entry.protocol, entry.name));
  if (!byPod) return;
  const hit = ctx.resolved.selectPods({ kind: 'policy-namespace' }, policy.subject, policy.namespace).filter((i) => byPod.has(i));
  if (hit.length === 0) return;
  const text = firstOf(hit, hit.length, (i) => `pod ${ctx.universe.id(i)} (container ${byPod.get(i)!})`);
  notes.diagnostic(ciliumDiagnostic('backend-cilium/sidecar-named-port', { name: entry.name, protocol: entry.protocol, where: text }, entry.origin));
  notes.report(`${where}: named port ${entry.name}/${entry.protocol} is declared on a native sidecar of ${text}, where Cilium does not resolve it (spec.containers only): ingress to it is denied there (warning)`);
}

/**
 * An ingress name that some pod of the policy declares more than once: Cilium keeps the last
 * declaration only (sidecars.ts repeatedNamesOf), so the pod's other ports of that name stay
 * closed where Kubernetes opens them: narrower, never wider, and said.
 */
function repeatedNamed(ctx: LowerContext, policy: Policy, entry: NamedPort, where: string, notes: Notes): void {
  const byPod = ctx.repeatedNames.get(entry.name);
  if (!byPod) return;
  const hit = ctx.resolved.selectPods({ kind: 'policy-namespace' }, policy.subject, policy.namespace).filter((i) => {
    const list = byPod.get(i);
    return list !== undefined && narrowedByLastDeclaration(list, entry.protocol);
  });
  if (hit.length === 0) return;
  const text = firstOf(hit, hit.length, (i) => `pod ${ctx.universe.id(i)} (${byPod.get(i)!.map((d) => `${d.port}/${d.protocol}`).join(', ')})`);
  notes.diagnostic(ciliumDiagnostic('backend-cilium/named-port-repeated', { name: entry.name, protocol: entry.protocol, where: text }, entry.origin));
  notes.report(`${where}: named port ${entry.name}/${entry.protocol} is declared more than once by ${text}; Cilium keeps the last declaration only, so ingress to the others is denied there (warning)`);
}

/** True when no requirement of the peer is on a key Cilium leaves out of identities. */
function inIdentity(peer: PodPeer, version: CiliumVersion): boolean {
  if (droppedRequirements(peer.pods, 'pod', version).length > 0) return false;
  return peer.namespaces.kind !== 'selector' || droppedRequirements(peer.namespaces.selector, 'namespace', version).length === 0;
}

/**
 * Before 1.15, a CIDR rule holding 0.0.0.0/0 or ::/0 without except became `reserved:world`,
 * both families at once (cilium/cilium#22610; #22625 gave each family its own world identity).
 * Not so for its subnets ("not present for subnets of 0.0.0.0/0, like 0.0.0.0/1"), so a lone
 * bare /0 is written as its two halves, exact on every release. Harmless, and left as it is,
 * when the same rule has the other family's /0 too. Returns the peer to split.
 */
function loneWorldCidr(ctx: LowerContext, peers: readonly BlockPeer[], where: string, notes: Notes): BlockPeer | undefined {
  if (atLeast(ctx.options.ciliumVersion, ciliumFeatures.worldPerFamily)) return undefined;
  const bare = (family: 4 | 6): BlockPeer | undefined =>
    peers.find((p) => {
      const c = parseCidr(p.cidr)!;
      return c.family === family && c.prefix === 0 && p.except.length === 0;
    });
  const v4 = bare(4);
  const v6 = bare(6);
  const lone = v4 && !v6 ? { peer: v4, other: 'IPv6' } : v6 && !v4 ? { peer: v6, other: 'IPv4' } : undefined;
  if (!lone) return undefined;
  const version = formatVersion(ctx.options.ciliumVersion);
  const written = halves(lone.peer.cidr).map((h) => h.cidr).join(' and ');
  notes.diagnostic(ciliumDiagnostic('backend-cilium/world-cidr-both-families', { version, cidr: lone.peer.cidr, other: lone.other, written }, lone.peer.origin));
  notes.report(`${where}: Cilium ${version} reads a bare ${lone.peer.cidr} as the world entity, which also admits ${lone.other} outside the cluster; written as ${written}`);
  return lone.peer;
}

/** The two halves of a /0. */
function halves(cidr: string): { cidr: string }[] {
  return parseCidr(cidr)!.family === 4 ? [{ cidr: '0.0.0.0/1' }, { cidr: '128.0.0.0/1' }] : [{ cidr: '::/1' }, { cidr: '8000::/1' }];
}

/**
 * Actionable pods a pod peer selects (index into the universe, which holds the resolved pods),
 * made once per peer: the partial-pod check asks for each pod.
 */
function podsOf(ctx: LowerContext, policy: Policy, peer: PodPeer): ReadonlySet<number> {
  let pods = ctx.peerPods.get(peer);
  if (!pods) {
    pods = new Set(ctx.resolved.selectPods(peer.namespaces, peer.pods, policy.namespace));
    ctx.peerPods.set(peer, pods);
  }
  return pods;
}

interface NamedTarget {
  readonly pods: ReadonlySet<number>;
  /** The peer's own selector, usable when every pod it selects resolves the names alike. */
  readonly selector: CiliumSelector | undefined;
}

/**
 * Egress named ports. Cilium resolves them through a cluster-wide map and skips names that map
 * to several numbers (pkg/endpoint GetNamedPort: "egress needs named ports of all the pods";
 * cilium/cilium#30003), then allows the number towards every selected peer. Kubernetes resolves
 * them on each destination pod. With an inventory, netpolc resolves per destination pod and
 * writes numbers for exactly the pods that define the name.
 */
function egressNamed(ctx: LowerContext, named: readonly NamedPort[], targets: readonly NamedTarget[], origin: SourceRef, where: string, notes: Notes): GenericRule[] {
  const names = named.map((n) => `${n.name}/${n.protocol}`).join(', ');
  if (!ctx.hasInventory) {
    // Written as a name, the entry would allow the number Cilium finds cluster-wide towards peers
    // that do not define the name (wider): left out, with an error.
    if (targets.length > 0) {
      notes.diagnostic(ciliumDiagnostic('backend-cilium/named-port-unresolved', { name: names }, origin));
      notes.report(`${where}: egress named port ${names} left out: without an inventory it cannot be resolved per destination pod (error)`);
    }
    return [];
  }
  const out: GenericRule[] = [];
  for (const target of targets) {
    const groups = new Map<string, { ports: [Protocol, number][]; pods: number[] }>();
    for (const i of [...target.pods].sort((a, b) => a - b)) {
      const pod = ctx.universe.pods[i]!;
      const ports: [Protocol, number][] = [];
      for (const n of named) for (const c of pod.ports) if (c.name === n.name && c.protocol === n.protocol) ports.push([n.protocol, c.port]);
      if (ports.length === 0) continue;
      ports.sort((a, b) => compareValues(a[0], b[0]) || a[1] - b[1]);
      const key = ports.map(([p, n]) => `${n}/${p}`).join(',');
      const g = groups.get(key);
      if (g) g.pods.push(i);
      else groups.set(key, { ports, pods: [i] });
    }
    for (const key of [...groups.keys()].sort()) {
      const g = groups.get(key)!;
      let selectors: readonly CiliumSelector[];
      if (target.selector && g.pods.length === target.pods.size) selectors = [target.selector];
      else {
        const sel = ctx.universe.select(new Set(g.pods));
        reportClashes(ctx, sel.clashes, `egress named port ${names}`, origin, notes);
        selectors = sel.selectors;
      }
      const ports = lowerResolvedPorts(g.ports, origin, ctx.options, notes);
      if (selectors.length === 0 || ports.length === 0) continue;
      out.push({ endpoints: selectors, toPorts: portRules(ports) });
      notes.report(`${where}: egress named port ${names} resolved on the destination pods (Cilium resolves egress names cluster-wide, cilium/cilium#30003): ${key} for ${podList(ctx, new Set(g.pods))}`);
    }
  }
  return out;
}

/**
 * One error per peer, however many pods it leaves out: one per pod repeated the peer's text for
 * every covered replica (an ipBlock over 3 840 pods of a large cluster wrote 1.2 MB of errors).
 */
function reportClashes(ctx: LowerContext, clashes: readonly { inside: number; outside: number }[], what: string, origin: SourceRef, notes: Notes): void {
  if (clashes.length === 0) return;
  const inside = podList(ctx, new Set(clashes.map((c) => c.inside)));
  const outside = podList(ctx, new Set(clashes.map((c) => c.outside)));
  notes.diagnostic(ciliumDiagnostic('backend-cilium/inseparable-pods', { what, pods: inside, others: outside }, origin));
  notes.report(`${what}: ${inside} left out, each has the same Cilium identity as one of ${outside} (error)`);
}

interface BlockResult {
  readonly selectors: readonly CiliumSelector[];
  readonly entities: readonly CiliumEntity[];
  /** Pods the selectors select (for egress named ports). */
  readonly covered: ReadonlySet<number>;
}

/** The pods and nodes inside a rule's ipBlocks, as Cilium selectors and entities. */
function blockCoverage(ctx: LowerContext, pi: number, direction: Direction, rule: Rule, peers: readonly BlockPeer[], where: string, notes: Notes): BlockResult {
  const set = blockSetOf(peers);
  const origin = peers[0]!.origin;
  const text = peers.map(blockText).join('; ');
  let covered: ReadonlySet<number> = new Set<number>();
  let selectors: readonly CiliumSelector[] = [];
  if (!ctx.program.semantics.ipBlockMatchesPods) {
    // Profile where ipBlocks never match pods: Cilium's own CIDR semantics already agree.
  } else if (ctx.hasInventory) {
    const cov = ctx.universe.coverage(set);
    const extra: number[] = [];
    const partial: number[] = [];
    for (const i of cov.partial) {
      const anyway = (u: Address): boolean => ctx.policyRules.allows(pi, direction, rule.index, u, (peer) => podsOf(ctx, ctx.program.policies[pi]!, peer).has(i));
      if (ctx.allowance.wholeEndpointAllowed(pi, rule.index, direction, set, ctx.universe.pods[i]!.addresses, anyway)) extra.push(i);
      else partial.push(i);
    }
    if (partial.length > 0) {
      // One error per ipBlock (a v4-only block over a dual-stack cluster covers every pod partly),
      // the addresses shown for the first pod.
      const first = ctx.universe.pods[partial[0]!]!;
      const inside = first.addresses.filter((a) => coverage(set, [a]) === 'full').map((a) => a.ip);
      const outside = first.addresses.filter((a) => coverage(set, [a]) === 'none').map((a) => a.ip);
      const pods = podList(ctx, new Set(partial));
      notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-partial-pod', { pods, pod: ctx.universe.id(partial[0]!), covered: inside.join(', '), uncovered: outside.join(', ') }, origin));
      notes.report(`${where}: ${pods} left out, the ipBlock covers only some of their addresses (error)`);
    }
    // The common case (no partly covered pod) shares one selection per ipBlock content.
    const sel = extra.length === 0 ? cov.selectFull() : ctx.universe.select(new Set([...cov.full, ...extra]));
    reportClashes(ctx, sel.clashes, `ipBlock ${text}`, origin, notes);
    covered = extra.length === 0 && sel.clashes.length === 0 ? cov.full : new Set([...cov.full, ...extra].filter((i) => !sel.clashes.some((c) => c.inside === i)));
    selectors = sel.selectors;
    if (covered.size > 0) {
      notes.report(`${where}: ipBlock ${text} covers ${podList(ctx, covered)}; Cilium CIDR rules never match pods (cilium/cilium#9209), so they are also selected by labels (${selectors.length} selector${selectors.length === 1 ? '' : 's'})`);
    }
  } else if (ctx.options.clusterCidrs.length > 0) {
    selectors = clusterCidrCoverage(ctx, set, text, origin, where, notes);
  } else {
    for (const p of peers) notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-pods-unknown', { cidr: p.cidr }, p.origin));
    notes.report(`${where}: ipBlock ${text} may cover pods, which Cilium CIDR rules never match and netpolc cannot select without an inventory or --cluster-cidr (warning)`);
  }
  if (ctx.options.clusterName !== undefined) {
    // Pods of the other clusters in the mesh have identities, which CIDR rules never match
    // (layer3.rst "IP/CIDR based"), and no inventory here lists them to select by labels.
    for (const p of peers) notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-remote-pods', { cidr: p.cidr, cluster: ctx.options.clusterName }, p.origin));
    notes.report(`${where}: pods of the other clusters of the mesh inside ipBlock ${text} are not admitted: Cilium CIDR rules match only the world (warning)`);
  }
  return { selectors, entities: nodeEntities(ctx, pi, direction, rule, peers, set, origin, where, notes), covered };
}

function clusterCidrCoverage(ctx: LowerContext, set: BlockSet, text: string, origin: SourceRef, where: string, notes: Notes): CiliumSelector[] {
  const relations = ctx.options.clusterCidrs.map((c) => ({ cidr: c, rel: cidrRelation(set, c) }));
  if (relations.every((r) => r.rel === 'none')) return [];
  if (relations.every((r) => r.rel === 'full')) {
    notes.report(`${where}: ipBlock ${text} contains the whole pod CIDR (${ctx.options.clusterCidrs.join(', ')}); every pod is also selected by labels, as Cilium CIDR rules never match pods (cilium/cilium#9209)`);
    return [allPods()];
  }
  const bad = relations.find((r) => r.rel !== 'full')!;
  notes.diagnostic(ciliumDiagnostic('backend-cilium/ipblock-pods-ambiguous', { cidr: text, clusterCidr: bad.cidr }, origin));
  notes.report(`${where}: ipBlock ${text} covers an unknown part of the pods (error)`);
  return [];
}
