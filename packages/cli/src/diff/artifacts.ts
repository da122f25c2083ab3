import type { Backend, BackendInput, Diagnostic } from '@netpolc/ir';
import { backendNames, backends, type BackendName } from '../backends.js';
import { UsageError } from '../io.js';
import { countChanges, unifiedDiff } from './unified-diff.js';

/** One output file that differs between BASE and HEAD. */
export interface FileChange {
  readonly path: string;
  readonly status: 'added' | 'removed' | 'modified';
  readonly diff: string;
  readonly added: number;
  readonly removed: number;
}

/** What changed in one backend's compiled output. */
export interface ArtifactDiff {
  readonly backend: string;
  readonly files: readonly FileChange[];
  /** Set when a side could not be compiled (its error diagnostics). */
  readonly errors?: { readonly side: 'base' | 'head'; readonly messages: readonly string[] };
}

/** Expands `--backend` values (`all` or names) into registry names. */
export function selectBackends(values: readonly string[]): BackendName[] {
  const out = new Set<BackendName>();
  for (const v of values.flatMap((x) => x.split(','))) {
    if (v === 'all') backendNames.forEach((n) => out.add(n));
    else if ((backendNames as readonly string[]).includes(v)) out.add(v as BackendName);
    else throw new UsageError(`unknown backend ${v}; choose ${backendNames.join(', ')} or all`);
  }
  return [...out];
}

function compile(backend: Backend<object>, input: BackendInput): { files: Map<string, string>; errors: Diagnostic[] } {
  const parsed = backend.parseOptions({ 'out-dir': 'diff' });
  const emitted = backend.emit(input, parsed.options);
  const errors = [...parsed.diagnostics, ...emitted.diagnostics].filter((d) => d.severity === 'error');
  return { files: new Map(emitted.files.map((f) => [f.path, f.content])), errors };
}

/** Compiles both sides with each backend (default options) and diffs the files. */
export function diffArtifacts(names: readonly BackendName[], base: BackendInput, head: BackendInput): ArtifactDiff[] {
  return names.map((name) => {
    const backend = backends[name] as Backend<object>;
    const b = compile(backend, base);
    const h = compile(backend, head);
    if (b.errors.length > 0 || h.errors.length > 0) {
      const side = b.errors.length > 0 ? 'base' : 'head';
      return { backend: name, files: [], errors: { side, messages: (side === 'base' ? b.errors : h.errors).map((d) => `${d.code}: ${d.message}`) } };
    }
    const paths = [...new Set([...b.files.keys(), ...h.files.keys()])].sort();
    const files: FileChange[] = [];
    for (const path of paths) {
      const before = b.files.get(path);
      const after = h.files.get(path);
      if (before === after) continue;
      const diff = unifiedDiff(path, before, after);
      const counts = countChanges(diff);
      files.push({ path, status: before === undefined ? 'added' : after === undefined ? 'removed' : 'modified', diff, ...counts });
    }
    return { backend: name, files };
  });
}
