import { defineBackend } from '@netpolc/ir';
import { emitIptables } from './emit.js';
import { flags, parseOptions, type IptablesOptions } from './options.js';

export type { IptablesOptions, LogMode } from './options.js';

/**
 * The iptables backend: per node, an `iptables-restore` file per address family and an
 * `ipset restore` file, enforcing the NetworkPolicies of the node's pods from the FORWARD hook.
 */
export const iptablesBackend = defineBackend<IptablesOptions>({
  name: 'iptables',
  outputScope: 'node',
  description: 'per-node iptables-restore (IPv4/IPv6) and ipset restore files, hooked from FORWARD',
  flags,
  parseOptions,
  emit: emitIptables,
});
