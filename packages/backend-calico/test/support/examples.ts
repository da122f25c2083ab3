// The repository's examples/ (cluster.yaml + policies/) as a program.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasErrors, loadProgram, type InputSource, type Program } from '@netpolc/ir';

/** The examples/ directory at the repository root. */
export const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../examples');

/** Input files of the examples, with paths relative to examples/. */
export function exampleSources(): InputSource[] {
  const policies = readdirSync(join(examplesDir, 'policies')).filter((f) => f.endsWith('.yaml')).sort();
  return [
    { path: 'cluster.yaml', content: readFileSync(join(examplesDir, 'cluster.yaml')) },
    ...policies.map((f) => ({ path: `policies/${f}`, content: readFileSync(join(examplesDir, 'policies', f)) })),
  ];
}

/** The examples, loaded (they must be valid). */
export function examplesProgram(): Program {
  const r = loadProgram(exampleSources());
  if (hasErrors(r.diagnostics)) throw new Error(`examples have errors: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.program;
}
