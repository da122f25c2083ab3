import { antiSpoofingChecks, dhcpServerPort, type AntiSpoofingCheck } from '@netpolc/ir';
import type { Family, RawTable, Rule } from './model.js';
import { chains, hookComment } from './names.js';
import type { IptablesOptions } from './options.js';
import { comment } from './lower.js';

/**
 * `--pod-interface`: the checks `antiSpoofingChecks` describes (why, there). `rpfilter` is a raw
 * (or mangle) PREROUTING match only, so the raw table gets a chain and a hook of its own.
 */
export function antiSpoofingTable(options: IptablesOptions, family: Family): RawTable | undefined {
  if (options.podInterfaces.length === 0) return undefined;
  const checks = antiSpoofingChecks.filter((c) => c.family === undefined || c.family === family);
  return {
    chains: [{ name: chains.prerouting, rules: options.podInterfaces.flatMap((name) => checks.map((check) => checkRule(name, family, check))) }],
    hooks: [{ chain: 'PREROUTING', position: 1, rule: { matches: [comment(hookComment)], target: { kind: 'jump', chain: chains.prerouting } } }],
  };
}

function checkRule(inInterface: string, family: Family, check: AntiSpoofingCheck): Rule {
  const except = family === 6 && check.exceptIcmpv6 ? { exceptProtocol: 'ipv6-icmp' as const } : {};
  const target = check.verdict === 'accept' ? ({ kind: 'RETURN' } as const) : ({ kind: 'DROP' } as const);
  const unspecified = family === 4 ? '0.0.0.0/32' : '::/128';
  switch (check.match) {
    case 'dhcp-request':
      return { inInterface, source: unspecified, protocol: 'udp', matches: [{ kind: 'ports', ports: [{ from: dhcpServerPort, to: dhcpServerPort }] }, comment(check.comment)], target };
    case 'unspecified-source':
      return { inInterface, source: unspecified, ...except, matches: [comment(check.comment)], target };
    case 'not-routed-back':
      return { inInterface, ...except, matches: [{ kind: 'rpfilter-fails' }, comment(check.comment)], target };
  }
}
