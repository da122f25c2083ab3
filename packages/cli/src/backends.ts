import { calicoBackend } from '@netpolc/backend-calico';
import { ciliumBackend } from '@netpolc/backend-cilium';
import { iptablesBackend } from '@netpolc/backend-iptables';
import { nftablesBackend } from '@netpolc/backend-nftables';
import type { Backend } from '@netpolc/ir';

/** The static registry of backends: the set is closed, no loading by name. */
export const backends = {
  iptables: iptablesBackend,
  nftables: nftablesBackend,
  calico: calicoBackend,
  cilium: ciliumBackend,
} as const satisfies Record<string, Backend<object>>;

/** A backend's registry key. */
export type BackendName = keyof typeof backends;

/** Backend names in registry order. */
export const backendNames = Object.keys(backends) as BackendName[];
