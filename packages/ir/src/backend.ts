import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Program } from './model/program.js';
import type { ResolvedProgram } from './model/resolved.js';

/** One output file of a backend, relative to the output directory. */
export interface EmitFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Whole files encoded as UTF-8 in shared memory, each at `[start, end)` of `memory`. The Int32 at
 * byte 0 of `memory` is non-zero while the batch is out: the consumer stores 0 there (see
 * `releaseBatch`), from any thread, once it no longer reads the bytes, and the producer may then
 * reuse the memory.
 */
export interface FileBatch {
  readonly memory: SharedArrayBuffer;
  readonly files: readonly { readonly path: string; readonly start: number; readonly end: number }[];
}

/** Receives output files batch by batch (see {@link Backend.emit}). */
export type FileSink = (batch: FileBatch) => void;

/** What a backend returns: files (never written by the backend) and located diagnostics. */
export interface EmitResult {
  /**
   * Output files. When the options asked for standard output (`--out-dir -`), exactly one file
   * whose content is printed (its path is informational).
   */
  readonly files: readonly EmitFile[];
  readonly diagnostics: readonly Diagnostic[];
  /** Optional human-readable report (`--report`), printed on stderr by the CLI. */
  readonly report?: string;
  /**
   * Whether a file of the output directory is one this compile answers for, written or not: named
   * as it names the files of the nodes or namespaces it compiled, and beginning (`head()`: its
   * first 512 bytes, decoded; read only when asked, after the name matched) as it begins them.
   * Such a file that it did not write is left from an earlier compile (a node that lost its IPv6
   * pods, a namespace that lost its policies), and the CLI removes it once the new files are in
   * place: a reload must never find rules that no longer follow from the policies.
   */
  readonly owns?: (path: string, head: () => string) => boolean;
}

/** A command-line option a backend accepts (kebab-case flag name is the record key). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly description: string;
  /** Placeholder shown in help, e.g. `N` or `drop|reject`. */
  readonly value?: string;
}

/**
 * Raw flag values as parsed from the command line, keyed by kebab-case flag name. The CLI also
 * passes `out-dir` (`-` means standard output) so a backend can shape its output for it.
 */
export type RawOptions = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** What every backend receives. The resolved layer is computed once by the caller. */
export interface BackendInput {
  readonly program: Program;
  readonly resolved: ResolvedProgram;
  /**
   * The namespaces the compile is limited to (`--from-cluster --namespace`), whose files alone it
   * answers for in the output directory; absent, it answers for every namespace's.
   */
  readonly namespaces?: readonly string[];
}

/**
 * A compilation target. Pure and deterministic: the same input gives byte-identical files, and
 * nothing is read or written.
 */
export interface Backend<O extends object> {
  readonly name: string;
  readonly description: string;
  readonly flags: Readonly<Record<string, OptionSpec>>;
  /**
   * What an output file answers for: `node`, the firewall of a node, which covers every pod of it
   * whatever its namespace (so a compile cannot be limited to namespaces); `namespace`, the
   * policies of a namespace.
   */
  readonly outputScope: 'node' | 'namespace';
  /** Validates raw flags into typed options; problems are diagnostics, not exceptions. */
  parseOptions(raw: RawOptions): { readonly options: O; readonly diagnostics: readonly Diagnostic[] };
  /**
   * Compiles. With a `sink`, a backend may hand files to it in batches as soon as they are
   * complete (and leave them out of `files`), so the caller can write some while the next are
   * built; the caller must treat sunk files like returned ones, and discard both when the
   * diagnostics hold errors. Backends that build everything at once ignore the sink.
   */
  emit(input: BackendInput, options: O, sink?: FileSink): EmitResult;
}

/** Identity function that gives a backend object its inferred option type. */
export function defineBackend<O extends object>(backend: Backend<O>): Backend<O> {
  return backend;
}
