// The inputs with goldens: every valid corpus case, the repository's examples, and the examples
// again with every output feature on (logging, reject, counters).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram, type LoadResult, type RawOptions } from '@netpolc/ir';
import { casePorts, corpusCases } from '@netpolc/ir/testing';

/** One golden input. */
export interface GoldenCase {
  readonly name: string;
  readonly load: () => LoadResult;
  readonly flags: RawOptions;
  /** Ports the semantic check probes. */
  readonly ports: readonly { readonly protocol: 'TCP' | 'UDP' | 'SCTP'; readonly port: number }[];
}

/** Directory holding one golden directory per case. */
export const goldenDir = fileURLToPath(new URL('../golden', import.meta.url));

/** The repository's `examples/` (cluster.yaml + policies/). */
export const examplesDir = fileURLToPath(new URL('../../../../examples', import.meta.url));

function loadExamples(): LoadResult {
  const files = ['cluster.yaml', ...readdirSync(join(examplesDir, 'policies')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `policies/${f}`)];
  return loadProgram(files.map((path) => ({ path, content: readFileSync(join(examplesDir, path)) })));
}

const examplePorts = [
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 5432 },
  { protocol: 'TCP', port: 9102 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
] as const;

/** Every case that gets a golden directory, sorted by name. */
export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = corpusCases()
    .filter((c) => !c.expectError)
    .map((c) => ({ name: c.name, load: () => c.load(), flags: {}, ports: casePorts(c.config) }));
  out.push({ name: 'examples', load: loadExamples, flags: {}, ports: examplePorts });
  out.push({ name: 'examples-log-reject-counters', load: loadExamples, flags: { log: 'all', 'log-rate': '20/minute', 'deny-action': 'reject', counters: true }, ports: examplePorts });
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
