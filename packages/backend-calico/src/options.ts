import { isDnsLabel, NoTarget, type Diagnostic, type OptionSpec, type RawOptions } from '@netpolc/ir';
import { calicoDiagnostic } from './diagnostics.js';
import { adminTiers, builtinTiers } from './model.js';

/** What to log with Calico `Log` rules. */
export type LogMode = 'none' | 'denied' | 'allowed' | 'all';

/** Options of the calico backend. */
export interface CalicoOptions {
  /**
   * Tier of the emitted policies. A tier other than the built-in ones is emitted as a `Tier`
   * object with `defaultAction: Pass`.
   * @defaultValue "default"
   */
  readonly tier: string;
  /**
   * `order` of the emitted Tier (only for a tier that is not built in). Between kube-admin (1,000)
   * and default (1,000,000) by default, where Kubernetes NetworkPolicies sit in the upstream
   * policy model.
   * @defaultValue 500000
   */
  readonly tierOrder: number;
  /**
   * `order` of every translated policy (Calico's own conversion uses 1000).
   * @defaultValue 1000
   */
  readonly order: number;
  /**
   * Prefix of every emitted policy name: lower-case letters, digits and `-` (no dot).
   * @defaultValue ""
   */
  readonly namePrefix: string;
  /**
   * Log denied and/or allowed connections.
   * @defaultValue "none"
   */
  readonly log: LogMode;
  /**
   * Dry run: what the policies would deny is logged and then let through.
   * @defaultValue false
   */
  readonly audit: boolean;
  /**
   * Put a migration report in the result.
   * @defaultValue false
   */
  readonly report: boolean;
  /**
   * One output file (a multi-document stream) instead of one per namespace.
   * @defaultValue false
   */
  readonly stdout: boolean;
}

/** Defaults of every option. */
export const defaultOptions: CalicoOptions = Object.freeze({
  tier: 'default',
  tierOrder: 500_000,
  order: 1000,
  namePrefix: '',
  log: 'none',
  audit: false,
  report: false,
  stdout: false,
});

/** Command-line flags of the backend. */
export const flags: Readonly<Record<string, OptionSpec>> = {
  tier: { type: 'string', value: 'NAME', description: 'Calico tier of the policies (default: default); another tier is emitted with defaultAction Pass' },
  'tier-order': { type: 'string', value: 'N', description: 'order of an emitted Tier (default 500000, between kube-admin and default)' },
  order: { type: 'string', value: 'N', description: 'order of the translated policies within their tier (default 1000)' },
  'name-prefix': { type: 'string', value: 'PREFIX', description: 'prefix of every emitted policy name: letters, digits and - (default none)' },
  log: { type: 'string', value: 'denied|allowed|all', description: 'log denied and/or allowed connections (Calico Log rules)' },
  audit: { type: 'boolean', description: 'dry run: log what the policies would deny, then let it through' },
  report: { type: 'boolean', description: 'print a migration report of what changes in meaning' },
};

function stringFlag(raw: RawOptions, flag: string): string | undefined {
  const v = raw[flag];
  if (v === undefined || typeof v === 'boolean') return undefined;
  return typeof v === 'string' ? v : v[v.length - 1];
}

function booleanFlag(raw: RawOptions, flag: string): boolean {
  const v = raw[flag];
  return v === true || v === 'true';
}

/** Validates raw CLI flags; bad values become diagnostics and fall back to the defaults. */
export function parseOptions(raw: RawOptions): { readonly options: CalicoOptions; readonly diagnostics: readonly Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const invalid = (flag: string, value: string, reason: string): void => {
    diagnostics.push(calicoDiagnostic('backend-calico/invalid-option', { flag, value: JSON.stringify(value), reason }, NoTarget));
  };
  const number = (flag: string, fallback: number): number => {
    const v = stringFlag(raw, flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    // Calico orders are float64; keep them where n + 1 is still a different number.
    if (v.trim() === '' || !Number.isFinite(n) || Math.abs(n) >= 2 ** 52) {
      invalid(flag, v, 'expected a finite number below 2^52');
      return fallback;
    }
    return n;
  };

  let tier = stringFlag(raw, 'tier') ?? defaultOptions.tier;
  // Tier names become the prefix of policy names (`<tier>.<name>`), so they must be DNS labels.
  if (!isDnsLabel(tier)) {
    invalid('tier', tier, 'expected a DNS label (lower-case letters, digits and -, at most 63 characters)');
    tier = defaultOptions.tier;
  } else if (tier === 'ossg') {
    // Calico takes names starting with ossg. for OpenStack policies of the default tier and does
    // not read their tier from the name (libcalico-go/lib/names/policy.go policyNameIsFormatted).
    invalid('tier', tier, 'reserved: Calico reads policy names starting with ossg. as OpenStack security groups of the default tier');
    tier = defaultOptions.tier;
  }
  const tierOrder = number('tier-order', defaultOptions.tierOrder);
  if (stringFlag(raw, 'tier-order') !== undefined && tier in builtinTiers) {
    diagnostics.push(calicoDiagnostic('backend-calico/ignored-option', { flag: 'tier-order', reason: `tier ${tier} is built in with order ${builtinTiers[tier]!.order}` }, NoTarget));
  } else if (!(tier in builtinTiers) && tierOrder >= builtinTiers['default']!.order) {
    // Felix orders tiers by order, then name (felix/calc/policy_sorter.go TierLess).
    diagnostics.push(calicoDiagnostic('backend-calico/tier-after-default', { tier, order: tierOrder, defaultOrder: builtinTiers['default']!.order }, NoTarget));
  }
  const order = number('order', defaultOptions.order);

  let namePrefix = stringFlag(raw, 'name-prefix') ?? defaultOptions.namePrefix;
  // The only dot Calico allows in a policy name is the one after the tier (names.ts).
  if (namePrefix !== '' && !/^[a-z0-9][-a-z0-9]*$/.test(namePrefix)) {
    invalid('name-prefix', namePrefix, 'expected lower-case letters, digits and -, starting with a letter or digit: a Calico policy name holds no dot but the one after its tier');
    namePrefix = defaultOptions.namePrefix;
  }

  let log: LogMode = defaultOptions.log;
  const logValue = stringFlag(raw, 'log');
  if (logValue !== undefined) {
    if (logValue === 'denied' || logValue === 'allowed' || logValue === 'all' || logValue === 'none') log = logValue;
    else invalid('log', logValue, 'expected one of denied, allowed, all');
  }

  if (adminTiers.has(tier)) {
    diagnostics.push(calicoDiagnostic('backend-calico/reserved-tier', { tier, order: builtinTiers[tier]!.order }, NoTarget));
  }

  return {
    options: {
      tier,
      tierOrder,
      order,
      namePrefix,
      log,
      audit: booleanFlag(raw, 'audit'),
      report: booleanFlag(raw, 'report'),
      stdout: raw['out-dir'] === '-',
    },
    diagnostics,
  };
}
