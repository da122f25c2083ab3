// Benchmark figures of the nftables backend for one resolved program (`@netpolc/backend-nftables/bench`,
// used by the root `npm run bench`). Not part of the backend: it times the backend, counts what
// it emits per node, and optionally loads the largest node's file into a scratch network
// namespace with `nft -f` (root only).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compilerAssert, type RawOptions, type ResolvedProgram } from '@netpolc/ir';
import { nftablesBackend } from './index.js';
import { ProgramLowering } from './lower.js';
import type { Table } from './model.js';

/** Maximum and mean of a per-node figure. */
export interface Spread {
  readonly max: number;
  readonly mean: number;
}

/** What {@link benchNftables} measures. */
export interface NftablesBenchFigures {
  readonly nodes: number;
  /** `emit()` for every node: lowering and printing, as the CLI runs it. */
  readonly compileMs: number;
  /** `emit()` with `--node <node with the most pods>`, measured first (cold): what a node agent compiling its own file pays. */
  readonly compileOneNodeMs: number;
  readonly rules: Spread;
  readonly chains: Spread;
  readonly sets: Spread;
  /** Elements of named sets (peer sets, concatenations, local pods). */
  readonly setElements: Spread;
  /** Elements of the verdict maps (one per isolated local pod address and direction). */
  readonly mapElements: Spread;
  readonly bytes: Spread;
  readonly totalBytes: number;
  readonly largestNode: string;
  /** The node of the one-node compile. */
  readonly oneNode: string;
  /** `nft -f` of the largest node's file into an empty namespace, or null when skipped. */
  readonly kernelLoadMs: number | null;
  /** Loading the same file again (an atomic replacement of the table). */
  readonly kernelReloadMs: number | null;
  /** Why the kernel load was skipped. */
  readonly kernelSkipped?: string;
}

/** Options of {@link benchNftables}. */
export interface BenchOptions {
  /** Raw backend flags (as the CLI passes them). @defaultValue {} */
  readonly flags?: RawOptions;
  /** Load the largest node's file into a scratch namespace (needs root, `ip`, `nft`). @defaultValue true */
  readonly kernel?: boolean;
}

function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { max: 0, mean: 0 };
  let max = 0;
  let sum = 0;
  for (const v of values) {
    if (v > max) max = v;
    sum += v;
  }
  return { max, mean: sum / values.length };
}

/** The node with the most pods (the largest ruleset, before compiling anything). */
function largestNodeGuess(resolved: ResolvedProgram, nodes: readonly string[]): string {
  const pods = new Map<string, number>();
  for (const p of resolved.pods) if (p.nodeName !== undefined) pods.set(p.nodeName, (pods.get(p.nodeName) ?? 0) + 1);
  let best = nodes[0]!;
  for (const n of nodes) if ((pods.get(n) ?? 0) > (pods.get(best) ?? 0)) best = n;
  return best;
}

function counts(t: Table): { rules: number; chains: number; sets: number; setElements: number; mapElements: number } {
  let rules = 0;
  for (const c of t.chains) rules += c.rules.length;
  let setElements = 0;
  for (const s of t.sets) setElements += s.elements.length;
  let mapElements = 0;
  for (const m of t.maps) mapElements += m.elements.length;
  return { rules, chains: t.chains.length, sets: t.sets.length, setElements, mapElements };
}

/** Times the backend on a resolved program and measures its output per node. */
export function benchNftables(resolved: ResolvedProgram, options: BenchOptions = {}): NftablesBenchFigures {
  const all = nftablesBackend.parseOptions({ 'out-dir': 'bench', ...options.flags });
  const nodes = new ProgramLowering(resolved, all.options).nodeNames();
  // One node first, while nothing is warm: what a node agent compiling its own file pays.
  const probe = nodes.length > 0 ? largestNodeGuess(resolved, nodes) : undefined;
  let compileOneNodeMs = 0;
  if (probe !== undefined) {
    const one = nftablesBackend.parseOptions({ 'out-dir': 'bench', ...options.flags, node: [probe] });
    const t1 = performance.now();
    nftablesBackend.emit({ program: resolved.program, resolved }, one.options);
    compileOneNodeMs = performance.now() - t1;
  }
  const t0 = performance.now();
  const result = nftablesBackend.emit({ program: resolved.program, resolved }, all.options);
  const compileMs = performance.now() - t0;

  const lowering = new ProgramLowering(resolved, all.options);
  const per = { rules: [] as number[], chains: [] as number[], sets: [] as number[], setElements: [] as number[], mapElements: [] as number[], bytes: [] as number[] };
  let largest = { node: '', bytes: -1, text: '' };
  const models = lowering.lowerNodes(result.files.map((f) => f.path.replace(/\.nft$/, '')));
  for (const file of result.files) {
    const model = models.next();
    compilerAssert(!model.done && `${model.value.node}.nft` === file.path, `bench: ruleset of ${file.path} out of order`);
    const c = counts(model.value.table);
    per.rules.push(c.rules);
    per.chains.push(c.chains);
    per.sets.push(c.sets);
    per.setElements.push(c.setElements);
    per.mapElements.push(c.mapElements);
    const bytes = Buffer.byteLength(file.content);
    per.bytes.push(bytes);
    if (bytes > largest.bytes) largest = { node: model.value.node, bytes, text: file.content };
  }
  const kernel = options.kernel === false ? { skipped: 'not requested' } : loadInScratchNamespace(largest.text);
  return {
    nodes: result.files.length,
    compileMs,
    compileOneNodeMs,
    rules: spread(per.rules),
    chains: spread(per.chains),
    sets: spread(per.sets),
    setElements: spread(per.setElements),
    mapElements: spread(per.mapElements),
    bytes: spread(per.bytes),
    totalBytes: per.bytes.reduce((a, b) => a + b, 0),
    largestNode: largest.node,
    oneNode: probe ?? '',
    kernelLoadMs: 'loadMs' in kernel ? kernel.loadMs : null,
    kernelReloadMs: 'reloadMs' in kernel ? kernel.reloadMs : null,
    ...('skipped' in kernel ? { kernelSkipped: kernel.skipped } : {}),
  };
}

function loadInScratchNamespace(text: string): { loadMs: number; reloadMs: number } | { skipped: string } {
  if (text === '') return { skipped: 'no output' };
  if (process.getuid?.() !== 0) return { skipped: 'not root' };
  const ns = `npcnftb-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'npcnftb-'));
  const file = join(dir, 'largest.nft');
  writeFileSync(file, text);
  const added = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (added.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `cannot create a network namespace: ${added.stderr || added.error?.message}` };
  }
  try {
    const timed = (): number | string => {
      const t = performance.now();
      const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', file], { encoding: 'utf8' });
      return r.status === 0 ? performance.now() - t : `nft -f failed: ${r.stderr || r.error?.message}`;
    };
    const loadMs = timed();
    if (typeof loadMs === 'string') return { skipped: loadMs };
    const reloadMs = timed();
    if (typeof reloadMs === 'string') return { skipped: reloadMs };
    return { loadMs, reloadMs };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}
