import type { AllowTuple, BackendInput, Diagnostic, EmitFile, EmitResult, Node, Pod } from '@netpolc/ir';
import { NoTarget, podId } from '@netpolc/ir';
import { AddressMatcher, largeSetMembers } from './addresses.js';
import { iptablesDiagnostic } from './diagnostics.js';
import { lowerFamily, type LowerContext } from './lower.js';
import type { IpSet, NodeRules } from './model.js';
import { policyLogIds } from './names.js';
import type { IptablesOptions } from './options.js';
import { printIpSets, printRuleset } from './print.js';

/** The typed output of one compilation, before printing. */
export interface Lowered {
  readonly nodes: readonly NodeRules[];
  readonly diagnostics: readonly Diagnostic[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pod indices per node name, in resolved order. */
function podsByNode(input: BackendInput): Map<string, number[]> {
  const out = new Map<string, number[]>();
  input.resolved.pods.forEach((p, i) => {
    if (p.nodeName === undefined) return;
    const list = out.get(p.nodeName);
    if (list) list.push(i);
    else out.set(p.nodeName, [i]);
  });
  return out;
}

/**
 * Warnings about what the hooks cannot see (semantics.md §2.5; README "Limits"), each at most once
 * per program or per missing node, never per pod: pods whose node is not in the inventory are
 * enforced nowhere.
 */
function coverageWarnings(input: BackendInput): Diagnostic[] {
  const { resolved, program } = input;
  const out: Diagnostic[] = [];
  const known = new Set(program.inventory.nodes.map((n) => n.name));
  const unenforced = new Map<string, Pod[]>();
  resolved.pods.forEach((pod, i) => {
    if (pod.nodeName !== undefined && known.has(pod.nodeName)) return;
    if (!resolved.ingress[i]!.isolated && !resolved.egress[i]!.isolated) return;
    const key = pod.nodeName ?? '';
    const list = unenforced.get(key);
    if (list) list.push(pod);
    else unenforced.set(key, [pod]);
  });
  for (const key of [...unenforced.keys()].sort()) {
    const pods = unenforced.get(key)!.sort((a, b) => compareText(podId(a), podId(b)));
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

/** Lowers the resolved program to per-node rulesets and sets (no printing). */
export function lowerProgram(input: BackendInput, options: IptablesOptions): Lowered {
  const { program, resolved } = input;
  const diagnostics: Diagnostic[] = [];
  const inventoryNodes = program.inventory.nodes;
  let nodes: readonly Node[] = inventoryNodes;
  if (options.nodes !== undefined) {
    const byName = new Map(inventoryNodes.map((n) => [n.name, n]));
    const picked: Node[] = [];
    for (const name of [...new Set(options.nodes)].sort()) {
      const n = byName.get(name);
      if (n) picked.push(n);
      else diagnostics.push(iptablesDiagnostic('backend-iptables/unknown-node', { node: name, known: inventoryNodes.map((x) => x.name).join(', ') || 'none' }, NoTarget));
    }
    nodes = picked;
  }
  const byNode = podsByNode(input);
  diagnostics.push(...coverageWarnings(input));

  const warnedSets = new Set<string>();
  const ctx: LowerContext = {
    resolved,
    options,
    matcher: new AddressMatcher(options.ipset),
    logIds: policyLogIds(program.policies),
    memo: { 4: new Map(), 6: new Map() },
    onSet: (set: IpSet, tuple: AllowTuple) => {
      if (set.members.length <= largeSetMembers || warnedSets.has(set.name)) return;
      warnedSets.add(set.name);
      const policy = program.policies[tuple.provenance.policy]!;
      const rule = policy[tuple.provenance.direction]?.[tuple.provenance.rule];
      // hash:net entries cost about 42.7 bytes each (1M entries ≈ 42.7 MB, calico#4069).
      const megabytes = ((set.members.length * 42.7) / 1e6).toFixed(1);
      diagnostics.push(iptablesDiagnostic('backend-iptables/large-ipset', { set: set.name, members: set.members.length, megabytes }, rule?.origin ?? policy.origin));
    },
  };
  const out: NodeRules[] = [];
  for (const node of nodes) {
    const local = byNode.get(node.name) ?? [];
    const v4 = lowerFamily(ctx, node, local, 4);
    const hasV6 = local.some((i) => resolved.pods[i]!.addresses.some((a) => a.family === 6));
    const v6 = hasV6 ? lowerFamily(ctx, node, local, 6) : undefined;
    const sets = [...new Map([...v4.sets, ...(v6?.sets ?? [])].map((s) => [s.name, s])).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push({ node: node.name, v4: v4.ruleset, v6: v6?.ruleset, ipsets: sets.length > 0 ? { node: node.name, sets } : undefined });
  }
  return { nodes: out, diagnostics };
}

function stdoutProblem(options: IptablesOptions, lowered: Lowered, inventoryNodes: number): string | undefined {
  if (options.ipset) return 'ipset mode also writes an .ipset file (add --no-ipset)';
  if (lowered.nodes.length !== 1) {
    return options.nodes === undefined ? `the inventory has ${inventoryNodes} nodes (pick one with --node)` : `${lowered.nodes.length} nodes were selected`;
  }
  if (lowered.nodes[0]!.v6) return `node ${lowered.nodes[0]!.node} has IPv6 pods, which need a separate ip6tables file`;
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

/** The backend's emit: lower, print one file per node and family, and summarise. */
export function emitIptables(input: BackendInput, options: IptablesOptions): EmitResult {
  const lowered = lowerProgram(input, options);
  const diagnostics = [...lowered.diagnostics];
  if (options.stdout) {
    const problem = stdoutProblem(options, lowered, input.program.inventory.nodes.length);
    if (problem) {
      diagnostics.push(iptablesDiagnostic('backend-iptables/stdout-unsupported', { reason: problem }, NoTarget));
      return { files: [], diagnostics };
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };
  const files: EmitFile[] = [];
  const report: string[] = [];
  for (const n of lowered.nodes) {
    const v4 = printRuleset(n.v4);
    files.push({ path: `${n.node}.iptables`, content: v4 });
    if (options.stdout) break;
    let bytes = v4.length;
    if (n.v6) {
      const v6 = printRuleset(n.v6);
      bytes += v6.length;
      files.push({ path: `${n.node}.ip6tables`, content: v6 });
    }
    if (n.ipsets) {
      const sets = printIpSets(n.ipsets);
      bytes += sets.length;
      files.push({ path: `${n.node}.ipset`, content: sets });
    }
    const c = countRules(n);
    report.push(`${n.node}: ${c.rules} rules in ${c.chains} chains, ${c.sets} ipsets with ${c.members} members, ${bytes} bytes`);
  }
  return { files, diagnostics, report: report.join('\n') };
}
