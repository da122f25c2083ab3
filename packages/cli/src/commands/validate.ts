import type { Command } from '../command.js';
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
    io.stdout.write(
      `ok: ${p.policies.length} policies, ${p.inventory.namespaces.length} namespaces, ${p.inventory.pods.length} pods, ${p.inventory.nodes.length} nodes; 0 errors, ${warnings} warnings\n`,
    );
    return ExitCode.ok;
  },
};
