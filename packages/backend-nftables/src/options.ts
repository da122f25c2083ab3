import { interfaceNameProblem, logRateUnit, NoTarget, type Diagnostic, type OptionSpec, type RawOptions } from '@netpolc/ir';
import { nftablesDiagnostic } from './diagnostics.js';
import type { RateUnit } from './model.js';

/** Options of the nftables backend, validated from command-line flags. */
export interface NftablesOptions {
  /**
   * Nodes whose rulesets are written; empty means every node (of the inventory or named by a
   * pod).
   * @defaultValue []
   */
  readonly nodes: readonly string[];
  /**
   * What a denied first packet gets: silently dropped, or rejected (TCP reset, otherwise ICMP
   * port unreachable) so that clients fail fast.
   * @defaultValue 'drop'
   */
  readonly denyAction: 'drop' | 'reject';
  /**
   * Which decisions are logged (kernel log, `log prefix "netpolc ..."`), each rate-limited.
   * @defaultValue 'none'
   */
  readonly log: 'none' | 'denied' | 'allowed' | 'all';
  /**
   * Rate limit of every log statement (`limit rate N/unit`).
   * @defaultValue { rate: 10, unit: 'second' }
   */
  readonly logRate: { readonly rate: number; readonly unit: RateUnit };
  /**
   * Put a `counter` on every rule that decides (accept, return, drop, reject).
   * @defaultValue false
   */
  readonly counters: boolean;
  /**
   * Names of the pods' interfaces on the nodes (`cali*`, `lxc*`: a trailing `*` is a prefix),
   * sorted and distinct. Non-empty, every node drops new non-ICMPv6 connections to itself from
   * an IPv6 link-local source on these interfaces, whichever pod sent them (and, when the profile
   * checks node-local ingress, the node's own to link-local destinations on them).
   * @defaultValue []
   */
  readonly podInterfaces: readonly string[];
  /**
   * Write to standard output (`--out-dir -`): exactly one node must be selected.
   * @defaultValue false
   */
  readonly stdout: boolean;
}

/** The defaults (every node, drop, no logging, no counters, files). */
export const defaultOptions: NftablesOptions = Object.freeze({
  nodes: Object.freeze([]),
  denyAction: 'drop',
  log: 'none',
  logRate: Object.freeze({ rate: 10, unit: 'second' }),
  counters: false,
  podInterfaces: Object.freeze([]),
  stdout: false,
});

/** Command-line flags of the backend (kebab-case names, passed raw by the CLI). */
export const nftablesFlags: Readonly<Record<string, OptionSpec>> = {
  node: { type: 'string', multiple: true, value: 'NAME', description: 'write only the ruleset of this node (repeatable; default: every node)' },
  'deny-action': { type: 'string', value: 'drop|reject', description: 'what denied traffic gets: drop (default) or reject (TCP reset / ICMP port unreachable)' },
  log: { type: 'string', value: 'denied|allowed|all', description: 'log denied and/or allowed new connections (rate-limited, prefix "netpolc ...")' },
  'log-rate': { type: 'string', value: 'N/UNIT', description: 'rate limit of log statements, N/second|minute|hour|day (or s, sec, m, min, h, d), e.g. 10/second (default), 100/minute' },
  counters: { type: 'boolean', description: 'add a counter to every deciding rule' },
  'pod-interface': {
    type: 'string',
    multiple: true,
    value: 'NAME',
    description:
      "the pods' interfaces on the nodes, a trailing * a prefix (cali*, veth*, lxc*; repeatable): drop what comes in on them from a source address not routed back by that interface (a forged source); drop new non-ICMPv6 connections to the node from IPv6 link-local sources on them, for every pod (pods that are not egress-isolated keep only the node's global addresses)",
  },
};

const rateUnits: readonly RateUnit[] = ['second', 'minute', 'hour', 'day'];

/** Validates raw flags; every problem is a diagnostic and the defaults fill in. */
export function parseNftablesOptions(raw: RawOptions): { readonly options: NftablesOptions; readonly diagnostics: readonly Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const bad = (flag: string, value: unknown, expected: string): void => {
    diagnostics.push(nftablesDiagnostic('backend-nftables/invalid-option', { flag, value: JSON.stringify(value), expected }, NoTarget));
  };
  const text = (flag: string): string | undefined => {
    const v = raw[flag];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    bad(flag, v, 'expected a single string value');
    return undefined;
  };

  const nodeRaw = raw['node'];
  const nodes: string[] = [];
  if (typeof nodeRaw === 'string') nodes.push(nodeRaw);
  else if (Array.isArray(nodeRaw)) nodes.push(...(nodeRaw as readonly string[]));
  else if (nodeRaw !== undefined) bad('node', nodeRaw, 'expected node names');

  let denyAction = defaultOptions.denyAction;
  const deny = text('deny-action');
  if (deny !== undefined) {
    if (deny === 'drop' || deny === 'reject') denyAction = deny;
    else bad('deny-action', deny, 'expected drop or reject');
  }

  let log = defaultOptions.log;
  const logText = text('log');
  if (logText !== undefined) {
    if (logText === 'denied' || logText === 'allowed' || logText === 'all') log = logText;
    else bad('log', logText, 'expected denied, allowed or all');
  }

  let logRate = defaultOptions.logRate;
  const rateText = text('log-rate');
  if (rateText !== undefined) {
    const m = /^([1-9]\d{0,8})\/([a-z]+)$/.exec(rateText);
    const unit = m ? logRateUnit(m[2]!) : undefined;
    if (m && unit) logRate = { rate: Number(m[1]), unit };
    else bad('log-rate', rateText, `expected N/UNIT with N a positive integer and UNIT one of ${rateUnits.join(', ')} (or s, sec, m, min, h, d)`);
    if (log === 'none') diagnostics.push(nftablesDiagnostic('backend-nftables/log-rate-without-log', {}, NoTarget));
  }

  const countersRaw = raw['counters'];
  let counters = defaultOptions.counters;
  if (typeof countersRaw === 'boolean') counters = countersRaw;
  else if (countersRaw !== undefined) bad('counters', countersRaw, 'expected a flag without value');

  const interfaceRaw = raw['pod-interface'];
  const podInterfaces: string[] = [];
  const interfaces = typeof interfaceRaw === 'string' ? [interfaceRaw] : Array.isArray(interfaceRaw) ? (interfaceRaw as readonly unknown[]) : [];
  if (interfaceRaw !== undefined && typeof interfaceRaw !== 'string' && !Array.isArray(interfaceRaw)) bad('pod-interface', interfaceRaw, 'expected interface names');
  for (const name of interfaces) {
    const problem = typeof name === 'string' ? interfaceNameProblem(name) : 'expected an interface name';
    // Fail closed: a ruleset without a rule the user asked for would look protected and not be.
    if (problem === undefined) podInterfaces.push(name as string);
    else bad('pod-interface', name, problem);
  }

  const options: NftablesOptions = {
    nodes: [...new Set(nodes)].sort(),
    denyAction,
    log,
    logRate,
    counters,
    podInterfaces: [...new Set(podInterfaces)].sort(),
    stdout: raw['out-dir'] === '-',
  };
  return { options, diagnostics };
}
