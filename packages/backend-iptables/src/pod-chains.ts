import { policyId, sha256Hex, trieNode, trieStep, type AllowTuple, type TrieNode, type Direction, type PortSet, type ResolvedProgram } from '@netpolc/ir';
import type { AddressMatcher } from './addresses.js';
import type { Chain, Family, IpSet, L4Protocol, Match, Rule, Side, Target } from './model.js';
import { chainPrefix, chains, commentText, denyLogId, setPrefix } from './names.js';
import type { IptablesOptions } from './options.js';
import { portParts } from './ports.js';
import { formatRule, shareChain } from './print.js';

/** What every node of one compilation shares while lowering pod chains. */
export interface SharedContext {
  readonly resolved: ResolvedProgram;
  readonly options: IptablesOptions;
  readonly matcher: AddressMatcher;
  /** LOG id of each policy (index = policy index), computed on first use. */
  readonly logIds: () => readonly string[];
  /** Called once per set a tuple uses (the caller warns about huge ones). */
  readonly onSet: (set: IpSet, tuple: AllowTuple) => void;
}

/** A lowered pod chain with the log chains and sets it needs. */
export interface BuiltChain {
  readonly name: string;
  /** Sorts like the name (`E` before `I`, then the hash digits), as a number. */
  readonly order: number;
  /** The pod chain first, then the log chains its rules go to. */
  readonly chains: readonly Chain[];
  /** The sets its rules use, as indices into {@link PodChains.setList}. */
  readonly sets: readonly number[];
  /** The last node ruleset that took this chain in (lowering marks instead of hashing). */
  mark: number;
}

/** A number that sorts like the name of a set (`netpolc4-…` before `netpolc6-…`, then the hash). */
export function setOrder(set: IpSet): number {
  return hexOrder(set.name, setPrefix.length + 2, set.family === 4 ? 0 : 1);
}

/**
 * A number that sorts like a content-addressed name whose hex digits start at `at` (ties are
 * possible only between names equal in their first 13 digits; callers compare names then).
 */
export function hexOrder(name: string, at: number, high: number): number {
  return high * 2 ** 52 + parseInt(name.slice(at, at + 13), 16);
}

/** The rules of one allow tuple in one family, with what they need. */
interface TupleRules {
  readonly rules: readonly Rule[];
  readonly sets: readonly IpSet[];
  readonly logChain: Chain | undefined;
  /**
   * The rules' texts, kept once a second chain takes the tuple in. At kube-scale every tuple is
   * in one chain, and 80k kept texts only added to what the gathering's collections copy (its
   * setup 0.1 s slower in ten alternating runs); where policies overlap, a tuple is in many.
   */
  lines: readonly string[] | undefined;
  /** Whether a chain took the tuple in already. */
  taken: boolean;
}

const letter: Record<Direction, 'E' | 'I'> = { egress: 'E', ingress: 'I' };

const noSets: readonly IpSet[] = Object.freeze([]);
const returnTarget: Target = { kind: 'RETURN' };
const noRules: TupleRules = { rules: [], sets: noSets, logChain: undefined, lines: [], taken: true };

/** The `-p` and port match of rules for one protocol part of a port set (none: every protocol). */
interface PortRule {
  readonly protocol: L4Protocol | undefined;
  readonly match: Match | undefined;
}

/** A rule of a tuple: the peer address on its side (none for every address), then the matches. */
function tupleRule(side: Side, cidr: string | undefined, protocol: L4Protocol | undefined, matches: Match[], target: Target): Rule {
  if (cidr === undefined) return protocol === undefined ? { matches, target } : { protocol, matches, target };
  if (side === 'src') return protocol === undefined ? { source: cidr, matches, target } : { source: cidr, protocol, matches, target };
  return protocol === undefined ? { destination: cidr, matches, target } : { destination: cidr, protocol, matches, target };
}

/** The peer is the destination for egress and the source for ingress. */
function peerSide(direction: Direction): Side {
  return direction === 'egress' ? 'dst' : 'src';
}

/** A non-terminating log rule (LOG or NFLOG), rate-limited. */
export function logRule(options: IptablesOptions, prefix: string, comment: string): Rule {
  const target: Target = options.logTarget === 'nflog' ? { kind: 'NFLOG', prefix, group: options.nflogGroup } : { kind: 'LOG', prefix, level: 5 };
  return { matches: [{ kind: 'limit', rate: options.logRate }, { kind: 'comment', text: commentText(comment) }], target };
}

/**
 * The per-pod chains of one family, built once per distinct list of allow tuples and shared by
 * every pod (on any node) with that list: replicas of a workload, and all pods a policy selects
 * alike. Work per node is then a lookup per local pod; tuples themselves are lowered once each
 * (the resolved layer shares a tuple object between all subjects of a rule).
 */
export class PodChains {
  /**
   * Rules per tuple object. The resolved layer shares a tuple between all subjects of a rule;
   * only ingress named ports make one per subject (then equal chains still share a name).
   */
  private readonly tupleRules = new Map<AllowTuple, TupleRules>();
  /** Per direction, built chains by the pod's tuple list (and policies, with DENY logs). */
  private readonly roots: Record<Direction, TrieNode<AllowTuple | number, BuiltChain>> = { egress: trieNode(), ingress: trieNode() };
  private readonly logDenied: boolean;
  private readonly byName = new Map<string, BuiltChain>();
  /**
   * Every set the pod chains use, by index, with its sort key ({@link setOrder}) and the last node
   * ruleset that took it in: plain arrays, so that collecting a node's sets touches no set object.
   */
  readonly setList: IpSet[] = [];
  readonly setOrders: number[] = [];
  readonly setMarks: number[] = [];
  readonly setIndex = new Map<IpSet, number>();
  private readonly logChains = new Map<string, Chain>();
  private readonly portRules = new Map<PortSet, readonly PortRule[]>();
  private readonly rejectRule: Rule;
  private readonly dropRule: Rule = { matches: [], target: { kind: 'DROP' } };
  private readonly rejectLine: string;
  private readonly dropLine = formatRule(this.dropRule);

  constructor(
    private readonly shared: SharedContext,
    private readonly family: Family,
  ) {
    this.rejectRule = { matches: [], target: { kind: 'goto', chain: chains.reject } };
    this.rejectLine = formatRule(this.rejectRule);
    this.logDenied = shared.options.log === 'denied' || shared.options.log === 'all';
  }

  /** The chain deciding `direction` of an isolated pod (its name, chains and sets). */
  chain(pod: number, direction: Direction): BuiltChain {
    const d = this.shared.resolved[direction][pod]!;
    // A walk down a trie keyed by tuple objects (identity lookups, no key strings): pods with the
    // same tuples (the resolved layer shares tuple objects between subjects) end at one node.
    let node = this.roots[direction];
    for (const t of d.tuples) node = trieStep(node, t);
    // DENY log prefixes name the isolating policies: they are part of the chain then.
    if (this.logDenied) for (const p of d.policies) node = trieStep(node, p);
    return (node.value ??= this.build(pod, direction));
  }

  private build(pod: number, direction: Direction): BuiltChain {
    const { resolved, options } = this.shared;
    const d = resolved[direction][pod]!;
    // The resolved layer deduplicates tuples by (peer set, ports, policy, rule, peer), and every
    // rule carries that provenance in its comment: rules of different tuples never coincide.
    // The rules are kept with the chain: a list at its exact size (see exactSize in ir).
    let count = this.logDenied ? 2 : 1;
    for (const t of d.tuples) count += this.rulesOf(t, direction).rules.length;
    const rules = new Array<Rule>(count);
    const lines = new Array<string>(count);
    let at = 0;
    const sets = new Set<IpSet>();
    const logChains: Chain[] = [];
    for (const t of d.tuples) {
      const tr = this.rulesOf(t, direction);
      let texts = tr.lines;
      if (texts === undefined) {
        texts = tr.rules.map(formatRule);
        if (tr.taken) tr.lines = texts;
        tr.taken = true;
      }
      for (let i = 0; i < tr.rules.length; i++, at++) {
        rules[at] = tr.rules[i]!;
        lines[at] = texts[i]!;
      }
      for (const s of tr.sets) sets.add(s);
      if (tr.logChain && !logChains.includes(tr.logChain)) logChains.push(tr.logChain);
    }
    if (this.logDenied) {
      const logIds = this.shared.logIds();
      const id = denyLogId(d.policies.map((p) => logIds[p]!));
      const names = d.policies.map((p) => policyId(resolved.program.policies[p]!)).join(', ');
      const log = logRule(options, `netpolc DENY-${letter[direction]} ${id} `, `${direction} isolated by ${names}`);
      rules[at] = log;
      lines[at++] = formatRule(log);
    }
    rules[at] = options.denyAction === 'reject' ? this.rejectRule : this.dropRule;
    lines[at] = options.denyAction === 'reject' ? this.rejectLine : this.dropLine;
    // Named by content (the rule texts, one per line): equal rules (same tuples, same options)
    // give the same chain on every node.
    const name = `${chainPrefix}${letter[direction]}-${sha256Hex(lines.join('\n')).slice(0, 12)}`;
    let built = this.byName.get(name);
    if (!built) {
      const uses = [...sets].map((set) => {
        let index = this.setIndex.get(set);
        if (index === undefined) {
          index = this.setList.length;
          this.setList.push(set);
          this.setOrders.push(setOrder(set));
          this.setMarks.push(-1);
          this.setIndex.set(set, index);
        }
        return index;
      });
      built = { name, order: hexOrder(name, chainPrefix.length + 2, direction === 'egress' ? 0 : 1), chains: [shareChain({ name, rules }, lines), ...logChains], sets: uses, mark: -1 };
      this.byName.set(name, built);
    }
    return built;
  }

  /** Rules of one allow tuple for this family (none when the peer has no address of it). */
  private rulesOf(t: AllowTuple, direction: Direction): TupleRules {
    const cached = this.tupleRules.get(t);
    if (cached) return cached;
    const { resolved, options, matcher } = this.shared;
    const peers = resolved.peerSets[t.peer]!;
    const addresses = matcher.match(t.peer, this.family === 4 ? peers.v4 : peers.v6, this.family);
    let out: TupleRules;
    if (addresses.kind === 'none') out = noRules;
    else {
      const side = peerSide(direction);
      const addressParts: { cidr?: string; set?: Match }[] = [];
      if (addresses.kind === 'all') addressParts.push({});
      else if (addresses.kind === 'cidrs') for (const cidr of addresses.cidrs) addressParts.push({ cidr });
      else {
        this.shared.onSet(addresses.set, t);
        addressParts.push({ set: { kind: 'set', set: addresses.set.name, side } });
      }
      const policy = resolved.program.policies[t.provenance.policy]!;
      const { rule, peer } = t.provenance;
      const where = `${direction}[${rule}]${peer === null ? '' : ` ${direction === 'egress' ? 'to' : 'from'}[${peer}]`}`;
      const comment: Match = { kind: 'comment', text: commentText(`${policyId(policy)} ${where}`) };
      const logAllowed = options.log === 'allowed' || options.log === 'all';
      const logChain = logAllowed ? this.allowLogChain(t.provenance.policy, direction) : undefined;
      const target: Target = logChain ? { kind: 'goto', chain: logChain.name } : returnTarget;
      const ports = this.portsOf(t.ports);
      // Kept for the whole emit, with their chain: at its exact size.
      const rules = new Array<Rule>(addressParts.length * ports.length);
      let at = 0;
      for (const a of addressParts) {
        for (const p of ports) {
          const matches = a.set ? (p.match ? [a.set, p.match, comment] : [a.set, comment]) : p.match ? [p.match, comment] : [comment];
          rules[at++] = tupleRule(side, a.cidr, p.protocol, matches, target);
        }
      }
      out = { rules, sets: addresses.kind === 'set' ? [addresses.set] : noSets, logChain, lines: undefined, taken: false };
    }
    this.tupleRules.set(t, out);
    return out;
  }

  /**
   * The protocol and port match of each rule a port set needs, made once per port set (the
   * resolution makes one object per distinct list of ports) and shared by the rules using it.
   */
  private portsOf(ports: PortSet): readonly PortRule[] {
    let out = this.portRules.get(ports);
    if (!out) {
      out = portParts(ports).map((p): PortRule => ({ protocol: p.protocol, match: p.ports ? { kind: 'ports', ports: p.ports } : undefined }));
      this.portRules.set(ports, out);
    }
    return out;
  }

  /** The chain that logs an allowed connection for one policy and direction, then returns. */
  private allowLogChain(policy: number, direction: Direction): Chain {
    const id = this.shared.logIds()[policy]!;
    const name = `${chainPrefix}LOG-${letter[direction]}-${id}`;
    let chain = this.logChains.get(name);
    if (!chain) {
      const p = this.shared.resolved.program.policies[policy]!;
      chain = shareChain({ name, rules: [logRule(this.shared.options, `netpolc ALLOW-${letter[direction]} ${id} `, `allowed by ${policyId(p)} (${direction})`)] });
      this.logChains.set(name, chain);
    }
    return chain;
  }
}
