import { readStream } from './inputs.js';
import { run } from './main.js';

// The only place that touches the real process: streams, stdin and the exit code.
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
process.exitCode = code;
