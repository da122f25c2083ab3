import { closest, resolve, selectPodsOf, type ConnectionProtocol } from '@netpolc/ir';
import type { Command } from '../command.js';
import { ExitCode, UsageError, type Io } from '../io.js';
import { count } from '../count.js';
import { loadInputs, printDiagnostics } from '../load.js';
import { parseConnectionProtocol, parsePort } from './parse-connection.js';
import { buildMatrix, groupPods, jsonChunks, markdownLines, selflessDiagonal, tableLines } from './matrix-view.js';

/**
 * Most pods a matrix is built for: its P² cells are held in memory (a JS array slot each, twice
 * when grouping), and 25 000 pods ran a 4 GB heap out of memory. 10 000 is 100M cells, about
 * 0.8 GB, and a table no one reads whole; `--namespace` narrows it. Mutable for tests.
 */
export const matrixLimits = { maxPods: 10_000 };

/** `netpolc matrix`: the reachability truth table between pods. */
export const matrixCommand: Command = {
  name: 'matrix',
  // Offline too: matrix shows only the pods of those namespaces.
  namespaceApplies: () => true,
  summary:
    'Print the reachability truth table between pods: rows are sources, columns destinations. With --port, on that port; without, which ports are allowed.',
  usage: 'netpolc matrix [--port N] [--protocol TCP|UDP|SCTP|ICMP] [--family 4|6] [--format table|json|markdown] [--group auto|always|never] [--namespace NS]... [--inventory PATH]... PATH...',
  options: {
    port: { type: 'string', short: 'p', value: 'N', description: 'destination port (default: all ports)' },
    protocol: { type: 'string', value: 'P', description: 'TCP, UDP or SCTP (default: TCP with --port; all protocols without), or ICMP: echo requests (no --port)' },
    format: { type: 'string', short: 'f', value: 'FMT', description: 'table (default), json or markdown' },
    namespace: { type: 'string', multiple: true, short: 'n', value: 'NS', description: 'only pods of this namespace; repeatable' },
    group: { type: 'string', value: 'auto|always|never', description: 'merge pods with identical rows and columns in table and markdown output (auto: above 40 pods); json lists every pod' },
    family: { type: 'string', value: '4|6', description: 'connections over this address family only (default: IPv4 where both pods have it, else IPv6)' },
  },
  async run(io, values, positionals) {
    const given = parseConnectionProtocol(values['protocol']);
    // An echo request is decided like a connection on port 0: only rules without ports admit it.
    const icmp = given === 'ICMP';
    if (icmp && values['port'] !== undefined) throw new UsageError('--protocol ICMP takes no --port: an echo request has none');
    const port = icmp ? 0 : parsePort(values['port']);
    const protocol: ConnectionProtocol = given ?? 'TCP';
    const format = (values['format'] as string | undefined) ?? 'table';
    if (!['table', 'json', 'markdown'].includes(format)) throw new UsageError(`--format must be table, json or markdown`);
    const group = (values['group'] as string | undefined) ?? 'auto';
    if (!['auto', 'always', 'never'].includes(group)) throw new UsageError('--group must be auto, always or never');
    const familyText = values['family'] as string | undefined;
    if (familyText !== undefined && familyText !== '4' && familyText !== '6') throw new UsageError('--family must be 4 or 6');
    const family = familyText === undefined ? undefined : familyText === '4' ? 4 : 6;
    const { result, ok } = await loadInputs(io, values, positionals);
    if (!ok) return ExitCode.input;
    const resolved = resolve(result.program);
    printDiagnostics(io, values, result, resolved.diagnostics);
    const namespaces = (values['namespace'] as string[] | undefined) ?? [];
    const pods = selectPodsOf(resolved, namespaces);
    const selected = pods.length;
    if (selected > matrixLimits.maxPods) {
      const scope = namespaces.length > 0 ? ` in namespace ${namespaces.join(', ')}` : '';
      throw new UsageError(
        `${selected.toLocaleString('en-US')} pods${scope} would make a matrix of ${(selected * selected).toLocaleString('en-US')} cells; netpolc builds one for at most ${matrixLimits.maxPods.toLocaleString('en-US')} pods. Pick namespaces with --namespace, ask about one connection with explain, or compare two policy sets with diff`,
      );
    }
    const anyProtocol = port === undefined && values['protocol'] === undefined;
    if (family === undefined) {
      // Policies may treat the families differently (an ipBlock is one family): say which one a
      // cell between dual-stack pods shows.
      const dual = pods.filter((p) => new Set(resolved.pods[p]!.addresses.map((a) => a.family)).size > 1).length;
      if (dual > 0) io.stderr.write(`note: ${dual} dual-stack pods: cells between two of them are IPv4 connections; --family 6 shows IPv6\n`);
    }
    if (family !== undefined) {
      // A pod without an address of the family has no such connection at all: its cells read X.
      const without = pods.filter((p) => !resolved.pods[p]!.addresses.some((a) => a.family === family)).length;
      if (without === selected) io.stderr.write(`note: no selected pod has an IPv${family} address: every cell reads X, as there is no such connection\n`);
      else if (without > 0) io.stderr.write(`note: ${count(without, 'pod')} of ${selected} have no IPv${family} address: their cells read X, as there is no such connection\n`);
    }
    if (namespaces.length > 0) {
      const known = new Set(result.program.inventory.namespaces.map((n) => n.name));
      for (const ns of namespaces) {
        if (known.has(ns)) continue;
        const near = closest(ns, known);
        io.stderr.write(`note: namespace ${ns} is not in the inventory${near === undefined ? '' : ` (did you mean ${near}?)`}\n`);
      }
    }
    const view = buildMatrix(resolved, protocol, port, anyProtocol, namespaces, family);
    if (format === 'json') {
      // JSON lists every pod by name (README, `matrix --help`): grouping would change its keys.
      if (group === 'always') io.stderr.write('note: --group does not apply to --format json, which lists every pod\n');
      await writePieces(io, jsonChunks(view, anyProtocol ? null : protocol, icmp ? null : (port ?? null)));
      return ExitCode.ok;
    }
    // Table and markdown group alike: a markdown table of hundreds of pods is no more readable.
    let groups: number[][] | undefined;
    if (group === 'always' || (group === 'auto' && view.labels.length > 40)) {
      groups = groupPods(view, selflessDiagonal(resolved, protocol, port, anyProtocol, namespaces, family));
    }
    await writePieces(io, linesOf(format === 'markdown' ? markdownLines(view, groups) : tableLines(view, groups)));
    return ExitCode.ok;
  },
};

/**
 * Writes output piece by piece, waiting for stdout between pieces: a table of thousands of pods
 * is hundreds of megabytes, beyond the largest string V8 builds.
 */
async function writePieces(io: Io, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    io.stdout.write(piece);
    await io.drained?.();
  }
}

/** Lines in batches of about a megabyte, each line ending in a newline. */
function* linesOf(lines: readonly string[]): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const line of lines) {
    batch.push(line, '\n');
    size += line.length + 1;
    if (size >= 1 << 20) {
      yield batch.join('');
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield batch.join('');
}
