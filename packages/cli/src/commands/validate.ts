import type { Command } from '../command.js';
import { count } from '../count.js';
import { ExitCode } from '../io.js';
import { hasErrors, resolve, type Diagnostic } from '@netpolc/ir';
import { loadInputs, printDiagnostics } from '../load.js';

/** `netpolc validate PATH...`: load, validate and resolve; writes nothing. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Load and validate NetworkPolicies and inventory, and resolve them against it; print located diagnostics. Exit 2 on any error.',
  usage: 'netpolc validate [--inventory PATH]... PATH...',
  options: {},
  async run(io, values, positionals) {
    const { result, ok } = await loadInputs(io, values, positionals);
    // Counted as printed: a diagnostic repeated at one place (a List read again whole) is printed
    // once, so it counts once.
    const tally = (ds: readonly Diagnostic[]): string => {
      const seen = new Set<string>();
      // Infos are not counted, so not located: a dump with 20 000 pending pods has as many.
      const counted = ds.filter((d) => d.severity !== 'info');
      const places = result.locateAll(counted.map((d) => d.target));
      const shown = counted.filter((d, i) => {
        const at = places[i];
        const key = `${d.severity} ${d.code} ${d.message} ${at ? `${at.file}:${at.line}:${at.column}` : ''}`;
        return !seen.has(key) && seen.add(key) !== undefined;
      });
      return `${count(shown.filter((d) => d.severity === 'error').length, 'error')}, ${count(shown.filter((d) => d.severity === 'warning').length, 'warning')}`;
    };
    if (!ok) {
      io.stderr.write(`failed: ${tally(result.diagnostics)}\n`);
      return ExitCode.input;
    }
    const p = result.program;
    // Some problems show only against the inventory (a named port no selected pod declares, an
    // ipBlock's named port): every other command reports them, so a CI gate on validate must too.
    const resolved = resolve(p);
    printDiagnostics(io, values, result, resolved.diagnostics);
    const all = [...result.diagnostics, ...resolved.diagnostics];
    if (hasErrors(resolved.diagnostics)) {
      io.stderr.write(`failed: ${tally(all)}\n`);
      return ExitCode.input;
    }
    const { namespaces, pods, nodes, services } = p.inventory;
    // Services are named only when read: inventories without them print as before.
    const read = services ? `, ${count(services.length, 'Service')}` : '';
    io.stdout.write(
      `ok: ${count(p.policies.length, 'policy', 'policies')}, ${count(namespaces.length, 'namespace')}, ${count(pods.length, 'pod')}, ${count(nodes.length, 'node')}${read}; ${tally(all)}\n`,
    );
    return ExitCode.ok;
  },
};
