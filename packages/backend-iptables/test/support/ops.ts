// Builders for the operator tests (kernel-ops.test.ts): a small two-node program, its files
// written to a directory the way `netpolc compile --out-dir` does, the reload script, and the
// rules other software keeps in the host's filter table (kube-proxy, a CNI, Docker).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolve, type Program, type RawOptions } from '@netpolc/ir';
import { loadValid, opsObjects, type Manifest } from '@netpolc/ir/testing';
import type { Probe, Topology } from '@netpolc/netns-harness';
import { iptablesBackend } from '../../src/index.js';

/** deploy/netpolc-iptables-reload. */
export const reloadScript = fileURLToPath(new URL('../../deploy/netpolc-iptables-reload', import.meta.url));

/** The package README (the DaemonSet loop is read from it). */
export const readme = fileURLToPath(new URL('../../README.md', import.meta.url));

/**
 * node-1: x/a (ingress only from x/b on TCP 80) and x/b; node-2: x/c (egress only to x/a on TCP
 * 80). Dual-stack pods and nodes. `policies: false` is the same inventory with no policy at all
 * (the node's last isolated pod is gone).
 */
export function opsProgram(policies = true, extra: readonly Manifest[] = []): Program {
  return loadValid([...opsObjects(policies), ...extra]).program;
}

/** Probes whose verdicts the policies decide on both nodes' FORWARD and INPUT hooks. */
export const opsProbes: readonly Probe[] = [
  { from: { pod: 'x/b' }, to: '198.18.0.10', protocol: 'TCP', port: 80 }, // allowed (node-1 FORWARD)
  { from: { pod: 'x/c' }, to: '198.18.0.10', protocol: 'TCP', port: 80 }, // denied by a's ingress (node-1 FORWARD)
  { from: { pod: 'x/c' }, to: '198.18.0.20', protocol: 'TCP', port: 80 }, // denied by c's egress (node-2 FORWARD)
  { from: { pod: 'x/c' }, to: '198.19.0.2', protocol: 'TCP', port: 80 }, // denied by c's egress (node-2 INPUT)
  { from: { pod: 'x/c' }, to: '2001:db8::20', protocol: 'TCP', port: 80 }, // denied by c's egress (node-2 FORWARD, IPv6)
  { from: { pod: 'x/a' }, to: '198.18.0.20', protocol: 'TCP', port: 80 }, // allowed (b is not isolated)
];

/** Compiles `program` and writes every node's files into `dir` (emptied first). */
export function writeFiles(program: Program, dir: string, flags: RawOptions = {}): Map<string, string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = iptablesBackend.emit({ program, resolved: resolve(program) }, iptablesBackend.parseOptions(flags).options);
  const files = new Map<string, string>();
  for (const f of out.files) {
    writeFileSync(join(dir, f.path), f.content);
    files.set(f.path, f.content);
  }
  return files;
}

/** Runs the reload script for `node` in its namespace; `env` adds variables (PATH shims). */
export function reload(t: Topology, dir: string, nodeName: string, variant: string): { status: number | null; stderr: string } {
  const r = t.run(t.nodeNamespace(nodeName), ['sh', reloadScript, dir, nodeName, variant]);
  return { status: r.status, stderr: r.stderr };
}

/**
 * What a kube-proxy (iptables mode), flannel-style CNI and Docker node has in its filter table
 * (kubernetes/kubernetes pkg/proxy/iptables: KUBE-FORWARD accepts packets marked for masquerade
 * and established ones; flannel pkg/trafficmngr/iptables: FLANNEL-FWD accepts the cluster CIDR;
 * Docker: DOCKER-USER and a FORWARD policy of DROP), all appended below whatever is there.
 */
export const hostRules = [
  '*filter',
  ':FORWARD DROP [0:0]',
  ':KUBE-FORWARD - [0:0]',
  ':DOCKER-USER - [0:0]',
  ':FLANNEL-FWD - [0:0]',
  '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
  '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
  '-A KUBE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A DOCKER-USER -j RETURN',
  '-A FLANNEL-FWD -s 198.18.0.0/15 -j ACCEPT',
  '-A FLANNEL-FWD -d 198.18.0.0/15 -j ACCEPT',
  '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
  '-A FORWARD -j DOCKER-USER',
  '-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD',
  'COMMIT',
  '',
].join('\n');

/** The IPv6 counterpart of {@link hostRules} (pods in 2001:db8::/32). */
export const hostRules6 = hostRules.replace(/198\.18\.0\.0\/15/g, '2001:db8::/32').replace(/^-A KUBE-FORWARD -m conntrack --ctstate INVALID.*\n/m, '');

/**
 * A CNI's policy chain hooked at the top of FORWARD and INPUT, accepting pod traffic: what Felix
 * re-inserts at position 1 every IptablesRefreshInterval (90 s) with its default ChainInsertMode
 * `insert` (projectcalico/calico felix/config/config_params.go; `cali-FORWARD` ACCEPTs packets
 * its policy allowed, IptablesFilterAllowAction ACCEPT), and what kube-proxy's
 * `EnsureRule(Prepend, …)` does with its jumps when they are missing.
 */
export const prependedAccept = [
  '*filter',
  ':CNI-FORWARD - [0:0]',
  '-A CNI-FORWARD -s 198.18.0.0/15 -j ACCEPT',
  '-A CNI-FORWARD -d 198.18.0.0/15 -j ACCEPT',
  '-I FORWARD 1 -m comment --comment "cni:forward" -j CNI-FORWARD',
  '-I INPUT 1 -s 198.18.0.0/15 -m comment --comment "cni:workload-to-host" -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

/** The first rule of a built-in chain, as iptables-save prints it (without `-A CHAIN`). */
export function firstRule(t: Topology, ns: string, cmd: string, chain: string): string {
  const line = t.exec(ns, [cmd, '-t', 'filter']).split('\n').find((l) => l.startsWith(`-A ${chain} `));
  return line === undefined ? '' : line.slice(`-A ${chain} `.length);
}

/** The DaemonSet container's shell loop, as the README prints it. */
export function daemonSetLoop(): string {
  const text = readFileSync(readme, 'utf8');
  const m = /args:\n\s+- \|\n((?:\s{14}.*\n)+)/.exec(text);
  if (!m) throw new Error('no DaemonSet loop in the README');
  return m[1]!.replace(/^ {14}/gm, '');
}
