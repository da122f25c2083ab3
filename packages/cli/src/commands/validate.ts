import type { Command } from '../command.js';
import { count } from '../count.js';
import { ExitCode } from '../io.js';
import { loadInputs } from '../load.js';

/** `netpolc validate PATH...`: load and validate only. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Load and validate NetworkPolicies and inventory; print located diagnostics. Exit 2 on any error.',
  usage: 'netpolc validate [--inventory PATH]... PATH...',
  options: {},
  async run(io, values, positionals) {
    const { result, ok } = await loadInputs(io, values, positionals);
    if (!ok) return ExitCode.input;
    const p = result.program;
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    const { namespaces, pods, nodes } = p.inventory;
    io.stdout.write(
      `ok: ${count(p.policies.length, 'policy', 'policies')}, ${count(namespaces.length, 'namespace')}, ${count(pods.length, 'pod')}, ${count(nodes.length, 'node')}; 0 errors, ${count(warnings, 'warning')}\n`,
    );
    return ExitCode.ok;
  },
};
