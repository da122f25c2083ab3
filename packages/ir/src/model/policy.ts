import type { SourceRef } from '../diagnostics/diagnostic.js';
import type { LabelSelector } from './selector.js';

/** Transport protocols of NetworkPolicy v1 ports. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** All protocols, in a fixed order. */
export const protocols: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Traffic direction relative to the policy's subject pods. */
export type Direction = 'ingress' | 'egress';

/** Which namespaces a selector peer draws pods from. */
export type NamespaceScope =
  /** No `namespaceSelector`: the policy's own namespace. */
  | { readonly kind: 'policy-namespace' }
  /** `namespaceSelector: {...}`; `{}` selects every namespace. */
  | { readonly kind: 'selector'; readonly selector: LabelSelector };

/** One entry of `from`/`to`. */
export type Peer =
  /** `podSelector` and/or `namespaceSelector` (ANDed when both are in one entry). */
  | {
      readonly kind: 'pods';
      readonly namespaces: NamespaceScope;
      /** Absent `podSelector` is the empty selector (all pods of the namespaces). */
      readonly pods: LabelSelector;
      readonly origin: SourceRef;
    }
  /** `ipBlock: {cidr, except}`, with canonical CIDR strings. */
  | {
      readonly kind: 'ip-block';
      readonly cidr: string;
      readonly except: readonly string[];
      readonly origin: SourceRef;
    };

/** One entry of `ports`, after defaulting (protocol TCP). */
export type PortMatch =
  /** `{protocol}` without a port: every port of the protocol. */
  | { readonly kind: 'all'; readonly protocol: Protocol; readonly origin: SourceRef }
  /** `port` or `port`..`endPort`, inclusive. */
  | { readonly kind: 'range'; readonly protocol: Protocol; readonly from: number; readonly to: number; readonly origin: SourceRef }
  /** A named container port, resolved on the destination pod. */
  | { readonly kind: 'named'; readonly protocol: Protocol; readonly name: string; readonly origin: SourceRef };

/** One ingress or egress rule. */
export interface Rule {
  /** Position in the policy's `ingress`/`egress` list. */
  readonly index: number;
  /** `'any'` when `from`/`to` is omitted or empty: every address. */
  readonly peers: 'any' | readonly Peer[];
  /** `'any'` when `ports` is omitted or empty: every port of every protocol. */
  readonly ports: 'any' | readonly PortMatch[];
  readonly origin: SourceRef;
}

/** A NetworkPolicy after validation and API defaulting. */
export interface Policy {
  readonly namespace: string;
  readonly name: string;
  /** `spec.podSelector`, over pods of `namespace`. */
  readonly subject: LabelSelector;
  /** Rules when the policy isolates ingress (`Ingress` in policyTypes), else null. */
  readonly ingress: readonly Rule[] | null;
  /** Rules when the policy isolates egress, else null. */
  readonly egress: readonly Rule[] | null;
  readonly origin: SourceRef;
}

/** `namespace/name`. */
export function policyId(p: { readonly namespace: string; readonly name: string }): string {
  return `${p.namespace}/${p.name}`;
}
