import type { Values } from '../command.js';
import { UsageError } from '../io.js';
import { isDnsLabel } from '@netpolc/ir';

/** How to reach and read the cluster, from the command line. */
export interface ClusterOptions {
  /** `--context`: kubeconfig context; the kubeconfig's current-context when absent. */
  readonly context: string | undefined;
  /** `--kubeconfig`: one file, taking precedence over `KUBECONFIG` and `~/.kube/config`. */
  readonly kubeconfig: string | undefined;
  /** `--namespace`: only these namespaces' NetworkPolicies (see namespaceLimit); all when empty. */
  readonly namespaces: readonly string[];
  /**
   * What `namespaces` limits the read to. By default their NetworkPolicies, with the pods and
   * Services of every namespace: what policies mean depends on their peers anywhere (which pods an
   * ipBlock covers, a named port's numbers, whose address an IP is); reading the selected
   * namespaces' pods alone once made a Cilium compile wider and a diff miss changes. `none`:
   * everything, the namespaces only filtering what is reported (diff: a change of their policies
   * changes connections with pods elsewhere, whose own policies decide the other side).
   */
  readonly namespaceLimit?: 'policies' | 'none';
  /**
   * `--request-timeout`: milliseconds allowed for each API request (one page); 0 for none.
   * @defaultValue 60000
   */
  readonly requestTimeoutMs: number;
  /**
   * Objects per page (`limit`). kubectl uses 500 (`--chunk-size` default).
   * @defaultValue 500
   */
  readonly pageSize: number;
  /** `--verbose`: print a summary of what was read even when stderr is not a terminal. */
  readonly verbose: boolean;
}

/** Default of `--request-timeout`. */
export const defaultRequestTimeoutMs = 60_000;
/** The longest delay a Node timer takes. */
const maxTimerMs = 2 ** 31 - 1;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration as kubectl's `--request-timeout` does: a bare integer is seconds, otherwise
 * a Go-style duration such as `500ms`, `30s`, `1m30s`; `0` disables the timeout.
 */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0));
}

/** Whether the command line asks for the live cluster. */
export function wantsCluster(values: Values): boolean {
  return values['from-cluster'] === true;
}

/**
 * Reads the cluster options of a command line. Cluster-only flags without `--from-cluster` are a
 * usage error rather than silently ignored.
 */
export function clusterOptions(values: Values, implied = false): ClusterOptions {
  if (!implied && !wantsCluster(values)) {
    for (const flag of ['context', 'kubeconfig', 'request-timeout']) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --from-cluster`);
    }
  }
  const timeoutText = values['request-timeout'] as string | undefined;
  let requestTimeoutMs = defaultRequestTimeoutMs;
  if (timeoutText !== undefined) {
    const parsed = parseDuration(timeoutText);
    if (parsed === undefined) throw new UsageError(`--request-timeout ${timeoutText}: expected seconds or a duration such as 500ms, 30s, 2m`);
    // Node's timers hold 2^31-1 ms (about 24.8 days); a longer one fires at once, with a warning.
    if (parsed > maxTimerMs) throw new UsageError(`--request-timeout ${timeoutText}: at most ${Math.floor(maxTimerMs / 1000)}s (about 24 days); 0 for none`);
    requestTimeoutMs = parsed;
  }
  const namespaces = [...new Set((values['namespace'] as string[] | undefined) ?? [])].sort();
  for (const ns of namespaces) {
    if (!isDnsLabel(ns)) throw new UsageError(`--namespace ${JSON.stringify(ns)} is not a valid namespace name`);
  }
  const context = values['context'] as string | undefined;
  if (context === '') throw new UsageError('--context needs a context name');
  return {
    context,
    kubeconfig: values['kubeconfig'] as string | undefined,
    namespaces,
    requestTimeoutMs,
    pageSize: 500,
    verbose: values['verbose'] === true,
  };
}
