import { statSync } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import type { Command, Values } from '../command.js';
import { clusterSources, compareObjects, readClusterSources, renderSnapshot, slimObject, withCluster, type ClusterObject, type SnapshotFormat } from '../cluster/index.js';
import { readInputs } from '../inputs.js';
import { ExitCode, OutputError, UsageError, type Io } from '../io.js';
import { loadSources } from '../load.js';
import { count } from '../count.js';
import { compareValues } from '@netpolc/ir';
import { StagedWriter } from '../staged-writer.js';

/** What a snapshot holds, validated, and the comment lines that say where it came from. */
interface Snapshot {
  readonly objects: readonly ClusterObject[];
  readonly header: readonly string[];
}

const contents = 'Namespaces, nodes, pods, Services and NetworkPolicies, reduced to the fields netpolc reads.';

/** What the header adds for `--namespace`. */
function scopeOf(namespaces: readonly string[]): string {
  return namespaces.length > 0 ? `; NetworkPolicies of namespace ${namespaces.join(', ')} only` : '';
}

/** The cluster alone, as it was read (its objects come slimmed and sorted). */
async function fromCluster(io: Io, values: Values): Promise<Snapshot | undefined> {
  // Pods and Services of every namespace: what the kept policies compile to depends on their
  // peers anywhere (an offline compile of a snapshot of one namespace's pods widened a Cilium
  // ipBlock to every pod, as `compile --from-cluster -n` once did).
  const { read } = await readClusterSources(values, io, 'all');
  // Validate what is about to be written, so a snapshot that the other commands would reject
  // is never written in the first place.
  const { ok } = loadSources(io, values, clusterSources(read.context, read.objects));
  if (!ok) return undefined;
  // No server URL or time in the header: the same cluster state gives the same bytes.
  return { objects: read.objects, header: [`netpolc snapshot of context ${read.context}${scopeOf(read.namespaces)}.`, contents] };
}

/**
 * Local files (a `kubectl get -o yaml|json` dump, hand-written inventory), with the cluster
 * under them when `--from-cluster` is given: every object the load reads, reduced as the
 * cluster's are, by kind, namespace and name (the load reports duplicates as errors).
 */
async function fromPaths(io: Io, values: Values, positionals: readonly string[], inventory: readonly string[]): Promise<Snapshot | undefined> {
  // The --inventory files lie under the PATHs, as for every other command (see loadInputs): a
  // snapshot updated with edited policies (`snapshot -i old.yaml policies/`) takes the edits.
  const seen = new Set<string>();
  const primary = await readInputs(io, positionals, undefined, seen);
  const lower = await readInputs(io, inventory, undefined, seen);
  const underlay = primary.length > 0 && lower.length > 0 ? new Set(lower.map((s) => s.path)) : undefined;
  const { sources, read } = await withCluster(io, values, [...primary, ...lower]);
  // --namespace keeps the NetworkPolicies of those namespaces, as it does reading a cluster.
  const only = (values['namespace'] as string[] | undefined) ?? [];
  const keep = (kind: string, namespace: string): boolean => only.length === 0 || kind !== 'NetworkPolicy' || only.includes(namespace);
  const objects = new Map<string, { object: ClusterObject; under: boolean }>();
  const { ok } = loadSources(
    io,
    values,
    sources,
    (o) => {
      const key = `${o.kind}/${o.namespace}/${o.name}`;
      const under = underlay?.has(o.file) ?? false;
      // The loader reports a repeat within one layer; across layers the upper one's object stays.
      if (under && objects.get(key)?.under === false) return;
      const slim = keep(o.kind, o.namespace) ? slimObject(o.kind, o.value, o.namespace) : undefined;
      if (slim) objects.set(key, { object: slim, under });
    },
    underlay,
  );
  if (!ok) return undefined;
  // Paths sorted (the PATHs, then the --inventory files under them): the same inputs give the
  // same bytes in any order, as the objects do.
  const shown = [...[...positionals].sort(compareValues), ...[...inventory].sort(compareValues)].join(', ');
  const origin = read ? `context ${read.context} with ${shown} applied` : shown;
  return { objects: [...objects.values()].map((o) => o.object).sort(compareObjects), header: [`netpolc snapshot of ${origin}${scopeOf(only)}.`, contents] };
}

/**
 * Whether `-o` names a directory. A path that cannot be looked up for another reason than being
 * absent (a file as a parent, a link loop, a name too long) cannot be written either: said now,
 * before the cluster is read.
 */
function isDirectory(path: string, output: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch (e) {
    throw new OutputError(`could not write ${output}: ${e instanceof Error ? e.message : String(e)} (nothing was written)`);
  }
}

/** `netpolc snapshot -o FILE [PATH...] [--from-cluster]`: an inventory and policies as one file. */
export const snapshotCommand: Command = {
  name: 'snapshot',
  // Offline too: a snapshot keeps only their pods, Services and NetworkPolicies.
  namespaceApplies: () => true,
  summary:
    'Write namespaces, nodes, pods, Services and NetworkPolicies, stripped to what netpolc reads, as one sorted Kubernetes List (YAML, or JSON for a .json FILE) that every command reads offline: from the cluster (no PATH), from local files such as a kubectl dump (PATHs), or both (PATHs and --from-cluster: the files replace the cluster\'s objects). Nothing is written on any error.',
  usage: 'netpolc snapshot -o FILE|- [PATH...] [--from-cluster] [--context NAME] [--kubeconfig FILE] [--namespace NS]...',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'file to write (.json: JSON, otherwise YAML), or - for standard output (YAML)' },
  },
  async run(io, values, positionals) {
    const output = values['output'] as string | undefined;
    if (!output) throw new UsageError('-o FILE is required (or -o - for standard output)');
    // Checked before the cluster is read: a snapshot of a large cluster takes a while.
    if (output !== '-' && (output.endsWith('/') || isDirectory(resolvePath(io.cwd, output), output))) {
      throw new UsageError(`-o ${output} is a directory; give a file, such as ${output.replace(/\/*$/, '')}/snapshot.yaml`);
    }
    const inventory = (values['inventory'] as string[] | undefined) ?? [];
    // Without PATHs snapshot reads the cluster, --from-cluster or not (it had nothing else to read).
    const snapshot = positionals.length + inventory.length === 0 ? await fromCluster(io, values) : await fromPaths(io, values, positionals, inventory);
    if (!snapshot) return ExitCode.input;
    const format: SnapshotFormat = output.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
    const text = renderSnapshot(snapshot.objects, format, snapshot.header);
    if (output === '-') {
      io.stdout.write(text);
      return ExitCode.ok;
    }
    const target = resolvePath(io.cwd, output);
    const writer = new StagedWriter(dirname(target));
    writer.add({ path: basename(target), content: text });
    const interrupted = await writer.commit();
    io.stderr.write(`wrote ${snapshot.objects.length} objects to ${output}\n`);
    if (interrupted > 0) io.stderr.write(`removed ${count(interrupted, 'temporary file')} that an interrupted run had left in ${dirname(target)}\n`);
    // Large YAML takes the bulk path (line reader, else js-yaml), not the `yaml` package: loading
    // kube-scale took 7.8 s from YAML and 4.6 s from JSON (`npm run bench`, 2026-11-29).
    if (format === 'yaml' && snapshot.objects.length > 20_000) io.stderr.write('note: a .json snapshot of this size loads about twice as fast as YAML\n');
    return ExitCode.ok;
  },
};
