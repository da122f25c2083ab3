import { defineBackend, FileAssembler, hasErrors, isDnsSubdomain, maxFileNameBytes, nearNames, NoTarget, overlongFileName, podId, type BackendInput, type Diagnostic, type EmitResult, type FileSink } from '@netpolc/ir';
import { nftablesDiagnostic } from './diagnostics.js';
import { ProgramLowering } from './lower.js';
import { nftablesFlags, parseNftablesOptions, type NftablesOptions } from './options.js';
import { isOwnFile, RulesetPrinter } from './print.js';

export type { NftablesOptions } from './options.js';

function nodeFileName(node: string): string {
  return `${node}.nft`;
}

function emitNftables({ resolved }: BackendInput, options: NftablesOptions, sink?: FileSink): EmitResult {
  const diagnostics: Diagnostic[] = [];
  if (!resolved.program.semantics.allowSelf) diagnostics.push(nftablesDiagnostic('backend-nftables/self-traffic-not-enforced', {}, NoTarget));
  if (options.podInterfaces.length > 0) {
    const both = !resolved.program.semantics.allowNodeLocalIngress;
    diagnostics.push(
      nftablesDiagnostic(
        'backend-nftables/pod-link-local-closed',
        {
          interfaces: options.podInterfaces.join(', '),
          what: both ? 'from pods to their node and from the node to its pods' : 'from pods to their node',
          unisolated: both ? 'a pod that is not egress-isolated, or not ingress-isolated for the node' : 'a pod that is not egress-isolated',
        },
        NoTarget,
      ),
    );
  }
  for (const p of resolved.pods) {
    if (p.nodeName === undefined) diagnostics.push(nftablesDiagnostic('backend-nftables/pod-without-node', { pod: podId(p) }, p.origin));
  }
  const lowering = new ProgramLowering(resolved, options);
  const known = lowering.nodeNames();
  let nodes = known;
  if (options.nodes.length > 0) {
    const knownSet = new Set(known);
    for (const n of options.nodes) if (!knownSet.has(n)) diagnostics.push(nftablesDiagnostic('backend-nftables/unknown-node', { node: n, known: nearNames(n, known, 'node') }, NoTarget));
    nodes = options.nodes.filter((n) => knownSet.has(n));
  }
  const usable = nodes.filter((n) => {
    if (isDnsSubdomain(n)) return true;
    diagnostics.push(nftablesDiagnostic('backend-nftables/invalid-node-name', { node: JSON.stringify(n) }, NoTarget));
    return false;
  });
  if (!options.stdout) {
    for (const n of usable) {
      const file = overlongFileName([nodeFileName(n)]);
      // Found by a scan, for an error alone: the node's object, else its first pod.
      const origin = () => resolved.program.inventory.nodes.find((x) => x.name === n)?.origin ?? resolved.pods.find((p) => p.nodeName === n)?.origin ?? NoTarget;
      if (file !== undefined) diagnostics.push(nftablesDiagnostic('backend-nftables/file-name-too-long', { node: n, bytes: Buffer.byteLength(file), max: maxFileNameBytes }, origin()));
    }
  }
  // With no node left of those named, unknown-node has said why already.
  if (options.stdout && nodes.length !== 1 && (nodes.length > 0 || options.nodes.length === 0)) {
    diagnostics.push(nftablesDiagnostic('backend-nftables/stdout-needs-one-node', { count: nodes.length, nodes: nodes.join(', ') || 'none' }, NoTarget));
    return { files: [], diagnostics };
  }
  // Errors were all found above: from here every file is final, so a sink may take it at once.
  if (hasErrors(diagnostics)) return { files: [], diagnostics };
  const assembler = new FileAssembler(sink);
  const printer = new RulesetPrinter();
  for (const ruleset of lowering.lowerNodes(usable)) assembler.add(nodeFileName(ruleset.node), (out) => printer.write(ruleset, out));
  assembler.finish();
  const compiled = new Set(usable);
  return { files: assembler.files, diagnostics, owns: (path, head) => isOwnFile(compiled, path, head) };
}

/**
 * The nftables backend: one `table inet netpolc` per node (`<node>.nft`), loaded with `nft -f`.
 * Each node checks the egress of its own pods and the ingress of its own pods, dispatching by
 * pod address through verdict maps to per-pod chains whose rules look peers up in shared
 * interval sets.
 */
export const nftablesBackend = defineBackend<NftablesOptions>({
  name: 'nftables',
  outputScope: 'node',
  description: 'nftables: one atomic `table inet netpolc` per node, with verdict maps, interval sets and concatenations',
  flags: nftablesFlags,
  parseOptions: parseNftablesOptions,
  emit: emitNftables,
});
