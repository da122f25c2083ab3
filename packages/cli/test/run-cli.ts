import { readStream } from '../src/inputs.js';
import { run } from '../src/main.js';

/** Bytes in chunks of `size`, as a stream gives them. */
export async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

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
    // Through the CLI's own stream reading, in chunks as a pipe gives them.
    readStdin: () => readStream(chunks(new TextEncoder().encode(stdin), 7 * 1024)),
  });
  return { code, stdout, stderr };
}

/** The example's inputs. */
export const example = ['--inventory', 'examples/cluster.yaml', 'examples/policies'];
