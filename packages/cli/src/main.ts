import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closest, InternalError, isDnsLabel } from '@netpolc/ir';
import { commandHelp, commonOptions, type Command, type Values } from './command.js';
import { explainCommand } from './commands/explain.js';
import { matrixCommand } from './commands/matrix.js';
import { validateCommand } from './commands/validate.js';
import { compileCommand } from './commands/compile.js';
import { diffCommand } from './commands/diff.js';
import { snapshotCommand } from './commands/snapshot.js';
import { ClusterError } from './cluster/errors.js';
import { wantsCluster } from './cluster/options.js';
import { ExitCode, InputError, OutputError, UsageError, type Io } from './io.js';

export type { Io } from './io.js';
export { ExitCode } from './io.js';

/** Every subcommand, by name. */
export const commands: Readonly<Record<string, Command>> = {
  matrix: matrixCommand,
  explain: explainCommand,
  validate: validateCommand,
  compile: compileCommand,
  diff: diffCommand,
  snapshot: snapshotCommand,
};

/** The package version, read once from package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length)) + 2;
  const lines = [
    'netpolc: compile Kubernetes NetworkPolicies into firewall rules and CNI policies, and prove them right.',
    '',
    'Usage: netpolc <command> [options] PATH...',
    '',
    'Commands:',
    ...Object.values(commands).map((c) => `  ${c.name.padEnd(width)}${c.summary.split('. ')[0]!.replace(/\.$/, '')}`),
    '',
    'PATH: files, directories (*.yaml, *.yml, *.json, recursively) or - for stdin, holding any mix of',
    'Namespaces, Pods, Nodes and NetworkPolicies (multi-document YAML, JSON, kind: List).',
    '',
    'Run `netpolc <command> --help` for its options. `netpolc --version` prints the version.',
    'Exit codes: 0 ok, 1 findings (diff), 2 bad input or usage, 3 internal error.',
  ];
  return lines.join('\n') + '\n';
}

/** The words that ask for the general help or the version instead of a command. */
const helpOrVersion: readonly string[] = ['--help', '-h', '--version', '-V'];

/**
 * Where the command word is when common options come first: a known command, else the first word
 * that is neither an option nor an option's value (`--diagnostics-format json bogus` names
 * `bogus`, not the option, as unknown).
 */
function commandIndex(argv: readonly string[]): number {
  const known = argv.findIndex((a) => Object.hasOwn(commands, a));
  if (known >= 0) return known;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') return i;
    const flag = a.startsWith('--') ? a.slice(2) : a.slice(1);
    const spec = Object.hasOwn(commonOptions, flag) ? commonOptions[flag] : Object.values(commonOptions).find((o) => o.short === flag);
    if (spec?.type === 'string') i++;
  }
  return -1;
}

/** Runs the CLI in-process and returns the exit code; never calls process.exit. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  // Options before the command (`netpolc --verbose validate p/`, as git and kubectl take them)
  // go after it: every command takes the common ones.
  if (argv[0]?.startsWith('-') && !helpOrVersion.includes(argv[0])) {
    const at = commandIndex(argv);
    if (at > 0) argv = [argv[at]!, ...argv.slice(0, at), ...argv.slice(at + 1)];
    else if (at < 0) {
      // Common options with only --help or --version after them still ask for those.
      const asked = argv.find((a) => helpOrVersion.includes(a));
      if (asked === undefined) {
        const message = `netpolc: no command given, only options (${argv.join(' ')})`;
        io.stderr.write(jsonStderr(argv) ? `${JSON.stringify([{ severity: 'note', message }], null, 2)}\n` : `${message}\n\n${mainHelp()}`);
        return ExitCode.input;
      }
      argv = [asked];
    }
  }
  const [name, ...rest] = argv;
  // `netpolc help diff`, as git takes it: the command's own help.
  const topic = rest[0];
  if (name === 'help' && topic !== undefined && Object.hasOwn(commands, topic)) {
    io.stdout.write(commandHelp(commands[topic]!));
    return ExitCode.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? ExitCode.input : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`netpolc ${version()}\n`);
    return ExitCode.ok;
  }
  // With --diagnostics-format json, stderr is one JSON array, written at the end: every
  // diagnostic of the command once, and its other lines as notes.
  const json = jsonStderr(rest) ? collectJson(io) : undefined;
  try {
    // Own keys only: `netpolc constructor` is no command.
    const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!cmd) {
      const near = closest(name, Object.keys(commands));
      const err = json?.io.stderr ?? io.stderr;
      // The general help only for a reader: a JSON reader gets the one line.
      err.write(`netpolc: unknown command ${JSON.stringify(name)}${near === undefined ? '' : ` (did you mean ${near}?)`}\n${json ? '' : `\n${mainHelp()}`}`);
      return ExitCode.input;
    }
    return await runCommand(cmd, name, rest, json?.io ?? io);
  } finally {
    json?.flush();
  }
}

async function runCommand(cmd: (typeof commands)[string], name: string, rest: readonly string[], io: Io): Promise<number> {
  try {
    let parsed;
    const options = { ...cmd.options, ...commonOptions };
    try {
      parsed = parseArgs({ args: [...rest], options: options as never, allowPositionals: true, strict: true, tokens: true });
    } catch (err) {
      throw new UsageError(parseProblem(err as Error, Object.keys(options)));
    }
    // parseArgs keeps the last of a repeated flag: `-b calico -b cilium` would quietly compile
    // for Cilium only. Only repeatable flags may be given twice.
    const given = new Set<string>();
    for (const t of parsed.tokens) {
      if (t.kind !== 'option' || options[t.name]?.multiple) continue;
      if (given.has(t.name)) throw new UsageError(`--${t.name} is given more than once`);
      given.add(t.name);
    }
    const values = parsed.values as Values;
    if (values['namespace'] !== undefined && !(cmd.namespaceApplies ?? wantsCluster)(values)) {
      throw new UsageError('--namespace needs --from-cluster here: it says which namespaces to read from the cluster (local files are read whole)');
    }
    // Checked here for every command: a namespace also names Calico's output files.
    const defaultNamespace = parsed.values['default-namespace'];
    if (typeof defaultNamespace === 'string' && !isDnsLabel(defaultNamespace)) {
      throw new UsageError(`--default-namespace ${defaultNamespace} is not a valid namespace name: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit (RFC 1123 label)`);
    }
    if (parsed.values['help']) {
      io.stdout.write(commandHelp(cmd));
      return ExitCode.ok;
    }
    return await cmd.run(io, parsed.values as never, parsed.positionals);
  } catch (err) {
    if (err instanceof ClusterError || err instanceof OutputError || err instanceof InputError) {
      io.stderr.write(`netpolc ${name}: ${err.message}\n`);
      return ExitCode.input;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`netpolc ${name}: ${err.message}\nRun \`netpolc ${name} --help\` for usage.\n`);
      return ExitCode.input;
    }
    const kind = err instanceof InternalError ? 'internal error' : 'unexpected error';
    io.stderr.write(
      `netpolc: ${kind}: ${(err as Error)?.stack ?? String(err)}\n\nThis is a bug in netpolc, not in your input. Please report it with the command line and, if you can, the input files.\n`,
    );
    return ExitCode.internal;
  }
}

/**
 * parseArgs's message, with an unknown option's nearest known one (its own message only says how
 * to pass a positional argument that starts with '-').
 */
function parseProblem(err: Error, known: readonly string[]): string {
  const unknown = (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '(--?)([^'=]+)/.exec(err.message) : null;
  if (!unknown) return err.message;
  const near = unknown[1] === '--' ? closest(unknown[2]!, known) : undefined;
  const hint = near !== undefined ? ` (did you mean --${near}?)` : unknown[1] === '-' ? " (a path that starts with '-' goes after '--')" : '';
  return `unknown option ${unknown[1]}${unknown[2]}${hint}`;
}

/** Whether the arguments ask for JSON diagnostics (read before the full parse, which may fail). */
function jsonStderr(args: readonly string[]): boolean {
  const i = args.lastIndexOf('--diagnostics-format');
  const joined = args.findLast((a) => a.startsWith('--diagnostics-format='));
  return (i >= 0 && args[i + 1] === 'json') || joined === '--diagnostics-format=json';
}

/** An Io whose diagnostics and stderr lines are gathered, and `flush` that writes them as one array. */
function collectJson(io: Io): { io: Io; flush(): void } {
  const entries: unknown[] = [];
  const collected: Io = {
    ...io,
    stderr: {
      write: (text: string) => {
        for (const line of text.split('\n')) if (line.trim() !== '') entries.push({ severity: 'note', message: line });
      },
      isTTY: false,
    },
    diagnosticsJson: entries,
  };
  return {
    io: collected,
    flush: () => {
      const seen = new Set<string>();
      const unique = entries.filter((e) => {
        const key = JSON.stringify(e);
        return !seen.has(key) && (seen.add(key), true);
      });
      // Always an array, `[]` too: a consumer parses stderr without first checking it is empty.
      io.stderr.write(JSON.stringify(unique, null, 2) + '\n');
    },
  };
}
