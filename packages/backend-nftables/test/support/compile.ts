// Compiles a program through the backend exactly as the CLI does, and also returns the typed
// models the printer saw, so tests can interpret models and compare them with the parsed text.
import { hasErrors, resolve, type Diagnostic, type LoadOptions, type Program, type RawOptions } from '@netpolc/ir';
import { loadManifests, type Manifest } from '@netpolc/ir/testing';
import { nftablesBackend } from '../../src/index.js';
import { ProgramLowering } from '../../src/lower.js';
import type { Ruleset } from '../../src/model.js';

/** Output of one compilation. */
export interface Compiled {
  readonly program: Program;
  /** Typed model per node. */
  readonly models: ReadonlyMap<string, Ruleset>;
  /** Printed text per node. */
  readonly texts: ReadonlyMap<string, string>;
  readonly diagnostics: readonly Diagnostic[];
}

/** Loads manifests (failing on input errors) with a semantics profile. */
export function loadProgram(manifests: readonly Manifest[], options: LoadOptions = {}): Program {
  const r = loadManifests(manifests, options);
  if (hasErrors(r.diagnostics)) throw new Error(`invalid test input: ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  return r.program;
}

/** Runs the backend on a program with raw CLI flags. */
export function compile(program: Program, raw: RawOptions = {}): Compiled {
  const parsed = nftablesBackend.parseOptions({ 'out-dir': 'out', ...raw });
  if (hasErrors(parsed.diagnostics)) throw new Error(`bad options: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const resolved = resolve(program);
  const result = nftablesBackend.emit({ program, resolved }, parsed.options);
  const lowering = new ProgramLowering(resolved, parsed.options);
  const models = new Map<string, Ruleset>();
  const texts = new Map<string, string>();
  for (const f of result.files) {
    const node = f.path.replace(/\.nft$/, '');
    texts.set(node, f.content);
    models.set(node, lowering.lowerNode(node));
  }
  return { program, models, texts, diagnostics: result.diagnostics };
}
