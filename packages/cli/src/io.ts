import type { ByteSource } from '@netpolc/ir';

/** Everything a command may touch outside the process; tests pass an in-memory version. */
export interface Io {
  readonly stdout: { write(text: string): void; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): void; readonly isTTY?: boolean };
  /** Standard input: its bytes, or a source of them when it is too large to hold ({@link readStream}). */
  readStdin(): Promise<Uint8Array | ByteSource>;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Resolves once standard output has taken what was written (a pipe to a slow reader buffers
   * in memory otherwise). Commands that print hundreds of megabytes await it between pieces.
   */
  drained?(): Promise<void>;
  /** With `--diagnostics-format json`: where diagnostics go, to be written as one array at the end. */
  readonly diagnosticsJson?: unknown[];
}

/** Exit codes: findings are 1 (diff), bad input or usage 2, internal errors 3. */
export const ExitCode = { ok: 0, findings: 1, input: 2, internal: 3 } as const;

/** A user error that aborts the command with exit code 2 and a pointer to the command's help (bad usage). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An input could not be read (a missing or unreadable path, a file that changed while read): exit code 2, without a usage hint. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The output could not be written (a path that is not a directory, no permission, a full disk): exit code 2. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}
