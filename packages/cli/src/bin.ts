import { readStream } from './inputs.js';
import { ExitCode } from './io.js';
import { run } from './main.js';

// The only place that touches the real process: streams, stdin and the exit code.

// Standard output that fails: a reader that went away (`| head`, EPIPE) wanted no more, so the
// rest is dropped quietly and the command keeps its exit code; any other failure (a full disk)
// is said once and makes the exit code 2, as for an output directory: never 1, which `diff`
// gives to changes.
let stdoutFailed = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE' || stdoutFailed) return;
  stdoutFailed = true;
  process.stderr.write(`netpolc: could not write to standard output: ${err.message}\n`);
  process.exitCode = ExitCode.input;
});

// Standard error that fails (its reader went away: `2>&1 | head`) has nowhere to say so: the
// rest is dropped and the command keeps its exit code. Node's default, an uncaught 'error' event,
// exited 1, which `diff` gives to "changes found".
process.stderr.on('error', () => {});

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  drained: () =>
    process.stdout.writableNeedDrain
      ? new Promise<void>((done) => {
          // A closed pipe (`| head`) never drains: stop waiting on error or close too.
          const finish = (): void => {
            process.stdout.off('drain', finish).off('error', finish).off('close', finish);
            done();
          };
          process.stdout.once('drain', finish).once('error', finish).once('close', finish);
        })
      : Promise.resolve(),
  readStdin: () => readStream(process.stdin),
});
process.exitCode = stdoutFailed ? ExitCode.input : code;
