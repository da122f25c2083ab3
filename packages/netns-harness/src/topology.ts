import { canonicalAddress, type Family } from './addresses.js';
import { planTopology, type TopologyPlan } from './plan.js';
import { runProbes, type Probe, type ProbeEndpoints, type ProbeOptions, type ProbeResult } from './probe.js';
import { checkSpec, type CheckedSpec, type TopologySpec } from './spec.js';
import {
  claimPrefix,
  cleanupStale,
  deleteNamespaces,
  listNamespaces,
  liveTopologies,
  releasePrefix,
} from './stale.js';
import { ipCommand, runCommand, runPython, type CommandResult } from './tools.js';

/** A built topology. Always {@link Topology.destroy} it (or use {@link withTopology}). */
export interface Topology {
  readonly spec: TopologySpec;
  /** Netns name of a node. */
  nodeNamespace(node: string): string;
  /** Netns name of a pod (id `namespace/name`). */
  podNamespace(podId: string): string;
  /** Every namespace of this topology: the fabric, then the nodes, then the pods. */
  namespaces(): readonly string[];
  /** Runs argv inside one of this topology's namespaces (`ip netns exec`), optional stdin. */
  run(namespace: string, argv: readonly string[], input?: string): CommandResult;
  /** Like {@link Topology.run} but throws (with stderr) on a non-zero exit; returns stdout. */
  exec(namespace: string, argv: readonly string[], input?: string): string;
  /** Sends one first packet per probe, all concurrently, and reports whether each got through. */
  probe(probes: readonly Probe[], options?: ProbeOptions): ProbeResult[];
  /**
   * Empties every firewall of every node namespace: the nft ruleset (iptables-nft rules
   * included), all iptables-legacy/ip6tables-legacy tables (policies back to ACCEPT) and all
   * ipsets, so one topology can serve several rulesets. Conntrack entries stay; probes never
   * reuse them (fresh source ports).
   */
  resetFirewalls(): void;
  /** Deletes every namespace this topology created. Idempotent. */
  destroy(): void;
}

/** Built-in chains per legacy table, for an empty `iptables-restore` (flushes, deletes, ACCEPT). */
const legacyTables: Readonly<Record<string, readonly string[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

// Only the legacy tables that exist in the namespace (/proc/net/ip{,6}_tables_names): touching
// another one would create it. ipsets go last: a legacy rule referencing a set pins it.
const resetScript = [
  'set -e',
  'nft flush ruleset',
  ...(['ip', 'ip6'] as const).map((family) => {
    const restore = family === 'ip' ? 'iptables-legacy-restore' : 'ip6tables-legacy-restore';
    const cases = Object.entries(legacyTables)
      .map(([table, chains]) => `${table}) printf '*${table}\n${chains.map((c) => `:${c} ACCEPT - [0:0]\n`).join('')}COMMIT\n' ;;`)
      .join(' ');
    return `for t in $(cat /proc/net/${family}_tables_names 2>/dev/null); do case $t in ${cases} esac; done | ${restore}`;
  }),
  'ipset destroy',
].join('\n');

interface Owner {
  readonly ns: string;
  readonly v4?: string;
  readonly v6?: string;
  /** Every address (nodes may have several per family). */
  readonly all: readonly string[];
}

class NetnsTopology implements Topology {
  private destroyed = false;
  private readonly owned: ReadonlySet<string>;
  private readonly pods = new Map<string, Owner>();
  private readonly nodes = new Map<string, Owner>();
  private readonly byAddress = new Map<string, string>();
  private readonly sourcePorts = new Map<string, number>();

  constructor(
    readonly spec: TopologySpec,
    checked: CheckedSpec,
    private readonly plan: TopologyPlan,
  ) {
    this.owned = new Set(plan.namespaces);
    for (const node of checked.nodes) {
      const ns = plan.nodeNamespaces.get(node.name) ?? '';
      this.nodes.set(node.name, { ns, ...node.addresses, all: [...node.all.v4, ...node.all.v6] });
    }
    for (const pod of checked.pods) {
      const ns = plan.podNamespaces.get(pod.id) ?? '';
      const all = [pod.addresses.v4, pod.addresses.v6].filter((a): a is string => a !== undefined);
      this.pods.set(pod.id, { ns, ...pod.addresses, all });
    }
    for (const owner of [...this.nodes.values(), ...this.pods.values()]) {
      for (const address of owner.all) this.byAddress.set(address, owner.ns);
    }
  }

  nodeNamespace(node: string): string {
    const owner = this.nodes.get(node);
    if (owner === undefined) throw new Error(`unknown node '${node}'`);
    return owner.ns;
  }

  podNamespace(podId: string): string {
    const owner = this.pods.get(podId);
    if (owner === undefined) throw new Error(`unknown pod '${podId}'`);
    return owner.ns;
  }

  namespaces(): readonly string[] {
    return this.plan.namespaces;
  }

  run(namespace: string, argv: readonly string[], input?: string): CommandResult {
    this.checkAlive();
    // Only this topology's namespaces: a typo must never run a firewall command in the root one.
    if (!this.owned.has(namespace)) throw new Error(`'${namespace}' is not a namespace of this topology`);
    if (argv.length === 0) throw new Error('run: empty argv');
    return runCommand(ipCommand(), ['netns', 'exec', namespace, ...argv], input);
  }

  exec(namespace: string, argv: readonly string[], input?: string): string {
    const result = this.run(namespace, argv, input);
    if (result.status !== 0) {
      throw new Error(`${argv.join(' ')} in ${namespace} failed (exit ${result.status}): ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  probe(probes: readonly Probe[], options?: ProbeOptions): ProbeResult[] {
    this.checkAlive();
    return runProbes(
      {
        resolve: (probe, family, dst) => this.endpoints(probe, family, dst),
        nextSourcePort: (source) => {
          // A fresh source port per probe and source address, so a probe never matches a
          // conntrack entry left by an earlier round (UDP entries live 30-120 s).
          const port = this.sourcePorts.get(source) ?? 10_000;
          this.sourcePorts.set(source, port >= 60_999 ? 10_000 : port + 1);
          return port;
        },
      },
      probes,
      options,
    );
  }

  private endpoints(probe: Probe, family: Family, dst: string): ProbeEndpoints {
    const dstNs = this.byAddress.get(dst);
    if (dstNs === undefined) throw new Error(`probe destination ${probe.to} is not an address of this topology`);
    const [kind, source] =
      'pod' in probe.from ? (['pod', this.pods.get(probe.from.pod)] as const) : (['node', this.nodes.get(probe.from.node)] as const);
    const name = 'pod' in probe.from ? probe.from.pod : probe.from.node;
    if (source === undefined) throw new Error(`probe source: unknown ${kind} '${name}'`);
    let src = family === 4 ? source.v4 : source.v6;
    if ('node' in probe.from && probe.from.address !== undefined) {
      const wanted = canonicalAddress(probe.from.address, `probe source of node '${name}'`);
      if (!source.all.includes(wanted.text)) throw new Error(`probe source ${probe.from.address} is not an address of node '${name}'`);
      if (wanted.family !== family) throw new Error(`probe source ${probe.from.address} and destination ${probe.to} differ in family`);
      src = wanted.text;
    }
    if (src === undefined) throw new Error(`probe source ${kind} '${name}' has no IPv${family} address (to ${probe.to})`);
    return { srcNs: `/run/netns/${source.ns}`, src, dstNs: `/run/netns/${dstNs}`, dst, family };
  }

  resetFirewalls(): void {
    for (const node of this.nodes.values()) this.exec(node.ns, ['sh', '-c', resetScript]);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (liveTopologies.get(this.spec.prefix) === this) liveTopologies.delete(this.spec.prefix);
    try {
      const existing = new Set(listNamespaces());
      deleteNamespaces(this.plan.namespaces.filter((name) => existing.has(name)));
    } finally {
      releasePrefix(this.spec.prefix);
    }
  }

  private checkAlive(): void {
    if (this.destroyed) throw new Error(`topology '${this.spec.prefix}' was destroyed`);
  }
}

let exitHookInstalled = false;

/**
 * Builds the namespaces, links, addresses, routes and sysctls of a spec with one Python process
 * (probe/setup.py) that runs one `ip -batch` per namespace, in parallel. Deletes leftovers of the prefix first; on failure deletes
 * what it made and rethrows.
 */
export function createTopology(spec: TopologySpec): Topology {
  return buildTopology(spec, (plan) => plan);
}

/** {@link createTopology} with a hook that may alter the plan: tests use it to inject failures. */
export function buildTopology(spec: TopologySpec, alterPlan: (plan: TopologyPlan) => TopologyPlan): Topology {
  const checked = checkSpec(spec);
  if (liveTopologies.has(spec.prefix)) {
    throw new Error(`topology prefix '${spec.prefix}' already has a live topology in this process: destroy it first`);
  }
  cleanupStale(spec.prefix);
  claimPrefix(spec.prefix);
  const plan = alterPlan(planTopology(checked));
  const topology = new NetnsTopology(spec, checked, plan);
  liveTopologies.set(spec.prefix, topology);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort for a test run that forgot destroy(): 'exit' handlers may run sync code.
    process.on('exit', () => {
      for (const live of [...liveTopologies.values()]) {
        try {
          live.destroy();
        } catch {
          // nothing more can be done while exiting; the next run's cleanupStale will retry
        }
      }
    });
  }
  try {
    const answer = runPython('setup.py', {
      ip: ipCommand(),
      rootBatch: lines(plan.rootBatch),
      namespaces: plan.sysctls.map(({ ns, set }) => ({
        ns: `/run/netns/${ns}`,
        sysctls: set,
        batch: lines(plan.namespaceBatches.get(ns) ?? []),
      })),
    }) as { ok: boolean; step?: string; error?: string };
    if (!answer.ok) throw new Error(`${answer.step ?? 'setup'} failed: ${answer.error ?? ''}`);
  } catch (error) {
    try {
      topology.destroy();
    } catch (cleanupError) {
      throw new Error(`createTopology failed and so did its cleanup: ${String(cleanupError)}`, { cause: error });
    }
    throw new Error(`createTopology(${spec.prefix}) failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return topology;
}

function lines(batch: readonly string[]): string {
  return batch.map((line) => `${line}\n`).join('');
}

/**
 * Creates a topology, passes it to `fn`, and destroys it afterwards whatever happens (also when
 * `fn` returns a promise: after it settles).
 */
export function withTopology<T>(spec: TopologySpec, fn: (topology: Topology) => T): T {
  const topology = createTopology(spec);
  let result: T;
  try {
    result = fn(topology);
  } catch (error) {
    destroyAfterFailure(topology, error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        topology.destroy();
        return value;
      },
      (error: unknown) => {
        destroyAfterFailure(topology, error);
        throw error;
      },
    ) as T;
  }
  topology.destroy();
  return result;
}

/** Destroys after `fn` failed; a failing destroy must not hide the test's own error. */
function destroyAfterFailure(topology: Topology, error: unknown): void {
  try {
    topology.destroy();
  } catch (destroyError) {
    throw new Error(`destroy failed after an error: ${String(destroyError)}`, { cause: error });
  }
}
