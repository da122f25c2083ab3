// The --report text: what was emitted and what, if anything, changes in meaning.
import type { Program } from '@netpolc/ir';
import type { Lowered } from './lower.js';
import type { CalicoOptions } from './options.js';

/** A short human-readable migration report. */
export function migrationReport(program: Program, options: CalicoOptions, lowered: Lowered): string {
  const policies = lowered.objects.filter((o) => o.kind === 'NetworkPolicy').length - lowered.isolationCount;
  const namespaces = new Set(program.policies.map((p) => p.namespace)).size;
  const tier = lowered.objects.find((o) => o.kind === 'Tier');
  const lines: string[] = ['calico migration report'];
  lines.push(`  ${program.policies.length} NetworkPolicies in ${namespaces} namespaces -> ${policies} Calico NetworkPolicies (tier ${options.tier}, order ${options.order})`);
  if (tier) lines.push(`  Tier ${options.tier}: order ${options.tierOrder}, defaultAction Pass (traffic the tier does not decide goes on to later tiers)`);
  if (lowered.splits.length > 0) {
    // The policy-split infos show only with --verbose; the objects applied should not surprise.
    const named = lowered.splits.slice(0, 5).map((s) => `${s.policy} (${s.parts})`);
    const more = lowered.splits.length > 5 ? `, and ${lowered.splits.length - 5} more` : '';
    lines.push(`  ${lowered.splits.length} of them with a pod selector over Calico's 1024 characters, each written as several policies with the same rules: ${named.join(', ')}${more}`);
  }
  if (lowered.isolationCount > 0) lines.push(`  ${lowered.isolationCount} isolation policies (no order, evaluated last in the tier), one per namespace and direction`);
  const logging = [options.log === 'allowed' || options.log === 'all' ? 'allowed connections are logged (Log before each Allow)' : '', options.audit ? 'AUDIT: what the policies would deny is logged, then let through' : options.log === 'denied' || options.log === 'all' ? 'denied connections are logged, then denied' : ''].filter((s) => s !== '');
  lines.push(`  logging: ${logging.length > 0 ? logging.join('; ') : 'none'}`);
  lines.push('changes in meaning:');
  const changes: string[] = [];
  if (options.audit) changes.push('nothing is denied: this is a dry run; remove --audit to enforce');
  if (options.audit && lowered.tierDefaultAction === 'Deny') changes.push('in the default tier the audit policies also let through what live Kubernetes NetworkPolicies (knp.default.*) would deny for the same pods; audit in a tier of your own (--tier) to keep them enforcing');
  if (lowered.tierDefaultAction === 'Pass' && !options.audit) changes.push(`traffic of isolated pods is decided in tier ${options.tier}: policies of later tiers (the default tier, live knp.default.* policies) cannot allow more for those pods, nor deny what these policies allow`);
  // Their Allow ends the evaluation (Felix: Allow is terminal) before any later tier sees it.
  if (lowered.tierDefaultAction === 'Pass' && options.audit) changes.push(`what these policies allow is allowed in tier ${options.tier}: policies of later tiers (the default tier, live knp.default.* policies) cannot deny it; the rest passes on to them`);
  if (changes.length === 0) changes.push('none: the policies are Allow-only in the default tier at the order Calico gives Kubernetes NetworkPolicies, so the union with every other policy of the tier holds');
  for (const c of changes) lines.push(`  - ${c}`);
  lines.push('as in Kubernetes (Calico behaviour, kept): ipBlocks also match pod addresses; traffic from a pod\'s own node and to itself is always allowed; rules without ports match every protocol');
  // Peers carry projectcalico.org/orchestrator == 'k8s' (lower-selector.ts); the pcns. caveat is
  // felix's label inheritance: an endpoint's own labels win over its profile's
  // (felix/labelindex/endpoint_data.go GetHandle).
  lines.push("Calico-only: peers select Kubernetes pods only (projectcalico.org/orchestrator == 'k8s', as Calico's own conversion), never host endpoints or NetworkSets; a pod labelled pcns.<key> itself would be judged by that label by namespace selectors on <key>: such selectors are refused when an inventory pod has one");
  return `${lines.join('\n')}\n`;
}
