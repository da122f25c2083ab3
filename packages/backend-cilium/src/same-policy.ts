// What the rules of one policy allow, whatever pods it selects: the pods Cilium will select at
// run time (a pod labelled later, a Job not yet started) have that policy's rules at least, so
// this is what may show an address allowed anyway when the inventory has no subject to ask.
import { portSetOf, type Address, type Direction, type Peer, type Policy, type PortSet, type Protocol, type Rule } from '@netpolc/ir';
import { blockSetOf, covers, familyWhole, portSubset, type BlockPeer, type BlockSet } from './coverage.js';

type PodPeer = Extract<Peer, { kind: 'pods' }>;

/** A rule's ports, or undefined when it names ports (resolved per destination pod: not comparable here). */
function portsOf(rule: Rule): PortSet | undefined {
  if (rule.ports === 'any') return { kind: 'any' };
  const triples: [Protocol, number, number][] = [];
  for (const p of rule.ports) {
    if (p.kind === 'named') return undefined;
    triples.push(p.kind === 'all' ? [p.protocol, 0, 65535] : [p.protocol, p.from, p.to]);
  }
  return portSetOf(triples);
}

/** A rule with its ipBlocks and ports. */
interface Compared {
  readonly rule: Rule;
  readonly blocks: BlockSet;
  readonly anyPeer: boolean;
  readonly ports: PortSet | undefined;
}

/** The rules of a policy's direction, each with its ipBlocks and ports, made once per policy. */
export class PolicyRules {
  private readonly memo = new Map<string, Compared[]>();

  constructor(private readonly policies: readonly Policy[]) {}

  private rules(pi: number, direction: Direction): Compared[] {
    const key = `${pi}/${direction}`;
    let found = this.memo.get(key);
    if (!found) {
      found = (this.policies[pi]![direction] ?? []).map((rule) => ({
        rule,
        anyPeer: rule.peers === 'any',
        blocks: blockSetOf(rule.peers === 'any' ? [] : rule.peers.filter((p): p is BlockPeer => p.kind === 'ip-block')),
        ports: portsOf(rule),
      }));
      this.memo.set(key, found);
    }
    return found;
  }

  /** The rules of the policy that allow every port rule `ruleIndex` allows (none when it names ports). */
  private wider(pi: number, direction: Direction, ruleIndex: number): Compared[] {
    const rules = this.rules(pi, direction);
    const needed = rules.find((r) => r.rule.index === ruleIndex)?.ports;
    return needed ? rules.filter((r) => r.ports !== undefined && portSubset(needed, r.ports)) : [];
  }

  /**
   * Whether some rule of the policy allows `address` (of a pod that `selects` says its pod peers
   * select, if any) on every port that rule `ruleIndex` allows.
   */
  allows(pi: number, direction: Direction, ruleIndex: number, address: Address, selects?: (peer: PodPeer) => boolean): boolean {
    return this.wider(pi, direction, ruleIndex).some((r) => {
      if (r.anyPeer || covers(r.blocks, address)) return true;
      return selects !== undefined && r.rule.peers !== 'any' && r.rule.peers.some((p) => p.kind === 'pods' && selects(p));
    });
  }

  /** Whether some rule of the policy allows every address of `family` on every port that rule `ruleIndex` allows. */
  allowsFamily(pi: number, direction: Direction, ruleIndex: number, family: 4 | 6): boolean {
    return this.wider(pi, direction, ruleIndex).some((r) => r.anyPeer || familyWhole(r.blocks, family));
  }
}
