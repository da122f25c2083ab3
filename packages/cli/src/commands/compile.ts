import { statSync, type Stats } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { hasErrors, resolve, type Backend, type EmitResult, type LoadResult } from '@netpolc/ir';
import { backendNames, backends, type BackendName } from '../backends.js';
import type { Command, OptionDef, Values } from '../command.js';
import { count } from '../count.js';
import { ExitCode, OutputError, UsageError, type Io } from '../io.js';
import { realPaths } from '../inputs.js';
import { loadInputs, printDiagnostics } from '../load.js';
import { withDirectoryLock } from '../dir-lock.js';
import { StagedWriter } from '../staged-writer.js';

/**
 * Every backend flag, merged: a flag shared by backends has one type, and its help gives each
 * backend's description (once when they agree).
 */
export function backendFlags(): Record<string, OptionDef> {
  const out: Record<string, OptionDef> = {};
  const said = new Map<string, Map<string, string[]>>();
  for (const name of backendNames) {
    for (const [flag, spec] of Object.entries(backends[name].flags)) {
      const descriptions = said.get(flag) ?? new Map<string, string[]>();
      said.set(flag, descriptions);
      descriptions.set(spec.description, [...(descriptions.get(spec.description) ?? []), name]);
      const parts = [...descriptions].map(([d, users]) => (descriptions.size === 1 ? `${d} (backend${users.length > 1 ? 's' : ''}: ${users.join(', ')})` : `${users.join(', ')}: ${d}`));
      out[flag] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.value ? { value: spec.value } : {}), description: parts.join('; ') };
    }
  }
  return out;
}

function rawFlags(values: Values, backend: Backend<object>, backendName: string): Record<string, string | boolean | string[] | undefined> {
  const raw: Record<string, string | boolean | string[] | undefined> = { 'out-dir': values['out-dir'] as string };
  for (const flag of Object.keys(backendFlags())) {
    if (values[flag] === undefined) continue;
    if (!(flag in backend.flags)) throw new UsageError(`--${flag} is not an option of backend ${backendName}`);
    raw[flag] = values[flag];
  }
  return raw;
}

/** Prints a backend's diagnostics and report; false when they hold errors. */
function report(io: Io, values: Values, result: LoadResult, emitted: EmitResult): boolean {
  printDiagnostics(io, values, result, emitted.diagnostics);
  if (emitted.report) io.stderr.write(emitted.report.endsWith('\n') ? emitted.report : `${emitted.report}\n`);
  return !hasErrors(emitted.diagnostics);
}

/** A path's stat, or undefined when there is nothing to stat (the writer then says why). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** `netpolc compile --backend NAME --out-dir DIR|- PATH...` */
export const compileCommand: Command = {
  name: 'compile',
  summary: `Compile NetworkPolicies for a target (${backendNames.join(', ')}) and write the output files atomically (nothing is written when there are errors).`,
  usage: `netpolc compile --backend ${backendNames.join('|')} --out-dir DIR|- [backend options] [--inventory PATH]... PATH...`,
  options: {
    backend: { type: 'string', short: 'b', value: 'NAME', description: `target: ${backendNames.join(', ')}` },
    'out-dir': { type: 'string', short: 'o', value: 'DIR', description: 'output directory, or - for standard output' },
    ...backendFlags(),
  },
  async run(io, values, positionals) {
    const name = values['backend'] as string | undefined;
    if (!name) throw new UsageError(`--backend is required (${backendNames.join(', ')})`);
    if (!(backendNames as readonly string[]).includes(name)) throw new UsageError(`unknown backend ${name}; choose ${backendNames.join(', ')}`);
    const outDir = values['out-dir'] as string | undefined;
    if (!outDir) throw new UsageError('--out-dir is required (a directory, or - for standard output)');
    // Said before anything is read, in the user's words (the writer's mkdir would say EEXIST).
    const outPath = outDir === '-' ? undefined : resolvePath(io.cwd, outDir);
    const existing = outPath === undefined ? undefined : statOf(outPath);
    if (existing !== undefined && !existing.isDirectory()) throw new UsageError(`--out-dir ${outDir} is a file, not a directory`);
    const backend = backends[name as BackendName] as Backend<object>;
    const limited = values['namespace'] as string[] | undefined;
    if (limited !== undefined && backend.outputScope === 'node') {
      throw new UsageError(`--namespace does not apply to ${name}: a node's ruleset covers every pod of the node, whatever its namespace (--node limits a compile to nodes)`);
    }
    const raw = rawFlags(values, backend, name);
    const parsed = backend.parseOptions(raw);
    const { result, ok, files: inputFiles } = await loadInputs(io, values, positionals, outPath);
    printDiagnostics(io, values, result, parsed.diagnostics);
    if (!ok || hasErrors(parsed.diagnostics)) return ExitCode.input;
    // A per-node compile resolves only the pods of those nodes (other pods stay peers).
    const nodes = (values['node'] as string[] | undefined) ?? [];
    const wanted = new Set(nodes);
    const resolved = resolve(result.program, nodes.length > 0 ? { subjects: (p) => p.nodeName !== undefined && wanted.has(p.nodeName) } : {});
    printDiagnostics(io, values, result, resolved.diagnostics);
    const input = { program: result.program, resolved, ...(limited && limited.length > 0 ? { namespaces: limited } : {}) };
    if (outPath === undefined) {
      const emitted = backend.emit(input, parsed.options);
      if (!report(io, values, result, emitted)) return ExitCode.input;
      if (emitted.files.length !== 1) throw new Error(`backend ${name} returned ${emitted.files.length} files for standard output`);
      io.stdout.write(emitted.files[0]!.content);
      return ExitCode.ok;
    }
    // Files are written while the backend builds the next ones; renamed into place only at the end.
    const writer = new StagedWriter(outPath);
    let emitted: EmitResult;
    try {
      emitted = backend.emit(input, parsed.options, (batch) => writer.addBatch(batch));
      for (const f of emitted.files) writer.add(f);
      if (!report(io, values, result, emitted)) {
        await writer.abort();
        return ExitCode.input;
      }
    } catch (e) {
      await writer.abort();
      throw e;
    }
    // An input file in the output directory under an output's name (an inventory named
    // cluster.yaml, Calico's Tier file) would be replaced silently, and read as input next time.
    const targets = writer.targets();
    const real = realPaths(targets);
    const clobbered = targets.find((_, i) => inputFiles.has(real[i]!));
    if (clobbered !== undefined) {
      await writer.abort();
      throw new OutputError(`${clobbered} is an input of this compile, and the ${name} output has a file of that name: give another --out-dir, or move the input out of it (nothing was written)`);
    }
    // Renames and removals under the directory's lock: a second compile into it waits.
    const owns = emitted.owns;
    const { interrupted, removed } = await withDirectoryLock(outPath, async () => {
      const interrupted = await writer.commit();
      // A file of an earlier compile that this one answers for and did not write (a node's IPv6
      // rules once it has no IPv6 pod) would be loaded by the next reload: it goes.
      return { interrupted, removed: owns ? writer.removeLeftovers(owns) : [] };
    });
    io.stderr.write(`wrote ${count(writer.count, 'file')} to ${outDir}\n`);
    if (interrupted > 0) io.stderr.write(`removed ${count(interrupted, 'temporary file')} that an interrupted compile had left there\n`);
    if (removed.length > 0) {
      const shown = removed.slice(0, 5).join(', ') + (removed.length > 5 ? `, and ${removed.length - 5} more` : '');
      io.stderr.write(`removed ${count(removed.length, 'file')} of an earlier compile that no longer follow${removed.length === 1 ? 's' : ''} from the policies: ${shown}\n`);
    }
    return ExitCode.ok;
  },
};
