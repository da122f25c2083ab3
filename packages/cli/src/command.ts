import type { Io } from './io.js';

/** A command-line option in the node:util parseArgs shape, plus help text. */
export interface OptionDef {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly description: string;
  readonly value?: string;
}

/** Parsed flag values. */
export type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** A `netpolc` subcommand. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionDef>>;
  /**
   * Whether `--namespace` is followed with these options: by default only when the cluster is
   * read, which it limits (local files are read whole); matrix and snapshot also keep to it
   * offline. Where it is not, giving it is a usage error (`compile -n x` wrote every namespace).
   */
  readonly namespaceApplies?: (values: Values) => boolean;
  run(io: Io, values: Values, positionals: readonly string[]): Promise<number>;
}

/** Options every command accepts. */
export const commonOptions: Readonly<Record<string, OptionDef>> = {
  inventory: { type: 'string', multiple: true, short: 'i', value: 'PATH', description: 'more input paths (namespaces, pods, nodes); repeatable' },
  'default-namespace': { type: 'string', value: 'NS', description: 'namespace of objects without metadata.namespace (default: default)' },
  'from-cluster': { type: 'boolean', description: 'also read namespaces, nodes, pods, Services and NetworkPolicies from the cluster of the kubeconfig (objects in PATHs replace the cluster\'s of the same kind, namespace and name)' },
  context: { type: 'string', value: 'NAME', description: 'kubeconfig context for --from-cluster (default: current-context)' },
  kubeconfig: { type: 'string', value: 'FILE', description: 'kubeconfig for --from-cluster (default: $KUBECONFIG, ~/.kube/config, or the pod\'s service account)' },
  namespace: { type: 'string', multiple: true, short: 'n', value: 'NS', description: 'only this namespace: --from-cluster reads only its NetworkPolicies (pods of every namespace, as peers live anywhere; diff reads everything and reports the connections of its pods), compile writes only its files (Calico, Cilium), matrix shows only its pods; repeatable' },
  'request-timeout': { type: 'string', value: 'DURATION', description: 'time allowed for each API request of --from-cluster, e.g. 30s, 500ms; 0 for none (default: 60s)' },
  semantics: {
    type: 'string',
    multiple: true,
    value: 'KEY=BOOL',
    description:
      "implementation-defined behaviour: ipblock-matches-pods, ipblock-matches-nodes, node-local-ingress, allow-self (default: true); icmp-essentials: always allow the ICMP messages kube-router admits, echo request among them (default: false)",
  },
  verbose: { type: 'boolean', short: 'v', description: 'also print info diagnostics (skipped objects, ignored pods)' },
  'diagnostics-format': { type: 'string', value: 'text|json', description: 'how diagnostics are printed on stderr (default: text)' },
  color: { type: 'boolean', description: 'force colored output' },
  'no-color': { type: 'boolean', description: 'disable colored output' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
};

/** Renders a command's help text. */
export function commandHelp(cmd: Command): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary, '', 'Options:'];
  const all = { ...cmd.options, ...commonOptions };
  const rows = Object.entries(all).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  for (const [f, d] of rows) lines.push(`  ${f.padEnd(width)}${d}`);
  return lines.join('\n') + '\n';
}
