import { basename, dirname, resolve as resolvePath } from 'node:path';
import type { Command } from '../command.js';
import { clusterSources, readClusterSources, renderSnapshot, type SnapshotFormat } from '../cluster/index.js';
import { ExitCode, UsageError } from '../io.js';
import { loadSources } from '../load.js';
import { StagedWriter } from '../staged-writer.js';

/** `netpolc snapshot --from-cluster -o FILE`: the cluster's inventory and policies as one file. */
export const snapshotCommand: Command = {
  name: 'snapshot',
  summary:
    'Read namespaces, nodes, pods and NetworkPolicies from the cluster and write them, stripped to what netpolc reads, as one Kubernetes List (YAML, or JSON for a .json FILE) that every command reads offline. Nothing is written on any error.',
  usage: 'netpolc snapshot --from-cluster -o FILE|- [--context NAME] [--kubeconfig FILE] [--namespace NS]...',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'file to write (.json: JSON, otherwise YAML), or - for standard output (YAML)' },
  },
  async run(io, values, positionals) {
    if (positionals.length > 0 || values['inventory'] !== undefined) throw new UsageError('snapshot reads only the cluster; it takes no PATH or --inventory');
    const output = values['output'] as string | undefined;
    if (!output) throw new UsageError('-o FILE is required (or -o - for standard output)');
    // snapshot always reads the cluster; --from-cluster is accepted for symmetry with the others.
    const { read } = await readClusterSources(values, io, 'all');
    // Validate what is about to be written, so a snapshot that the other commands would reject
    // is never written in the first place.
    const { ok } = loadSources(io, values, clusterSources(read.context, read.objects));
    if (!ok) return ExitCode.input;
    const format: SnapshotFormat = output.endsWith('.json') ? 'json' : 'yaml';
    const scope = read.namespaces.length > 0 ? `; pods and NetworkPolicies of namespace ${read.namespaces.join(', ')} only` : '';
    // No server URL or time in the header: the same cluster state gives the same bytes.
    const header = [`netpolc snapshot of context ${read.context}${scope}.`, 'Namespaces, nodes, pods and NetworkPolicies, reduced to the fields netpolc reads.'];
    const text = renderSnapshot(read.objects, format, header);
    if (output === '-') {
      io.stdout.write(text);
      return ExitCode.ok;
    }
    const target = resolvePath(io.cwd, output);
    const writer = new StagedWriter(dirname(target));
    writer.add({ path: basename(target), content: text });
    await writer.commit();
    io.stderr.write(`wrote ${read.objects.length} objects to ${output}\n`);
    // Large YAML takes the bulk path (line reader, else js-yaml), not the `yaml` package: loading
    // kube-scale took 7.8 s from YAML and 4.6 s from JSON (`npm run bench`, 2026-11-29).
    if (format === 'yaml' && read.objects.length > 20_000) io.stderr.write('note: a .json snapshot of this size loads about twice as fast as YAML\n');
    return ExitCode.ok;
  },
};
