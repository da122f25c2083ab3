import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../evaluate/connection.js';
import { evaluate } from '../evaluate/evaluate.js';
import { loadProgram, type LoadResult } from '../lower/load.js';
import type { Protocol } from '../model/policy.js';
import type { Program } from '../model/program.js';
import type { InputSource } from '../source/source-file.js';

/** Flags of a corpus case (`case.json`). */
export interface CaseConfig {
  /** Ports of the golden matrix, e.g. `["TCP/80", "UDP/53"]`. @defaultValue ["TCP/80", "TCP/81", "UDP/80", "SCTP/80"] */
  readonly ports?: readonly string[];
  /** Backends that cannot express this case, with the reason (a known divergence). */
  readonly unsupported?: Readonly<Record<string, string>>;
  readonly description?: string;
}

/** One shared input case under `packages/ir/corpus/<name>/`. */
export interface CorpusCase {
  readonly name: string;
  readonly dir: string;
  /** True for cases under `corpus/_error_/`, whose input must fail validation. */
  readonly expectError: boolean;
  readonly config: CaseConfig;
  /** The input files, paths relative to the case directory. */
  sources(): InputSource[];
  load(): LoadResult;
}

/** Directory of the shared corpus. */
export const corpusDir = fileURLToPath(new URL('../../corpus', import.meta.url));

function readCase(dir: string, name: string, expectError: boolean): CorpusCase {
  const configPath = join(dir, 'case.json');
  const config: CaseConfig = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as CaseConfig) : {};
  const sources = (): InputSource[] =>
    readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'case.json')
      .sort()
      .map((f) => ({ path: f, content: readFileSync(join(dir, f)) }));
  return { name, dir, expectError, config, sources, load: () => loadProgram(sources()) };
}

/** Every corpus case, sorted by name; error cases are named `_error_/<case>`. */
export function corpusCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const name of readdirSync(corpusDir).sort()) {
    if (name === '_error_') {
      for (const e of readdirSync(join(corpusDir, name)).sort()) out.push(readCase(join(corpusDir, name, e), `_error_/${e}`, true));
    } else if (!name.startsWith('.')) {
      out.push(readCase(join(corpusDir, name), name, false));
    }
  }
  return out;
}

/** Ports of a case's golden matrix. */
export function casePorts(config: CaseConfig): { protocol: Protocol; port: number }[] {
  return (config.ports ?? ['TCP/80', 'TCP/81', 'UDP/80', 'SCTP/80']).map((p) => {
    const [protocol, port] = p.split('/') as [Protocol, string];
    return { protocol, port: Number(port) };
  });
}

/** One cell of a truth table: allowed, denied, or undefined when the connection cannot exist. */
export type Decide = (conn: Connection) => boolean | undefined;

/**
 * The truth tables between the actionable pods of a program as text, one table per port, in the
 * upstream style ('.' allowed, 'X' denied, '?' impossible; rows are sources). Backends render
 * their interpreted output with the same function, so goldens compare cell by cell.
 */
export function matrixText(program: Program, ports: readonly { protocol: Protocol; port: number }[], decide: Decide): string {
  const pods = program.inventory.pods.filter((p) => p.actionable);
  const names = pods.map((p) => `${p.namespace}/${p.name}`);
  const width = Math.max(0, ...names.map((n) => n.length));
  const out: string[] = [];
  for (const { protocol, port } of ports) {
    out.push(`${protocol}/${port}`);
    out.push(`${''.padEnd(width)}  ${names.map((_, i) => String(i + 1).padEnd(2)).join(' ')}`.trimEnd());
    pods.forEach((src, i) => {
      const cells = pods.map((dst) => {
        const v = decide({ src: { kind: 'pod', namespace: src.namespace, name: src.name }, dst: { kind: 'pod', namespace: dst.namespace, name: dst.name }, protocol, port });
        return (v === undefined ? '?' : v ? '.' : 'X').padEnd(2);
      });
      out.push(`${names[i]!.padEnd(width)}  ${cells.join(' ')}`.trimEnd() + `  ${i + 1}`);
    });
    out.push('');
  }
  return out.join('\n');
}

/** The truth tables of a program from the reference evaluator (see {@link matrixText}). */
export function referenceMatrixText(program: Program, ports: readonly { protocol: Protocol; port: number }[]): string {
  return matrixText(program, ports, (conn) => {
    const v = evaluate(program, conn);
    return 'error' in v ? undefined : v.allowed;
  });
}
