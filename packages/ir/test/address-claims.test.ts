// Repeated address claims, found by sorting, agree with the plain reading: a map from address
// text to its first claimant, filled by nodes and then pods in order.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Address, Node, Pod } from '../src/index.js';
import { repeatedClaims, type RepeatedClaim } from '../src/lower/address-claims.js';
import { canonicalAddress } from '../src/lower/pod-fast.js';
import { propertyParams } from '../src/testing/index.js';

const pool = ['198.18.0.1', '198.18.0.2', '198.18.0.3', '0.0.0.0', '255.255.255.255', 'fd00::1', 'fd00::2'].map((t) => canonicalAddress(t)!);
const addressesArb = fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3, selector: (a) => a.ip });

function reference(nodes: readonly Node[], pods: readonly Pod[]): Map<number, RepeatedClaim[]> {
  const owners = new Map<string, Node | Pod>();
  for (const n of nodes) for (const a of n.addresses) if (!owners.has(a.ip)) owners.set(a.ip, n);
  const out = new Map<number, RepeatedClaim[]>();
  pods.forEach((p, i) => {
    for (const a of p.addresses) {
      const first = owners.get(a.ip);
      if (!first) owners.set(a.ip, p);
      else out.set(i, [...(out.get(i) ?? []), { ip: a.ip, first }]);
    }
  });
  return out;
}

it('finds every repeated claim, with its first claimant, in pod and address order', () => {
  fc.assert(
    fc.property(fc.array(addressesArb, { maxLength: 4 }), fc.array(addressesArb, { maxLength: 12 }), (nodeAddresses, podAddresses) => {
      const nodes = nodeAddresses.map((addresses: Address[], i) => ({ name: `n${i}`, addresses }) as unknown as Node);
      const pods = podAddresses.map((addresses: Address[], i) => ({ namespace: 'x', name: `p${i}`, addresses }) as unknown as Pod);
      expect(repeatedClaims(nodes, pods)).toEqual(reference(nodes, pods));
    }),
    propertyParams(2000),
  );
});
