import type { Diagnostic, OptionSpec, RawOptions } from '@netpolc/ir';
import { interfaceNameProblem, logRateUnit, NoTarget, type LogRateUnit } from '@netpolc/ir';
import { iptablesDiagnostic } from './diagnostics.js';

/** What `--log` records. */
export type LogMode = 'none' | 'denied' | 'allowed' | 'all';

/** Options of the iptables backend (from `netpolc compile --backend iptables` flags). */
export interface IptablesOptions {
  /**
   * Nodes to emit files for (`--node`, repeatable).
   * @defaultValue every node of the inventory
   */
  readonly nodes: readonly string[] | undefined;
  /**
   * Match peers through ipsets (`--no-ipset` turns this off: one CIDR per rule).
   * @defaultValue true
   */
  readonly ipset: boolean;
  /**
   * What happens to denied connections (`--deny-action`): DROP, or REJECT with a TCP reset or an
   * ICMP port-unreachable.
   * @defaultValue 'drop'
   */
  readonly denyAction: 'drop' | 'reject';
  /**
   * Which decisions are logged (`--log denied|allowed|all`).
   * @defaultValue 'none'
   */
  readonly log: LogMode;
  /**
   * Logging target (`--log-target log|nflog`).
   * @defaultValue 'log'
   */
  readonly logTarget: 'log' | 'nflog';
  /**
   * NFLOG group (`--nflog-group N`, 0-65535).
   * @defaultValue 0
   */
  readonly nflogGroup: number;
  /**
   * Rate limit of each log rule (`--log-rate N/second|minute|hour|day`), in iptables-save
   * spelling.
   * @defaultValue '10/sec'
   */
  readonly logRate: string;
  /**
   * Pod interfaces of the nodes (`--pod-interface`, repeatable), in iptables spelling (`cali+`),
   * sorted and without duplicates: new connections from IPv6 link-local sources arriving on them
   * and addressed to the node itself are dropped, ICMPv6 excepted.
   * @defaultValue [] (link-local traffic is left to the host)
   */
  readonly podInterfaces: readonly string[];
  /**
   * The CLI asked for standard output (`--out-dir -`): exactly one file must come out.
   * @defaultValue false
   */
  readonly stdout: boolean;
  /**
   * Put one line per node (rules, chains, ipsets, members, bytes) in the result (`--report`).
   * @defaultValue false
   */
  readonly report: boolean;
}

/** Defaults of every option. */
export const defaultOptions: IptablesOptions = Object.freeze({
  nodes: undefined,
  ipset: true,
  denyAction: 'drop',
  log: 'none',
  logTarget: 'log',
  nflogGroup: 0,
  logRate: '10/sec',
  podInterfaces: Object.freeze([]),
  stdout: false,
  report: false,
});

/** Command-line flags of the backend. */
export const flags: Readonly<Record<string, OptionSpec>> = {
  node: { type: 'string', multiple: true, value: 'NAME', description: 'emit files only for this node (repeatable; default: every node of the inventory)' },
  'no-ipset': { type: 'boolean', description: 'match peers with one CIDR per rule instead of ipsets (hosts without ipset)' },
  'deny-action': { type: 'string', value: 'drop|reject', description: 'what happens to denied connections (default drop)' },
  log: { type: 'string', value: 'denied|allowed|all', description: 'log denied and/or allowed connections (rate-limited)' },
  'log-target': { type: 'string', value: 'log|nflog', description: 'LOG (kernel log) or NFLOG (default log)' },
  'nflog-group': { type: 'string', value: 'N', description: 'NFLOG group, 0-65535 (default 0)' },
  'log-rate': { type: 'string', value: 'N/second', description: 'rate limit of each log rule, N/second|minute|hour|day (or s, sec, m, min, h, d; default 10/second)' },
  'pod-interface': {
    type: 'string',
    multiple: true,
    value: 'NAME',
    description:
      "a pod interface of the nodes, a trailing * matching any suffix (cali*, veth*, lxc*; repeatable): each node drops what comes in on these interfaces from a source address not routed back by them (a forged source; raw table PREROUTING), and new non-ICMPv6 connections to itself from IPv6 link-local addresses on them, for every pod (pods that are not egress-isolated keep only the node's other addresses)",
  },
  report: { type: 'boolean', description: 'print one line per node: rules, chains, ipsets and their members, bytes' },
};

/** iptables-save's spelling of each unit, its length in seconds, and the unit. */
const rateUnits: readonly (readonly [string, number, LogRateUnit])[] = [
  ['sec', 1, 'second'],
  ['min', 60, 'minute'],
  ['hour', 3600, 'hour'],
  ['day', 86400, 'day'],
];

/**
 * Parses `N/unit` into iptables-save spelling, normalised to the smallest unit with an integer
 * count as iptables-save prints it (`60/minute` → `1/sec`). The kernel accepts at most 10,000 per
 * second (XT_LIMIT_SCALE).
 */
export function parseRate(text: string): string | undefined {
  const m = /^([1-9]\d{0,8})\/([a-z]+)$/.exec(text.trim());
  if (!m) return undefined;
  const count = Number(m[1]);
  const named = logRateUnit(m[2]!);
  const unit = rateUnits.find(([, , u]) => u === named);
  if (!unit) return undefined;
  const seconds = unit[1];
  if (count / seconds > 10_000) return undefined;
  for (const [name, length] of rateUnits) {
    const n = (count * length) / seconds;
    if (Number.isInteger(n) && n >= 1) return `${n}/${name}`;
  }
  return `${count}/${unit[0]}`;
}

/**
 * An interface name of `--pod-interface` in iptables spelling (`cali*` → `cali+`), or why it is
 * not one: a name both backends can write ({@link interfaceNameProblem}), and no leading `!` or
 * `-`, which iptables would parse as a negation or an option.
 */
export function podInterfaceName(text: string): { readonly name: string } | { readonly problem: string } {
  const problem = interfaceNameProblem(text) ?? (/^[!-]/.test(text) ? 'a leading ! or - would read as an iptables negation or option' : undefined);
  if (problem !== undefined) return { problem };
  return { name: text.endsWith('*') ? `${text.slice(0, -1)}+` : text };
}

function stringFlag(raw: RawOptions, flag: string): string | undefined {
  const v = raw[flag];
  if (v === undefined || typeof v === 'boolean') return undefined;
  return typeof v === 'string' ? v : v[v.length - 1];
}

/** Validates raw CLI flags; bad values become diagnostics and fall back to the defaults. */
export function parseOptions(raw: RawOptions): { readonly options: IptablesOptions; readonly diagnostics: readonly Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const invalid = (flag: string, value: string, expected: string): void => {
    diagnostics.push(iptablesDiagnostic('backend-iptables/invalid-option', { flag, value: JSON.stringify(value), expected }, NoTarget));
  };
  const choice = <T extends string>(flag: string, allowed: readonly T[], fallback: T): T => {
    const v = stringFlag(raw, flag);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    invalid(flag, v, `expected one of ${allowed.join(', ')}`);
    return fallback;
  };

  const nodeFlag = raw['node'];
  const nodes = nodeFlag === undefined || typeof nodeFlag === 'boolean' ? undefined : typeof nodeFlag === 'string' ? [nodeFlag] : [...nodeFlag];
  const denyAction = choice('deny-action', ['drop', 'reject'] as const, defaultOptions.denyAction);
  const log = choice('log', ['denied', 'allowed', 'all'] as const, 'none');
  const logTarget = choice('log-target', ['log', 'nflog'] as const, defaultOptions.logTarget);

  let nflogGroup = defaultOptions.nflogGroup;
  const groupText = stringFlag(raw, 'nflog-group');
  if (groupText !== undefined) {
    if (/^\d{1,5}$/.test(groupText) && Number(groupText) <= 65535) nflogGroup = Number(groupText);
    else invalid('nflog-group', groupText, 'expected an integer 0-65535');
  }
  let logRate = defaultOptions.logRate;
  const rateText = stringFlag(raw, 'log-rate');
  if (rateText !== undefined) {
    const parsed = parseRate(rateText);
    if (parsed) logRate = parsed;
    else invalid('log-rate', rateText, 'expected N/second, N/minute, N/hour or N/day with N >= 1 and at most 10000/second');
  }

  if (log === 'none') {
    for (const flag of ['log-target', 'nflog-group', 'log-rate']) {
      if (raw[flag] !== undefined) diagnostics.push(iptablesDiagnostic('backend-iptables/option-ignored', { flag, reason: 'without --log' }, NoTarget));
    }
  } else if (logTarget !== 'nflog' && groupText !== undefined) {
    diagnostics.push(iptablesDiagnostic('backend-iptables/option-ignored', { flag: 'nflog-group', reason: 'without --log-target nflog' }, NoTarget));
  }

  const podInterfaces = new Set<string>();
  const podFlag = raw['pod-interface'];
  // Fail closed: a ruleset without a rule that was asked for would look protected and not be.
  if (typeof podFlag === 'boolean') invalid('pod-interface', String(podFlag), 'expected an interface name');
  for (const text of podFlag === undefined || typeof podFlag === 'boolean' ? [] : typeof podFlag === 'string' ? [podFlag] : podFlag) {
    const parsed = podInterfaceName(text);
    if ('name' in parsed) podInterfaces.add(parsed.name);
    else invalid('pod-interface', text, parsed.problem);
  }

  const options: IptablesOptions = {
    nodes,
    ipset: raw['no-ipset'] !== true,
    denyAction,
    log,
    logTarget,
    nflogGroup,
    logRate,
    // Sorted, so the files do not depend on the order of the flags.
    podInterfaces: podInterfaces.size === 0 ? defaultOptions.podInterfaces : [...podInterfaces].sort(),
    stdout: raw['out-dir'] === '-',
    report: raw['report'] === true,
  };
  return { options, diagnostics };
}
