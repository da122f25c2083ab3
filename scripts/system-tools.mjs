// Kernel tests need iptables, ipset, nftables and iproute2. As root on a machine that lacks
// them (a fresh CI machine), install them with apt; otherwise do nothing. Never fails the run:
// the kernel tests themselves report loudly what is missing.
import { spawnSync } from 'node:child_process';

const tools = { iptables: 'iptables', ipset: 'ipset', nft: 'nftables', ip: 'iproute2' };

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function ensureSystemTools() {
  const missing = Object.entries(tools).filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.log(`note: ${missing.join(', ')} missing and not root: kernel tests will be skipped`);
    return;
  }
  console.log(`installing ${missing.join(' ')} for the kernel tests (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}
