// Symbolic IR (+ resolved IR) → typed Cilium model, one CiliumNetworkPolicy per NetworkPolicy.
import { annotationLimit, etcdRequestLimit, icmpEssentialTypes, NoTarget, parseCidr, refAt, storedBytesOver, type BackendInput, type Diagnostic, type Direction, type LabelSelector, type Policy, type SourceRef } from '@netpolc/ir';
import { addressOf, ResolvedAllowance } from './coverage.js';
import { ciliumDiagnostic } from './diagnostics.js';
import { addPodSelector, clusterScope, droppedRequirements, droppedSince, isCiliumOwnedPodLabel, rejectedKeyForm, SelectorBuilder } from './labels.js';
import { lowerRule, type GenericRule, type LowerContext } from './lower-rule.js';
import type { CiliumEgressRule, CiliumIngressRule, CiliumPolicy } from './model.js';
import { atLeast, ciliumFeatures, formatVersion, type CiliumOptions } from './options.js';
import { PodUniverse } from './pod-universe.js';
import { PolicyRules } from './same-policy.js';
import { repeatedNamesOf, sidecarNamesOf } from './sidecars.js';
import { distinctTrees } from './tree.js';

/** Label put on every object netpolc writes. */
export const managedByLabel = { 'app.kubernetes.io/managed-by': 'netpolc' } as const;

/** One translated policy with what was adjusted on the way. */
export interface LoweredPolicy {
  readonly source: Policy;
  readonly object: CiliumPolicy;
  /** Report lines: every adjustment made for Cilium, and why. */
  readonly notes: readonly string[];
}

/** Result of lowering a whole program. */
export interface Lowered {
  readonly policies: readonly LoweredPolicy[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Lowers every policy of the program. */
export function lowerProgram(input: BackendInput, options: CiliumOptions): Lowered {
  const { program, resolved } = input;
  const ctx: LowerContext = {
    program,
    resolved,
    options,
    universe: new PodUniverse(resolved.pods, (addresses) => resolved.podsIn(addresses), options.ciliumVersion),
    allowance: new ResolvedAllowance(resolved),
    hasInventory: program.inventory.pods.length > 0,
    nodeAddresses: program.inventory.nodes.flatMap((n) => n.addresses.map((a) => addressOf(a.ip))),
    families: clusterFamilies(input, options),
    podFamilies: podNetworkFamilies(input, options),
    policyRules: new PolicyRules(program.policies),
    peerPods: new Map(),
    nodeGap: nodeGap(program),
    nodesInside: new Map(),
    sidecarNames: sidecarNamesOf(resolved.pods),
    repeatedNames: repeatedNamesOf(resolved.pods),
  };
  const scope = clusterScope(options.clusterName);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  if (program.policies.length > 0) {
    // Cilium's datapath never sees a pod's traffic to itself, and allow-localhost admits the local node.
    if (!program.semantics.allowSelf) diagnostics.push(ciliumDiagnostic('backend-cilium/semantics-unsupported', { knob: 'allow-self=false', reason: 'Cilium never filters a pod talking to itself' }, NoTarget));
    if (!program.semantics.allowNodeLocalIngress) diagnostics.push(ciliumDiagnostic('backend-cilium/semantics-unsupported', { knob: 'node-local-ingress=false', reason: 'Cilium always allows ingress from the local node (allow-localhost)' }, NoTarget));
  }
  if (options.nodeEntities && !program.semantics.ipBlockMatchesNodes) {
    diagnostics.push(ciliumDiagnostic('backend-cilium/ignored-option', { flag: 'node-entities', reason: 'with --semantics ipblock-matches-nodes=false no ipBlock matches a node address, so no node entity is added' }, NoTarget));
  }
  const icmpRules = program.semantics.allowIcmpEssentials && atLeast(options.ciliumVersion, ciliumFeatures.icmpRules);
  if (program.semantics.allowIcmpEssentials && !icmpRules && program.policies.length > 0) {
    diagnostics.push(ciliumDiagnostic('backend-cilium/icmp-rules-unsupported', { version: formatVersion(options.ciliumVersion) }, NoTarget));
  }
  const policies = program.policies.map((policy, pi) => {
    const lines: string[] = [];
    const known = new Set<string>();
    const notes = {
      diagnostic(d: Diagnostic): void {
        // One diagnostic per code, target and message: shared peers are lowered more than once.
        const key = `${d.code}|${JSON.stringify(d.target)}|${d.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        diagnostics.push(d);
      },
      report(line: string): void {
        if (known.has(line)) return;
        known.add(line);
        lines.push(line);
      },
    };
    checkIdentityLabels(policy, options, notes);
    // A subject requirement on a key Cilium drops selects no pod (the subjects stay open) or
    // every pod (others get this policy's allows): either is wider. Fail closed instead: every
    // pod the other requirements select, isolated with nothing allowed (the error stands).
    const dropped = droppedRequirements(policy.subject, 'pod', options.ciliumVersion).map((d) => d.requirement);
    const subject = dropped.length === 0 ? policy.subject : { requirements: policy.subject.requirements.filter((r) => !dropped.includes(r)) };
    // The rules are lowered either way, so that their own diagnostics are reported too.
    const direction = (d: Direction): GenericRule[] => {
      const rules = lowerDirection(ctx, policy, pi, d, notes);
      if (dropped.length > 0) return [{}];
      return icmpRules ? [...rules, icmpEssentialRule] : rules;
    };
    if (dropped.length > 0) notes.report('podSelector left without its requirements on labels Cilium drops: the pods it may select are isolated with nothing allowed (fail closed; error)');
    const spec = {
      description: `Translated by netpolc from NetworkPolicy ${policy.namespace}/${policy.name}`,
      // A namespaced policy's endpointSelector is always scoped to its namespace: Cilium adds
      // k8s:io.kubernetes.pod.namespace=<ns> (pkg/k8s/apis/cilium.io/utils/utils.go ParseToCiliumRule).
      endpointSelector: addPodSelector(new SelectorBuilder(), subject).build(),
      ...(policy.ingress ? { ingress: direction('ingress').map((r) => directedRule(r, 'ingress', scope) as CiliumIngressRule) } : {}),
      ...(policy.egress ? { egress: direction('egress').map((r) => directedRule(r, 'egress', scope) as CiliumEgressRule) } : {}),
    };
    const object: CiliumPolicy = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: policy.name, namespace: policy.namespace, labels: { ...managedByLabel } },
      spec,
    };
    const bytes = storedBytesOver(object, annotationLimit) ?? 0;
    if (bytes > etcdRequestLimit) {
      notes.diagnostic(ciliumDiagnostic('backend-cilium/object-too-large', { name: policy.name, bytes }, policy.origin));
      notes.report(`${bytes} bytes as JSON, over etcd's 1.5 MiB: the API server cannot store it (error)`);
    } else if (bytes > annotationLimit) {
      notes.diagnostic(ciliumDiagnostic('backend-cilium/object-needs-server-side-apply', { name: policy.name, bytes }, policy.origin));
      notes.report(`${bytes} bytes as JSON, over 256 KiB: apply with kubectl apply --server-side (warning)`);
    }
    return { source: policy, object, notes: lines };
  });
  return { policies, diagnostics };
}

/** The address families of the cluster's nodes and pods, and of the pod CIDRs given. */
function clusterFamilies({ program, resolved }: BackendInput, options: CiliumOptions): Set<4 | 6> {
  const families = new Set<4 | 6>();
  for (const n of program.inventory.nodes) for (const a of n.addresses) families.add(a.family);
  for (const p of resolved.pods) for (const a of p.addresses) families.add(a.family);
  for (const c of options.clusterCidrs) families.add(parseCidr(c)!.family);
  return families;
}

/**
 * The address families of the pod network as far as the input shows it: the pods' addresses and
 * the pod CIDRs given. Node addresses are no evidence: a dual-stack cluster's Node objects often
 * list IPv4 addresses only. Empty when nothing shows it (no pods with addresses, no --cluster-cidr).
 */
function podNetworkFamilies({ resolved }: BackendInput, options: CiliumOptions): Set<4 | 6> {
  const families = new Set<4 | 6>();
  for (const p of resolved.pods) for (const a of p.addresses) families.add(a.family);
  for (const c of options.clusterCidrs) families.add(parseCidr(c)!.family);
  return families;
}

/**
 * Why the inventory's nodes may not be all of the cluster's: none listed, or a pod that is not
 * finished on a node it lacks (a finished pod may outlive its node).
 */
function nodeGap(program: BackendInput['program']): string | undefined {
  if (program.inventory.nodes.length === 0) return 'the inventory lists no Node objects';
  const names = new Set(program.inventory.nodes.map((n) => n.name));
  const finished = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';
  const pod = program.inventory.pods.find((p) => p.nodeName !== undefined && !names.has(p.nodeName) && !finished(p.phase));
  return pod ? `pod ${pod.namespace}/${pod.name} runs on node ${pod.nodeName}, which the inventory lacks` : undefined;
}

function lowerDirection(ctx: LowerContext, policy: Policy, pi: number, direction: Direction, notes: Parameters<typeof lowerRule>[5]): GenericRule[] {
  // Repeats are dropped by content.
  const rules: GenericRule[] = distinctTrees(policy[direction]!.flatMap((rule) => lowerRule(ctx, policy, pi, direction, rule, notes)));
  if (rules.length === 0) {
    // Kubernetes isolates the direction even without rules. Cilium enables default deny for a
    // direction whose rule list is non-empty (pkg/policy/api/rule_validation.go Sanitize,
    // EnableDefaultDeny), and an empty rule allows nothing (pkg/policy/rule.go mergeIngress);
    // Cilium's own NetworkPolicy translation uses the same `{}` (pkg/k8s/network_policy.go).
    rules.push({});
    notes.report(`${direction}: isolated with nothing allowed; written as one empty rule \`{}\`, which turns on default deny without allowing anything`);
  }
  return rules;
}

/**
 * kube-router's common ICMP types (`--semantics icmp-essentials`) as one rule without an L3
 * field: to or from every peer (pkg/policy/rule.go merges ICMP fields as ports, with the
 * wildcard selector when no L3 field is set), in each direction every translated policy
 * isolates. Numeric types, which every release reads (names need 1.15).
 */
const icmpEssentialRule: GenericRule = {
  icmps: [
    {
      fields: [
        ...icmpEssentialTypes[4].map((type) => ({ family: 'IPv4' as const, type })),
        ...icmpEssentialTypes[6].map((type) => ({ family: 'IPv6' as const, type })),
      ],
    },
  ],
};

/** The keys of a rule's peers in each direction (toPorts is named alike in both). */
const peerKeys = {
  ingress: { endpoints: 'fromEndpoints', cidrs: 'fromCIDRSet', entities: 'fromEntities' },
  egress: { endpoints: 'toEndpoints', cidrs: 'toCIDRSet', entities: 'toEntities' },
} as const;

// Properties set one by one, in the printed order: spreading conditional objects made and
// copied four throwaway objects per rule.
function directedRule(r: GenericRule, direction: Direction, scope: ReturnType<typeof clusterScope>): Record<string, unknown> {
  const keys = peerKeys[direction];
  const out: Record<string, unknown> = {};
  if (r.endpoints) out[keys.endpoints] = scope(r.endpoints);
  if (r.cidrs) out[keys.cidrs] = r.cidrs;
  if (r.entities) out[keys.entities] = r.entities;
  if (r.toPorts) out['toPorts'] = r.toPorts;
  if (r.icmps) out['icmps'] = r.icmps;
  return out;
}

/**
 * Reports selectors on labels that are not the pods' own in Cilium identities: left out by the
 * label filter (the requirement matches no pod or every pod) or set by Cilium itself. lowerRule
 * leaves such peers out (fail closed).
 */
function checkIdentityLabels(policy: Policy, options: CiliumOptions, notes: { diagnostic(d: Diagnostic): void; report(line: string): void }): void {
  const version = options.ciliumVersion;
  const check = (selector: LabelSelector, kind: 'pod' | 'namespace', at: SourceRef): void => {
    for (const { key, requirement } of droppedRequirements(selector, kind, version)) {
      const checked = rejectedKeyForm(key, version);
      if (checked !== undefined) {
        // The last release that rejects it: a key too long only with the source is fine from 1.20 on.
        const last = rejectedKeyForm(key, ciliumFeatures.sourcelessKeyCheck) === undefined ? '1.19' : '1.20';
        const versions = formatVersion(version) === last ? last : `${formatVersion(version)} to ${last}`;
        notes.diagnostic(ciliumDiagnostic('backend-cilium/label-key-too-long', { key: requirement.key, kind, checked, versions }, at));
        notes.report(`selector on ${kind} label ${requirement.key}: Cilium ${versions} checks the key as ${checked}, too long, and rejects the whole policy (error)`);
        continue;
      }
      if (kind === 'pod' && isCiliumOwnedPodLabel(key)) {
        notes.diagnostic(ciliumDiagnostic('backend-cilium/label-owned-by-cilium', { key }, at));
        notes.report(`selector on pod label ${key}: Cilium sets this key on every pod itself, the requirement does not test the pod's own label there (error)`);
        continue;
      }
      const effect = requirement.operator === 'In' || requirement.operator === 'Exists' ? 'matches no pod' : 'holds for every pod';
      const since = droppedSince(key);
      notes.diagnostic(ciliumDiagnostic('backend-cilium/label-not-in-identity', { key: requirement.key, since, effect }, at));
      notes.report(`selector on ${requirement.key}: Cilium drops this label from identities${since}, the requirement ${effect} there (error)`);
    }
  };
  check(policy.subject, 'pod', refAt(policy.origin, 'spec', 'podSelector'));
  for (const direction of ['ingress', 'egress'] as const) {
    for (const rule of policy[direction] ?? []) {
      if (rule.peers === 'any') continue;
      for (const peer of rule.peers) {
        if (peer.kind !== 'pods') continue;
        check(peer.pods, 'pod', peer.origin);
        if (peer.namespaces.kind === 'selector') check(peer.namespaces.selector, 'namespace', peer.origin);
      }
    }
  }
}
