import type { Inventory } from './inventory.js';
import type { SemanticsOptions } from './options.js';
import type { Policy } from './policy.js';

/**
 * The symbolic IR: validated, defaulted policies (sorted by namespace and name) and the
 * inventory they apply to. Calico and Cilium backends translate this layer.
 */
export interface Program {
  readonly policies: readonly Policy[];
  readonly inventory: Inventory;
  readonly semantics: SemanticsOptions;
}
