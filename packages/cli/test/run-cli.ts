import { run } from '../src/main.js';

/** Result of an in-process CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `netpolc argv` in-process, from the repository root, with an optional stdin. */
export async function cli(argv: readonly string[], stdin = '', cwd = new URL('../../..', import.meta.url).pathname): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (t: string) => void (stdout += t), isTTY: false },
    stderr: { write: (t: string) => void (stderr += t), isTTY: false },
    cwd,
    env: {},
    readStdin: async () => new TextEncoder().encode(stdin),
  });
  return { code, stdout, stderr };
}

/** The example's inputs. */
export const example = ['--inventory', 'examples/cluster.yaml', 'examples/policies'];
