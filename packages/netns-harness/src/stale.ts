import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPrefix } from './spec.js';
import { ipCommand, runCommand } from './tools.js';

/** Where `ip netns add` mounts named namespaces. */
const netnsDir = '/run/netns';

/** Names of every named network namespace (`ip netns list`, without spawning `ip`). */
export function listNamespaces(): string[] {
  try {
    return readdirSync(netnsDir).sort();
  } catch {
    return [];
  }
}

/** Deletes named namespaces in one `ip -force -batch` run; throws if any is left. */
export function deleteNamespaces(names: readonly string[]): void {
  if (names.length === 0) return;
  const result = runCommand(ipCommand(), ['-force', '-batch', '-'], names.map((n) => `netns del ${n}\n`).join(''));
  const wanted = new Set(names);
  const left = listNamespaces().filter((name) => wanted.has(name));
  if (left.length > 0) {
    throw new Error(`could not delete network namespaces ${left.join(', ')}: ${result.stderr.trim()}`);
  }
}

/**
 * Prefix ownership. Test files run in parallel processes; if two used one prefix, the second's
 * `cleanupStale` would delete the first's live namespaces. So a topology records its process
 * (pid + start time, which survives pid reuse) in a small owner file, and cleanup refuses a
 * prefix whose owner is still alive.
 */
const ownerDir = join(tmpdir(), 'netpolc-netns-harness');
const ownerFile = (prefix: string): string => join(ownerDir, `${prefix}.owner`);

function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields after the parenthesised command name start at field 3.
    const starttime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return starttime === undefined ? undefined : `${pid} ${starttime}`;
  } catch {
    return undefined;
  }
}

const self = processIdentity(process.pid) ?? `${process.pid} ?`;

function liveForeignOwner(prefix: string): string | undefined {
  let owner: string;
  try {
    owner = readFileSync(ownerFile(prefix), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (owner === self) return undefined;
  const pid = Number(owner.split(' ')[0]);
  return Number.isInteger(pid) && pid > 0 && processIdentity(pid) === owner ? owner : undefined;
}

/** Marks this process as the owner of `prefix`; throws when another live process owns it. */
export function claimPrefix(prefix: string): void {
  refuseForeignOwner(prefix);
  mkdirSync(ownerDir, { recursive: true });
  writeFileSync(ownerFile(prefix), `${self}\n`);
}

/** Drops this process's claim on `prefix`. */
export function releasePrefix(prefix: string): void {
  if (liveForeignOwner(prefix) === undefined) rmSync(ownerFile(prefix), { force: true });
}

function refuseForeignOwner(prefix: string): void {
  const owner = liveForeignOwner(prefix);
  if (owner !== undefined) {
    throw new Error(
      `topology prefix '${prefix}' is in use by live process ${owner.split(' ')[0]}: ` +
        'give every test file its own prefix',
    );
  }
}

/** Hooks the topology module registers so cleanup can destroy this process's live topologies. */
export const liveTopologies = new Map<string, { destroy(): void }>();

/**
 * Deletes leftover namespaces named `${prefix}-…` (from a crashed earlier run). A live topology
 * of this process with that prefix is destroyed; a prefix owned by another live process is
 * refused (throws) rather than pulled from under it.
 */
export function cleanupStale(prefix: string): void {
  checkPrefix(prefix);
  refuseForeignOwner(prefix);
  liveTopologies.get(prefix)?.destroy();
  deleteNamespaces(listNamespaces().filter((name) => name.startsWith(`${prefix}-`)));
  rmSync(ownerFile(prefix), { force: true });
}
