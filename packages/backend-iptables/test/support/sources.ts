// Inputs and golden bundles shared by the golden, kernel and reload tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram, type EmitFile, type LoadResult, type RawOptions } from '@netpolc/ir';

/** Repository root. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Directory of this package's goldens. */
export const goldenDir = fileURLToPath(new URL('../golden/', import.meta.url));

/** `examples/cluster.yaml` + `examples/policies/*.yaml`, as the README's CLI example loads them. */
export function loadExamples(): LoadResult {
  const dir = join(repoRoot, 'examples');
  const files = ['cluster.yaml', ...readdirSync(join(dir, 'policies')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `policies/${f}`)];
  return loadProgram(files.map((f) => ({ path: `examples/${f}`, content: readFileSync(join(dir, f)) })));
}

/** Golden variants of the examples: name suffix and backend flags. */
export const exampleVariants: readonly { readonly name: string; readonly flags: RawOptions }[] = [
  { name: 'examples', flags: {} },
  { name: 'examples.no-ipset', flags: { 'no-ipset': true } },
  { name: 'examples.log-reject', flags: { log: 'all', 'deny-action': 'reject', 'log-rate': '5/second' } },
  { name: 'examples.nflog-denied', flags: { log: 'denied', 'log-target': 'nflog', 'nflog-group': '7', 'no-ipset': true } },
  { name: 'examples.pod-interface', flags: { 'pod-interface': ['veth*', 'cali*'] } },
];

const marker = '### ';

/** All emitted files of one compilation as one golden text: `### <path>` then the content. */
export function bundle(files: readonly EmitFile[]): string {
  return files.map((f) => `${marker}${f.path}\n${f.content}`).join('');
}

/** Splits a golden bundle back into its files. */
export function unbundle(text: string): EmitFile[] {
  const out: EmitFile[] = [];
  for (const part of text.split(new RegExp(`^${marker}`, 'm')).slice(1)) {
    const nl = part.indexOf('\n');
    out.push({ path: part.slice(0, nl), content: part.slice(nl + 1) });
  }
  return out;
}

/** Every golden bundle on disk (`*.rules`), by name. */
export function goldenBundles(): { name: string; files: EmitFile[] }[] {
  return readdirSync(goldenDir)
    .filter((f) => f.endsWith('.rules'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.rules'.length), files: unbundle(readFileSync(join(goldenDir, f), 'utf8')) }));
}
