// Inputs shared by golden, round-trip and schema tests: the corpus and the repository examples.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram, resolve, type BackendInput, type LoadResult } from '@netpolc/ir';
import { corpusCases } from '@netpolc/ir/testing';

/** Repository root. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** `examples/cluster.yaml` + `examples/policies/*.yaml`, as the README's CLI example loads them. */
export function loadExamples(): LoadResult {
  const dir = join(repoRoot, 'examples');
  const files = ['cluster.yaml', ...readdirSync(join(dir, 'policies')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `policies/${f}`)];
  return loadProgram(files.map((f) => ({ path: `examples/${f}`, content: readFileSync(join(dir, f)) })));
}

/** Every valid input the tests run: corpus cases (not `_error_`) and the examples. */
export function validInputs(): { name: string; loaded: LoadResult; input: BackendInput }[] {
  const out = corpusCases()
    .filter((c) => !c.expectError)
    .map((c) => ({ name: c.name, loaded: c.load() }));
  out.push({ name: 'examples', loaded: loadExamples() });
  return out.map((x) => ({ ...x, input: { program: x.loaded.program, resolved: resolve(x.loaded.program) } }));
}
