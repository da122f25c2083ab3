import { antiSpoofingTable } from './anti-spoofing.js';
import type { AllowTuple, BackendInput, Diagnostic, EmitResult, FileSink, Node, Pod } from '@netpolc/ir';
import { appendAll, compareValues, FileAssembler, hasErrors, maxFileNameBytes, nearNames, NoTarget, overlongFileName, podId } from '@netpolc/ir';
import { AddressMatcher, largeSetMembers } from './addresses.js';
import { iptablesDiagnostic } from './diagnostics.js';
import { comment, localAddresses, lowerFamily, podLinkLocalRules, type LocalPod, type LowerContext } from './lower.js';
import type { IpSet, NodeRules } from './model.js';
import { policyLogIds } from './names.js';
import type { IptablesOptions } from './options.js';
import { PodChains, type SharedContext } from './pod-chains.js';
import { isOwnFile, writeIpSets, writeRuleset } from './print.js';

/** The typed output of one compilation, before printing. */
export interface Lowered {
  readonly nodes: readonly NodeRules[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Warnings about what the hooks cannot see (semantics.md §2.5; README "Limits") or close wider
 * than the policies (`--pod-interface`), each at most once per program or per missing node, never
 * per pod: pods whose node is not in the inventory are enforced nowhere. `unenforced`: isolated
 * pods by node name ('' for none) whose node is not in the inventory.
 */
function coverageWarnings(input: BackendInput, options: IptablesOptions, unenforced: ReadonlyMap<string, Pod[]>): Diagnostic[] {
  const { resolved, program } = input;
  const out: Diagnostic[] = [];
  if (options.podInterfaces.length > 0) {
    // Shown as given: a trailing + always stands for the user's * (options refuse a literal one).
    const interfaces = options.podInterfaces.map((n) => n.replace(/\+$/, '*')).join(', ');
    out.push(iptablesDiagnostic('backend-iptables/pod-link-local-closed', { interfaces }, NoTarget));
  }
  for (const key of [...unenforced.keys()].sort()) {
    const pods = unenforced.get(key)!.sort((a, b) => compareValues(podId(a), podId(b)));
    const shown = pods.slice(0, 3).map(podId).join(', ') + (pods.length > 3 ? ', ...' : '');
    const reason = key === '' ? 'have no spec.nodeName' : `are on node ${key}, which is not in the inventory`;
    out.push(iptablesDiagnostic('backend-iptables/pod-not-enforced', { count: pods.length, pods: shown, reason }, pods[0]!.origin));
  }
  const isolated = (direction: 'ingress' | 'egress'): boolean => resolved[direction].some((d) => d.isolated);
  if (!program.semantics.allowNodeLocalIngress && isolated('ingress')) {
    out.push(iptablesDiagnostic('backend-iptables/node-local-not-filtered', { what: "ingress from a pod's own node" }, NoTarget));
  }
  if (!program.semantics.allowSelf && (isolated('ingress') || isolated('egress'))) {
    out.push(iptablesDiagnostic('backend-iptables/node-local-not-filtered', { what: 'traffic from a pod to itself' }, NoTarget));
  }
  return out;
}

/**
 * The lowering of one compilation. The constructor does the shared part once: one pass over the
 * pods gathers the local pods of the selected nodes and builds their pod chains (once per
 * distinct tuple list), with the peer sets they need. Each node is then lowered on its own, so
 * emitting prints and drops one node at a time, and `--node` pays only for its nodes' pods.
 */
export class ProgramLowering {
  /** Every diagnostic of the lowering (complete once constructed). */
  readonly diagnostics: Diagnostic[] = [];
  /** Nodes to emit, in name order when picked with `--node`, else in inventory order. */
  readonly nodes: readonly Node[];
  private readonly ctx: LowerContext;
  private readonly byNode = new Map<string, { pods: LocalPod[]; hasV6: boolean }>();

  constructor(
    private readonly input: BackendInput,
    options: IptablesOptions,
  ) {
    const { program, resolved } = input;
    const inventoryNodes = program.inventory.nodes;
    let nodes: readonly Node[] = inventoryNodes;
    if (options.nodes !== undefined) {
      const byName = new Map(inventoryNodes.map((n) => [n.name, n]));
      const picked: Node[] = [];
      for (const name of [...new Set(options.nodes)].sort()) {
        const n = byName.get(name);
        if (n) picked.push(n);
        else this.diagnostics.push(iptablesDiagnostic('backend-iptables/unknown-node', { node: name, known: nearNames(name, [...byName.keys()], 'node') }, NoTarget));
      }
      nodes = picked;
    }
    this.nodes = nodes;

    const warnedSets = new Set<string>();
    const setWarnings: Diagnostic[] = [];
    let logIds: readonly string[] | undefined;
    const names: string[] = [];
    let marks = 0;
    const shared: SharedContext = {
      resolved,
      options,
      matcher: new AddressMatcher(options.ipset),
      // Hashing every policy name is only needed for LOG prefixes.
      logIds: () => (logIds ??= policyLogIds(program.policies)),
      onSet: (set: IpSet, tuple: AllowTuple) => {
        if (set.members.length <= largeSetMembers || warnedSets.has(set.name)) return;
        warnedSets.add(set.name);
        const policy = program.policies[tuple.provenance.policy]!;
        const rule = policy[tuple.provenance.direction]?.[tuple.provenance.rule];
        // hash:net entries cost about 42.7 bytes each (1M entries ≈ 42.7 MB, calico#4069).
        const megabytes = ((set.members.length * 42.7) / 1e6).toFixed(1);
        setWarnings.push(iptablesDiagnostic('backend-iptables/large-ipset', { set: set.name, members: set.members.length, megabytes }, rule?.origin ?? policy.origin));
      },
    };
    this.ctx = {
      ...shared,
      podChains: { 4: new PodChains(shared, 4), 6: new PodChains(shared, 6) },
      podName: (pod) => (names[pod] ??= podId(resolved.pods[pod]!)),
      nextMark: () => marks++,
      linkLocal: podLinkLocalRules(options),
      raw: { 4: antiSpoofingTable(options, 4), 6: antiSpoofingTable(options, 6) },
    };
    const unenforced = this.gatherLocalPods();
    appendAll(appendAll(this.diagnostics, coverageWarnings(input, options, unenforced)), setWarnings);
    if (!options.stdout) this.checkFileNames();
  }

  /** An error for each node whose files cannot have their names (see maxFileNameBytes). */
  private checkFileNames(): void {
    for (const node of this.nodes) {
      const v6 = this.byNode.get(node.name)?.hasV6 || this.ctx.linkLocal.length > 0;
      const file = overlongFileName(v6 ? [`${node.name}.iptables`, `${node.name}.ip6tables`] : [`${node.name}.iptables`]);
      if (file === undefined) continue;
      this.diagnostics.push(iptablesDiagnostic('backend-iptables/file-name-too-long', { node: node.name, suffix: file.slice(node.name.length), bytes: Buffer.byteLength(file), max: maxFileNameBytes }, node.origin));
    }
  }

  /**
   * One pass over the pods in index order (their order in memory): the local pods of every
   * wanted node, with their names and pod chains (built here, once per distinct tuple list), and
   * the isolated pods whose node is not in the inventory (returned, by node name).
   */
  private gatherLocalPods(): Map<string, Pod[]> {
    const { resolved, program } = this.input;
    // One lookup per pod: a bucket for a wanted node, null for another node of the inventory.
    const nodes = new Map<string, { pods: LocalPod[]; hasV6: boolean } | null>();
    for (const n of program.inventory.nodes) nodes.set(n.name, null);
    for (const n of this.nodes) {
      const bucket = { pods: [], hasV6: false };
      nodes.set(n.name, bucket);
      this.byNode.set(n.name, bucket);
    }
    const unenforced = new Map<string, Pod[]>();
    const { podChains } = this.ctx;
    const pods = resolved.pods;
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i]!;
      const node = p.nodeName;
      const bucket = node === undefined ? undefined : nodes.get(node);
      if (!bucket) {
        if (bucket === undefined && (resolved.ingress[i]!.isolated || resolved.egress[i]!.isolated)) {
          const list = unenforced.get(node ?? '');
          if (list) list.push(p);
          else unenforced.set(node ?? '', [p]);
        }
        continue;
      }
      const v4 = localAddresses(p.addresses, 4);
      const v6 = localAddresses(p.addresses, 6);
      const has4 = v4.length > 0;
      const has6 = v6.length > 0;
      const egress = resolved.egress[i]!.isolated;
      const ingress = resolved.ingress[i]!.isolated;
      const rec: LocalPod = {
        pod: i,
        v4,
        v6,
        // Made here, in pod order: made when the node is lowered, it reads each pod again from
        // wherever it lies in the heap (emit 0.15-1.2 s slower at kube-scale in three alternating
        // pairs).
        comment: egress || ingress ? comment(this.ctx.podName(i)) : undefined,
        egress4: egress && has4 ? podChains[4].chain(i, 'egress') : undefined,
        ingress4: ingress && has4 ? podChains[4].chain(i, 'ingress') : undefined,
        egress6: egress && has6 ? podChains[6].chain(i, 'egress') : undefined,
        ingress6: ingress && has6 ? podChains[6].chain(i, 'ingress') : undefined,
      };
      bucket.pods.push(rec);
      bucket.hasV6 ||= has6;
    }
    return unenforced;
  }

  /** The rulesets and sets of one node, then forgets its local pods (emit lowers each node once). */
  takeNode(node: Node): NodeRules {
    const rules = this.lowerNode(node);
    this.byNode.delete(node.name);
    return rules;
  }

  /** The rulesets and sets of one node. */
  lowerNode(node: Node): NodeRules {
    const local = this.byNode.get(node.name);
    const v4 = lowerFamily(this.ctx, node, local?.pods ?? [], 4);
    // The link-local rules concern every node, even one without IPv6 pods (their interfaces have
    // link-local addresses all the same). Such a node gets the full structure, FORWARD hook
    // included: the same shape as on nodes with IPv6 pods, for the reload script and for the
    // day IPv6 pods arrive, at the cost of one jump to an empty chain per forwarded packet.
    const v6 = local?.hasV6 || this.ctx.linkLocal.length > 0 ? lowerFamily(this.ctx, node, local?.pods ?? [], 6) : undefined;
    // Each family's sets come sorted by name, and every netpolc4-… sorts before netpolc6-….
    const sets = v6 ? [...v4.sets, ...v6.sets] : v4.sets;
    return { node: node.name, v4: v4.ruleset, v6: v6?.ruleset, ipsets: sets.length > 0 ? { node: node.name, sets } : undefined };
  }
}

/** Lowers the resolved program to per-node rulesets and sets (no printing). */
export function lowerProgram(input: BackendInput, options: IptablesOptions): Lowered {
  const lowering = new ProgramLowering(input, options);
  const nodes = lowering.nodes.map((n) => lowering.lowerNode(n));
  return { nodes, diagnostics: lowering.diagnostics };
}

function stdoutProblem(options: IptablesOptions, lowering: ProgramLowering, inventoryNodes: number): string | undefined {
  if (options.ipset) return 'ipset mode also writes an .ipset file (add --no-ipset)';
  if (lowering.nodes.length !== 1) {
    return options.nodes === undefined ? `the inventory has ${inventoryNodes} nodes (pick one with --node)` : `${lowering.nodes.length} nodes were selected`;
  }
  if (options.podInterfaces.length > 0) return '--pod-interface adds an ip6tables file for every node';
  const only = lowering.lowerNode(lowering.nodes[0]!);
  if (only.v6) return `node ${only.node} has IPv6 pods, which need a separate ip6tables file`;
  return undefined;
}

/** Counts for the `--report` summary and the bench. */
export function countRules(n: NodeRules): { chains: number; rules: number; sets: number; members: number } {
  let chains = 0;
  let rules = 0;
  for (const rs of [n.v4, n.v6]) {
    if (!rs) continue;
    chains += rs.chains.length;
    rules += rs.hooks.length;
    for (const c of rs.chains) rules += c.rules.length;
  }
  const sets = n.ipsets?.sets ?? [];
  return { chains, rules, sets: sets.length, members: sets.reduce((s, x) => s + x.members.length, 0) };
}

/** The backend's emit: lower and print one node at a time, and summarise. */
export function emitIptables(input: BackendInput, options: IptablesOptions, sink?: FileSink): EmitResult {
  const lowering = new ProgramLowering(input, options);
  if (options.stdout) {
    const problem = stdoutProblem(options, lowering, input.program.inventory.nodes.length);
    if (problem) return { files: [], diagnostics: [...lowering.diagnostics, iptablesDiagnostic('backend-iptables/stdout-unsupported', { reason: problem }, NoTarget)] };
  }
  if (hasErrors(lowering.diagnostics)) return { files: [], diagnostics: lowering.diagnostics };
  // Every error is known by now, so files may go to the sink as they are printed.
  const batcher = new FileAssembler(options.stdout ? undefined : sink);
  // One line per node only when asked: 5 000 lines on stderr by default would bury the rest.
  const report: string[] | undefined = options.report ? [] : undefined;
  for (const node of lowering.nodes) {
    const n = lowering.takeNode(node);
    const ipsets = n.ipsets !== undefined;
    const v6 = n.v6;
    const files = [`${n.node}.iptables`, ...(v6 ? [`${n.node}.ip6tables`] : []), ...(ipsets ? [`${n.node}.ipset`] : [])];
    let bytes = batcher.add(`${n.node}.iptables`, (out) => writeRuleset(n.v4, out, ipsets, files));
    if (options.stdout) break;
    if (v6) bytes += batcher.add(`${n.node}.ip6tables`, (out) => writeRuleset(v6, out, ipsets, files));
    const sets = n.ipsets;
    if (sets) bytes += batcher.add(`${n.node}.ipset`, (out) => writeIpSets(sets, out));
    if (report) {
      const c = countRules(n);
      report.push(`${n.node}: ${c.rules} rules in ${c.chains} chains, ${c.sets} ipsets with ${c.members} members, ${bytes} bytes`);
    }
  }
  batcher.finish();
  const compiled = new Set(lowering.nodes.map((n) => n.name));
  return { files: batcher.files, diagnostics: lowering.diagnostics, ...(report ? { report: report.join('\n') } : {}), owns: (path, head) => isOwnFile(compiled, path, head) };
}
