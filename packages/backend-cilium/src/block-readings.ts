// How Cilium agents read some ipBlocks differently from Kubernetes, and which blocks netpolc
// therefore leaves out of a rule (lower-rule.ts).
import { cidrBounds, parseCidr } from '@netpolc/ir';
import type { BlockPeer } from './coverage.js';
import { ciliumDiagnostic } from './diagnostics.js';
import type { LowerContext } from './lower-rule.js';
import { atLeast, ciliumFeatures, formatVersion } from './options.js';
import type { Notes } from './ports.js';

/**
 * Whether an ipBlock is written. An agent that is not dual-stack reads the other family's /0 as
 * `reserved:world`, every address outside the cluster of its own family (pkg/policy/api/cidr.go,
 * CIDRRuleSlice.GetAsEndpointSelectors, worldLabelNonDualStack): `::/0` beside `0.0.0.0/0 except
 * 169.254.169.254/32` re-admitted the metadata service. In a single-stack cluster a block of the
 * other family matches no traffic at all, so it is left out. The pod network's families decide
 * (pod addresses, --cluster-cidr), not the nodes', which a dual-stack cluster may list in IPv4
 * only; when nothing shows them, a /0 of a family no node has either is written with a warning.
 */
export function ofClusterFamily(ctx: LowerContext, peer: BlockPeer, where: string, notes: Notes): boolean {
  const cidr = parseCidr(peer.cidr)!;
  if (ctx.podFamilies.size === 0) {
    // Nodes of the block's family show the cluster runs it, so the agent reads the /0 as that
    // family's world (or the world of a single-stack cluster of it): exact either way.
    if (cidr.prefix === 0 && !ctx.families.has(cidr.family)) notes.diagnostic(ciliumDiagnostic('backend-cilium/world-block-families-unknown', { cidr: peer.cidr }, peer.origin));
    return true;
  }
  if (ctx.podFamilies.size > 1 || ctx.podFamilies.has(cidr.family)) return true;
  const own = cidr.family === 4 ? 'IPv6' : 'IPv4';
  notes.diagnostic(ciliumDiagnostic('backend-cilium/other-family-block', { cidr: peer.cidr, family: own }, peer.origin));
  notes.report(`${where}: ipBlock ${peer.cidr} left out: the cluster is ${own}-only, where it matches nothing (and Cilium would read a /0 of it as the whole ${own} world)`);
  return false;
}

/** `::fffe:0:0/96`, the neighbour of the IPv4-mapped range `::ffff:0:0/96`. */
const neighbourBounds = cidrBounds(parseCidr('::fffe:0:0/96')!);

/**
 * Before 1.17 the agent expands excepts itself into the prefixes around them (ComputeResultantCIDRSet,
 * until cilium/cilium#35139) and prints each with Go's net.IPNet.String, which prints a prefix
 * inside ::ffff:0:0/96 as IPv4: `::ffff:0:0/96` becomes "0.0.0.0/0", every IPv4 address. That
 * prefix is produced when the block spans it and an except lies in its neighbour ::fffe:0:0/96
 * (excepts inside the mapped range itself are refused by validation): an error, the peer left out.
 */
export function exceptReachesMapped(ctx: LowerContext, peer: BlockPeer, where: string, notes: Notes): boolean {
  if (atLeast(ctx.options.ciliumVersion, ciliumFeatures.exceptsAsSelectors)) return false;
  const cidr = parseCidr(peer.cidr)!;
  if (cidr.family !== 6 || cidr.prefix > 95) return false;
  // An except inside another except of the block adds nothing: the agent's expansion removes the
  // outer one whole (`::/0 except [::/64, ::fffe:0:0/96]` produces no mapped prefix).
  const bounds = peer.except.map((e) => cidrBounds(parseCidr(e)!));
  const inner = (i: number): boolean => bounds.some((b, j) => j !== i && b[0] <= bounds[i]![0] && bounds[i]![1] <= b[1] && (b[0] !== bounds[i]![0] || b[1] !== bounds[i]![1] || j < i));
  const except = peer.except.find((_, i) => {
    const [lo, hi] = bounds[i]!;
    return lo >= neighbourBounds[0] && hi <= neighbourBounds[1] && !inner(i);
  });
  if (except === undefined) return false;
  const version = formatVersion(ctx.options.ciliumVersion);
  notes.diagnostic(ciliumDiagnostic('backend-cilium/except-reads-as-ipv4', { version, cidr: peer.cidr, except }, peer.origin));
  notes.report(`${where}: ipBlock ${peer.cidr} except ${except} left out: Cilium ${version} would expand it into ::ffff:0:0/96, which it reads as 0.0.0.0/0 (error)`);
  return true;
}
