import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { findExecutable, findPython, ipCommand, probeFile, requiredTools, runCommand } from './tools.js';

/** Whether this machine can run the kernel tests, and if not, why. */
export type KernelSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let cached: KernelSupport | undefined;

/**
 * Checks (once per process; the answer is cached): Linux, root, `ip`, `iptables`,
 * `iptables-legacy`, `iptables-nft`, `ipset`, `nft` and `python3` present, and that a scratch
 * namespace can be created, entered with setns(2), given raw SCTP sockets and queried by
 * nft, both iptables variants and ipset.
 */
export function kernelSupport(): KernelSupport {
  cached ??= probeSupport();
  return cached;
}

const install = 'apt-get install iproute2 iptables ipset nftables python3';

function probeSupport(): KernelSupport {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root: network namespaces need CAP_SYS_ADMIN' };
  const missing: string[] = requiredTools.filter((tool) => findExecutable(tool) === undefined);
  const python = findPython();
  if (python === undefined) missing.push('python3');
  if (missing.length > 0 || python === undefined) {
    return { ok: false, reason: `missing ${missing.join(', ')} (${install})` };
  }
  // No '-' in the name: it can never match a topology prefix pattern `${prefix}-`. A random part
  // too: a process killed before its cleanup leaves its namespace, and pids are reused.
  const scratch = `netpolc_support_${process.pid}_${randomBytes(4).toString('hex')}`;
  const ip = ipCommand();
  const added = runCommand(ip, ['netns', 'add', scratch]);
  if (added.status !== 0) return { ok: false, reason: `cannot create a network namespace: ${added.stderr.trim()}` };
  try {
    const selfTest = runCommand(python, ['-I', '-S', '-B', probeFile('probe.py'), '--self-test', `/run/netns/${scratch}`]);
    if (selfTest.status !== 0) {
      return { ok: false, reason: `setns or raw SCTP socket failed: ${selfTest.stderr.trim().split('\n').pop() ?? ''}` };
    }
    for (const argv of [['nft', 'list', 'tables'], ['iptables-nft', '-S'], ['iptables-legacy', '-S'], ['ipset', 'list', '-n']]) {
      const result = runCommand(ip, ['netns', 'exec', scratch, ...argv]);
      if (result.status !== 0) {
        return { ok: false, reason: `'${argv.join(' ')}' fails in a namespace: ${result.stderr.trim()}` };
      }
    }
    return { ok: true };
  } finally {
    runCommand(ip, ['netns', 'del', scratch]);
  }
}

/**
 * `'require'` when `NETPOLC_KERNEL_TESTS=require` (CI): missing kernel support must fail the
 * kernel tests. `'auto'` otherwise: they are skipped, with the reason in the test name.
 */
export function kernelTestMode(): 'require' | 'auto' {
  return process.env['NETPOLC_KERNEL_TESTS'] === 'require' ? 'require' : 'auto';
}

/**
 * The limit of a kernel test, given with each test: a run from the repository root (`npx vitest
 * run packages/backend-iptables`) does not read a package's vitest.config.ts and would allow 5
 * seconds, less than a reload or probe round takes. 240 s, as the packages' default: in CI,
 * beside six other packages on 2 CPUs, the iptables reload test took 12 s alone and 49-60 s there.
 */
export const kernelTestTimeout = 240_000;

/** How a kernel test file should gate its tests; see {@link kernelGate}. */
export interface KernelGate {
  /** True when the tests must be skipped (no support, mode `auto`). */
  readonly skip: boolean;
  /** The test name, with ` [skipped: <reason>]` appended when skipping (skips stay visible). */
  label(name: string): string;
  /** Throws the reason when support is missing (mode `require`); call first in each test. */
  assertSupported(): void;
}

/**
 * Gate for kernel tests, combining {@link kernelSupport} and {@link kernelTestMode}:
 * `it.skipIf(gate.skip)(gate.label('…'), () => { gate.assertSupported(); … })`.
 */
export function kernelGate(): KernelGate {
  return gateFor(kernelSupport(), kernelTestMode());
}

/**
 * {@link kernelGate} for tests of the bridged layout, which also need br_netfilter (the
 * `net/bridge` sysctls; `modprobe br_netfilter` provides them).
 */
export function bridgedKernelGate(): KernelGate {
  const support = kernelSupport();
  const bridge = existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables');
  return gateFor(support.ok && !bridge ? { ok: false, reason: 'no br_netfilter (/proc/sys/net/bridge missing: modprobe br_netfilter)' } : support, kernelTestMode());
}

/** {@link kernelGate} for a given support answer and mode (pure; unit-tested). */
export function gateFor(support: KernelSupport, mode: 'require' | 'auto'): KernelGate {
  const reason = support.ok ? '' : support.reason;
  const skip = !support.ok && mode === 'auto';
  return {
    skip,
    label: (name) => (skip ? `${name} [skipped: no kernel support: ${reason}]` : name),
    assertSupported: () => {
      if (!support.ok) {
        throw new Error(`kernel tests are required (NETPOLC_KERNEL_TESTS=require) but unavailable: ${reason}`);
      }
    },
  };
}
