import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Result of a finished command. */
export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Firewall and network tools the kernel tests need (toolchain.md §6). */
export const requiredTools = ['ip', 'iptables', 'iptables-legacy', 'iptables-nft', 'ipset', 'nft'] as const;

// sbin directories are often missing from a non-root PATH (and from some CI shells).
const extraDirs = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** PATH for child processes: the caller's PATH plus the sbin directories. */
export const childPath = [...(process.env['PATH'] ?? '').split(delimiter), ...extraDirs]
  .filter((dir, index, all) => dir !== '' && all.indexOf(dir) === index)
  .join(delimiter);

/** Environment for child processes (`ip netns exec` resolves argv[0] through PATH). */
export const childEnv: NodeJS.ProcessEnv = { ...process.env, PATH: childPath };

/** Absolute path of an executable on {@link childPath}, or undefined. */
export function findExecutable(name: string, dirs: readonly string[] = childPath.split(delimiter)): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The Python interpreter. The distribution's `/usr/bin/python3` comes first: version-manager
 * shims on PATH (pyenv) cost ~200 ms per start, the real binary ~20 ms.
 */
export function findPython(): string | undefined {
  return findExecutable('python3', ['/usr/bin', ...childPath.split(delimiter)]);
}

/** `ip`, resolved once. */
export function ipCommand(): string {
  return findExecutable('ip') ?? 'ip';
}

/** Path of a file shipped in the package's `probe/` directory (sibling of `src/` and `dist/`). */
export function probeFile(name: string): string {
  return fileURLToPath(new URL(`../probe/${name}`, import.meta.url));
}

/** Runs a command synchronously; spawn failures become status 127 with the reason on stderr. */
export function runCommand(
  file: string,
  args: readonly string[],
  input?: string,
  timeoutMs = 120_000,
): CommandResult {
  const result = spawnSync(file, args, {
    input: input ?? '',
    encoding: 'utf8',
    env: childEnv,
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (result.error !== undefined) {
    return { status: 127, stdout: result.stdout ?? '', stderr: `${file}: ${result.error.message}` };
  }
  const status = result.status ?? 128 + 9;
  return { status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `python3 -I -S probe/<script>` with JSON on stdin and returns its parsed JSON answer. */
export function runPython(script: string, request: unknown, timeoutMs = 120_000): unknown {
  const python = findPython();
  if (python === undefined) throw new Error('python3 not found');
  // -I: ignore the environment and user site; -S: skip site (faster start, stdlib only);
  // -B: write no __pycache__ into the package.
  const result = runCommand(python, ['-I', '-S', '-B', probeFile(script)], JSON.stringify(request), timeoutMs);
  if (result.status !== 0) {
    throw new Error(`probe/${script} failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout === '' ? undefined : (JSON.parse(result.stdout) as unknown);
}
