import { formatCidr, NoTarget, parseCidr, type Diagnostic, type OptionSpec, type RawOptions } from '@netpolc/ir';
import { ciliumDiagnostic } from './diagnostics.js';

/** A Cilium release, `major.minor` (patch releases do not change policy semantics). */
export interface CiliumVersion {
  readonly major: number;
  readonly minor: number;
}

/** Typed options of the Cilium backend. */
export interface CiliumOptions {
  /**
   * Oldest Cilium release the output must work on; gates port ranges (1.16), SCTP (1.13), ICMP
   * rules (1.12), writing a lone /0 CIDR as its halves (before 1.15, which reads it as both
   * families) and the selector key lengths the agent accepts (limits loosened in 1.20 and 1.21).
   * @defaultValue 1.17
   */
  readonly ciliumVersion: CiliumVersion;
  /**
   * Pod CIDRs of the cluster (canonical), used to decide which pods an ipBlock covers when no
   * inventory of pods is given.
   * @defaultValue []
   */
  readonly clusterCidrs: readonly string[];
  /**
   * This cluster's name in a Cilium ClusterMesh (the agent's `--cluster-name`): every peer
   * endpoint selector then names it, so that same-labelled pods of the other clusters are not
   * selected (Cilium up to 1.18 selects endpoints of every cluster by default).
   * @defaultValue undefined (selectors name no cluster)
   */
  readonly clusterName: string | undefined;
  /**
   * Add the host and remote-node entities for ipBlocks that cover every node address of the
   * inventory but not whole address families, accepting that the entities also hold node
   * addresses no Node object lists. Off, such node traffic is denied (warning).
   * @defaultValue false
   */
  readonly nodeEntities: boolean;
  /**
   * Put a policy-by-policy migration report in `EmitResult.report`.
   * @defaultValue false
   */
  readonly report: boolean;
  /**
   * Emit one stream (`--out-dir -`) instead of one file per namespace.
   * @defaultValue false
   */
  readonly stdout: boolean;
}

/**
 * Default target. 1.17 is the oldest release whose policy engine has everything the output
 * relies on (port ranges since 1.16, cilium/cilium#32807; SCTP since 1.13) and which also
 * honours endPort in Kubernetes NetworkPolicies (semantics.md §5.4), so the same output can sit
 * next to the original policies. Every later release accepts it unchanged.
 */
export const defaultCiliumVersion: CiliumVersion = Object.freeze({ major: 1, minor: 17 });

/** Oldest release netpolc accepts (the `cilium.io/v2` CRDs with `fromCIDRSet` and entities). */
export const minimumCiliumVersion: CiliumVersion = Object.freeze({ major: 1, minor: 10 });

/** Feature gates by release. */
export const ciliumFeatures = {
  /** `endPort` in `PortProtocol` (cilium/cilium#32807, v1.16.0 release notes). */
  portRanges: { major: 1, minor: 16 },
  /** SCTP policy enforcement (cilium/cilium#20033, v1.13). */
  sctp: { major: 1, minor: 13 },
  /** `icmps` rules enforced by default (cilium/cilium#20174; behind --enable-icmp-rules in 1.11, #16516). */
  icmpRules: { major: 1, minor: 12 },
  /** A /0 CIDR selects its own family only, not `reserved:world` (cilium/cilium#22625, fixing #22610; merged after 1.14.0). */
  worldPerFamily: { major: 1, minor: 15 },
  /** Excepts written as selectors of their own prefixes instead of expanded by the agent (cilium/cilium#35139). */
  exceptsAsSelectors: { major: 1, minor: 17 },
  /** Selector keys checked without their `k8s.` source (cilium/cilium#43536). */
  sourcelessKeyCheck: { major: 1, minor: 20 },
  /** Namespace label keys checked without Cilium's prefix (cilium/cilium#47845, fixing #47817). */
  longSelectorKeys: { major: 1, minor: 21 },
} as const satisfies Record<string, CiliumVersion>;

/** True when `v` is at least `min`. */
export function atLeast(v: CiliumVersion, min: CiliumVersion): boolean {
  return v.major > min.major || (v.major === min.major && v.minor >= min.minor);
}

/** `1.17`. */
export function formatVersion(v: CiliumVersion): string {
  return `${v.major}.${v.minor}`;
}

/** CLI flags of the backend (kebab-case). */
export const ciliumFlags: Readonly<Record<string, OptionSpec>> = {
  'cilium-version': {
    type: 'string',
    value: 'X.Y',
    description: `oldest Cilium release the output must work on; gates port ranges (1.16), SCTP (1.13), ICMP rules (1.12), lone /0 CIDRs written as halves (before 1.15) and the selector key lengths the agent accepts (1.20, 1.21) (default ${formatVersion(defaultCiliumVersion)})`,
  },
  'cluster-cidr': {
    type: 'string',
    multiple: true,
    value: 'CIDR',
    description: 'pod CIDR of the cluster, to find the pods an ipBlock covers when no inventory is given; list every one, of both families in a dual-stack cluster: pods are taken to have no address outside them (repeatable)',
  },
  'cluster-name': {
    type: 'string',
    value: 'NAME',
    description: "this cluster's name in a ClusterMesh (the agent's --cluster-name): peer selectors name it, so that pods of the other clusters are not selected",
  },
  'node-entities': {
    type: 'boolean',
    description: 'add the host and remote-node entities for ipBlocks that cover every node address of the inventory but not whole families, although they also admit node addresses no Node object lists (router and interface addresses); without it that node traffic is denied, with a warning',
  },
  report: { type: 'boolean', description: 'print a policy-by-policy migration report of every adjustment made for Cilium' },
};

/** Validates raw flags; problems become diagnostics and defaults are used instead. */
export function parseCiliumOptions(raw: RawOptions): { options: CiliumOptions; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let ciliumVersion = defaultCiliumVersion;
  const rawVersion = raw['cilium-version'];
  if (typeof rawVersion === 'string') {
    const m = /^v?(\d{1,3})\.(\d{1,3})(?:\.\d{1,3})?$/.exec(rawVersion.trim());
    if (!m) {
      diagnostics.push(ciliumDiagnostic('backend-cilium/invalid-option', { flag: 'cilium-version', value: rawVersion, reason: 'expected a release such as 1.17 or 1.17.3' }, NoTarget));
    } else {
      const v = { major: Number(m[1]), minor: Number(m[2]) };
      if (!atLeast(v, minimumCiliumVersion)) {
        diagnostics.push(ciliumDiagnostic('backend-cilium/invalid-option', { flag: 'cilium-version', value: rawVersion, reason: `netpolc supports Cilium ${formatVersion(minimumCiliumVersion)} and later` }, NoTarget));
      } else {
        ciliumVersion = v;
      }
    }
  }
  const rawCidrs = raw['cluster-cidr'];
  const list = typeof rawCidrs === 'string' ? [rawCidrs] : Array.isArray(rawCidrs) ? (rawCidrs as readonly string[]) : [];
  const clusterCidrs: string[] = [];
  for (const text of list) {
    const c = parseCidr(text.trim());
    if (!c) {
      diagnostics.push(ciliumDiagnostic('backend-cilium/invalid-option', { flag: 'cluster-cidr', value: text, reason: 'expected an IPv4 or IPv6 CIDR such as 10.244.0.0/16' }, NoTarget));
      continue;
    }
    clusterCidrs.push(formatCidr(c.family, c.network, c.prefix));
  }
  let clusterName: string | undefined;
  const rawName = raw['cluster-name'];
  if (typeof rawName === 'string') {
    // pkg/clustermesh/types: at most 32 characters, lower case alphanumerics and '-', beginning
    // and ending with an alphanumeric.
    if (/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(rawName)) clusterName = rawName;
    else diagnostics.push(ciliumDiagnostic('backend-cilium/invalid-option', { flag: 'cluster-name', value: rawName, reason: "a Cilium cluster name has at most 32 lower case letters, digits and '-', and begins and ends with a letter or digit" }, NoTarget));
  }
  return {
    options: { ciliumVersion, clusterCidrs: [...new Set(clusterCidrs)].sort(), clusterName, nodeEntities: raw['node-entities'] === true, report: raw['report'] === true, stdout: raw['out-dir'] === '-' },
    diagnostics,
  };
}
