// The kernel-audit scenarios (src/testing/audit-scenarios.ts) as the reference evaluator decides
// them, pinned against semantics.md: the firewall backends' kernel-audit tests compare real
// packets with evaluate(), so these pins keep kernel and evaluator from agreeing on a wrong
// answer, and they run everywhere, root or not.
import { describe, expect, it } from 'vitest';
import { evaluate, type Program, type Protocol, type SemanticsOptions } from '../src/index.js';
import { auditInventory, bigNodeObjects, ipBlockPolicies, labelPolicies, loadValid, manyPortsPolicy, namedPortPolicies, type Manifest } from '../src/testing/index.js';

/** A source: a pod (`ns/name`) or a node (its address of the destination's family). */
type From = { readonly pod: string } | { readonly node: string };
type Pin = readonly [from: From, to: string, protocol: Protocol, port: number, allowed: boolean, why?: string];

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadValid(objects, { semantics }).program;
}

function verdict(program: Program, [from, to, protocol, port]: Pin): boolean {
  const family6 = to.includes(':');
  const src =
    'pod' in from
      ? { kind: 'pod' as const, namespace: from.pod.split('/')[0]!, name: from.pod.split('/')[1]! }
      : { kind: 'ip' as const, ip: program.inventory.nodes.find((n) => n.name === from.node)!.addresses.find((a) => a.ip.includes(':') === family6)!.ip };
  const v = evaluate(program, { src, dst: { kind: 'ip', ip: to }, protocol, port });
  if ('error' in v) throw new Error(v.error);
  return v.allowed;
}

function check(program: Program, pins: readonly Pin[]): void {
  for (const pin of pins) expect(verdict(program, pin), `${JSON.stringify(pin[0])} -> ${pin[1]} ${pin[2]}/${pin[3]} ${pin[5] ?? ''}`).toBe(pin[4]);
}

const client = { pod: 'y/client' };
const client2 = { pod: 'y/client2' };
const node1 = { node: 'node-1' };
const node2 = { node: 'node-2' };

describe('kernel-audit scenarios under the reference evaluator', () => {
  it('ports: inclusive ranges to 65535, per protocol (§2.3)', () => {
    check(load([...auditInventory(), manyPortsPolicy]), [
      [client, '198.18.1.10', 'TCP', 65535, true],
      [client, '198.18.1.10', 'TCP', 64999, false],
      [client, '2001:db8::1:10', 'SCTP', 65535, true],
      [client, '198.18.1.10', 'UDP', 65534, false],
    ]);
  });

  it('named ports resolve on the destination pod, under their own protocol (§2.3)', () => {
    check(load([...auditInventory(), ...namedPortPolicies]), [
      [client, '198.18.0.10', 'TCP', 8080, true, 'web is 8080 on srv1'],
      [client, '198.18.1.10', 'TCP', 8080, false, 'and 9090 on srv2'],
      [client, '198.18.0.10', 'TCP', 7071, true, 'svc is TCP 7071 on srv1'],
      [client, '198.18.1.10', 'UDP', 7070, true, 'and UDP 7070 on srv2'],
      [client, '198.18.1.10', 'TCP', 7070, false],
      [client, '198.18.1.30', 'TCP', 8080, false],
      [client, '198.18.1.10', 'TCP', 9090, true, "towards ipBlocks: srv2's IPv4 address is inside 198.18.0.0/15"],
      [client, '2001:db8::1:10', 'TCP', 9090, false, 'its IPv6 one outside 2001:db8::/112'],
      [client, '2001:db8::20', 'TCP', 8181, true, 'IPv6-only destination'],
      [client2, '2001:db8::20', 'TCP', 8181, false],
      [client, '198.18.1.30', 'UDP', 7072, true, 'IPv4-only destination'],
    ]);
  });

  it('ipBlocks: except is no deny, /32 and /128, IPv4 blocks never open IPv6, node addresses (§2.2, §2.6)', () => {
    check(load([...auditInventory(), ...ipBlockPolicies]), [
      [client, '198.18.1.10', 'TCP', 80, true, "another peer's /32 allows what 0.0.0.0/0's except removed"],
      [client, '198.18.0.10', 'TCP', 80, false],
      [client, '2001:db8::1:20', 'TCP', 81, true, "/128 inside ::/0's except"],
      [client, '2001:db8::1:10', 'TCP', 81, false],
      [client, '2001:db8::10', 'TCP', 81, true, '::/0 itself'],
      [client, '198.18.0.10', 'TCP', 443, true],
      [client, '2001:db8::10', 'TCP', 443, false, 'an IPv4 block never opens IPv6'],
      [client2, '2001:db8::20', 'TCP', 80, false],
      [node2, '2001:db8::20', 'TCP', 443, true, 'node addresses by ipBlock'],
      [node2, '2001:db8::20', 'TCP', 80, false],
      [node1, '2001:db8::20', 'TCP', 80, true, 'node-local ingress'],
      [node1, '198.18.1.30', 'TCP', 80, true],
      [client, '198.19.0.1', 'TCP', 80, false],
      [client, '198.18.0.10', 'SCTP', 80, false, 'excepts covering their whole cidr allow nothing'],
      [client, '2001:db8::10', 'SCTP', 80, false],
      [{ pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 443, true, 'an IPv6-only pod reaches its node'],
      [{ pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 80, false],
      [{ pod: 'x/v6b' }, '2001:db8::10', 'TCP', 443, true],
    ]);
  });

  it('ipBlocks without pods, without node addresses, and without node-local ingress (the profile knobs, §3)', () => {
    check(load([...auditInventory(), ...ipBlockPolicies], { ipBlockMatchesPods: false }), [
      [client, '198.18.1.10', 'TCP', 80, false, 'only the /32 peer allowed it; pods are no longer in ipBlocks'],
      [client, '2001:db8::10', 'TCP', 81, false],
      [node2, '2001:db8::20', 'TCP', 443, true],
    ]);
    check(load([...auditInventory(), ...ipBlockPolicies]), [[node1, '198.18.1.30', 'TCP', 80, true, 'node-1 -> x/v4 (on node-2) by 198.19.0.0/16']]);
    check(load([...auditInventory(), ...ipBlockPolicies], { ipBlockMatchesNodes: false }), [
      [{ pod: 'x/v6a' }, '2001:db8:ff::1', 'TCP', 443, false, '::/0 no longer holds the node addresses'],
      [{ pod: 'x/v6b' }, '2001:db8::10', 'TCP', 443, true],
      [node1, '198.18.1.30', 'TCP', 80, false, 'nor does 198.19.0.0/16'],
      [node2, '198.18.1.30', 'TCP', 80, true, 'node-local ingress is its own knob'],
    ]);
    check(load([...auditInventory(), ...ipBlockPolicies], { allowNodeLocalIngress: false }), [
      [node1, '2001:db8::20', 'TCP', 80, false, 'no ipBlock names node-1 for v6a'],
      [node2, '198.18.1.30', 'TCP', 80, true, 'node-2 -> x/v4 by 198.19.0.0/16'],
      [node2, '198.18.1.30', 'TCP', 443, false],
    ]);
  });

  it('a hostNetwork pod whose labels a selector matches is node traffic (§2.1)', () => {
    check(load([...auditInventory(), ...labelPolicies]), [
      [node2, '198.18.0.10', 'TCP', 80, false, 'node-2 carries y/hostagent (role=client): only ipBlocks match it'],
      [node2, '198.18.1.10', 'TCP', 81, true],
      [client, '198.18.0.10', 'TCP', 80, true],
    ]);
  });

  it('a label change: y/client2 gains role=client, reaching srv on 80 and becoming ingress-isolated', () => {
    const before = load([...auditInventory('other'), ...labelPolicies]);
    const after = load([...auditInventory('client'), ...labelPolicies]);
    check(before, [
      [client2, '198.18.0.10', 'TCP', 80, false],
      [node1, '198.18.1.40', 'TCP', 80, true],
    ]);
    check(after, [
      [client2, '198.18.0.10', 'TCP', 80, true],
      [client2, '2001:db8::10', 'TCP', 80, true],
      [client2, '2001:db8::10', 'UDP', 80, false],
      [node1, '198.18.1.40', 'TCP', 80, false, 'now isolated for ingress (81 only)'],
      [{ pod: 'x/srv1' }, '198.18.1.40', 'TCP', 81, true],
      [{ pod: 'x/srv1' }, '198.18.1.40', 'TCP', 80, false],
    ]);
  });

  it('40 pods on one node: groups decided by their own policies', () => {
    check(load(bigNodeObjects()), [
      [{ pod: 'x/p1' }, '198.18.12.127', 'UDP', 81, true, "p1 (g1) -> p2 (g2): g2's ingress allows UDP 81"],
      [{ pod: 'x/p1' }, '198.18.0.1', 'TCP', 80, false, "p1 -> p0 (g0) denied by g1's egress"],
    ]);
  });
});
