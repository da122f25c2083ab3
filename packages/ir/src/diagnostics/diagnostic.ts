/** How bad a diagnostic is. `info` is shown only with `--verbose`. */
export type Severity = 'error' | 'warning' | 'info';

/** A position inside a loaded document, resolved to a line and column only when printed. */
export interface SourceRef {
  readonly kind: 'ref';
  /** Path of the file as given by the user (or `<stdin>`). */
  readonly file: string;
  /** Index of the YAML document inside the file (0 for JSON). */
  readonly doc: number;
  /** Keys and indices from the document root to the node. */
  readonly path: readonly (string | number)[];
  /** Point at the key of the last path element instead of its value (unknown fields). */
  readonly key?: boolean;
}

/** An offset range inside a file (parse errors, where no tree exists). */
export interface SourceSpan {
  readonly kind: 'span';
  readonly file: string;
  readonly pos: number;
  readonly end: number;
}

/** Explicit opt-out for diagnostics that concern no input location. */
export interface NoTarget {
  readonly kind: 'none';
}

/** Where a diagnostic points. Required on every diagnostic: opting out is explicit. */
export type Target = SourceRef | SourceSpan | NoTarget;

/** The explicit "no location" target. */
export const NoTarget: NoTarget = Object.freeze({ kind: 'none' });

/** A user-facing problem found in the input, collected (never thrown). */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly target: Target;
}

/** Builds a child reference. */
export function refAt(ref: SourceRef, ...more: (string | number)[]): SourceRef {
  return { kind: 'ref', file: ref.file, doc: ref.doc, path: pathWith(ref.path, ...more) };
}

/**
 * A longer path, made at its exact size. `Array.prototype.concat` takes ten times as long (its
 * generic path), and a large load makes such a path for every object, rule, peer and port (350k
 * at kube-scale).
 */
export function pathWith(path: readonly (string | number)[], ...more: (string | number)[]): (string | number)[] {
  const n = path.length;
  const out = new Array<string | number>(n + more.length);
  for (let i = 0; i < n; i++) out[i] = path[i]!;
  for (let i = 0; i < more.length; i++) out[n + i] = more[i]!;
  return out;
}

/** The same reference, pointing at the key rather than the value. */
export function keyRef(ref: SourceRef): SourceRef {
  return { ...ref, key: true };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * Thrown for internal bugs (never for user input). The CLI prints it with a stack and a bug
 * report hint and exits 3.
 */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

/** Asserts an internal invariant. */
export function compilerAssert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(message);
}
