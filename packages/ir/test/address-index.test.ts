import fc from 'fast-check';
import { expect, it } from 'vitest';
import { formatIp, normalize, type Address, type Pod } from '../src/index.js';
import { AddressIndex } from '../src/resolve/address-index.js';
import { numRuns } from '../src/testing/index.js';

// Addresses from a narrow window, so that equal, adjacent and nearly adjacent addresses (and
// pods sharing one) are common; the oracle is the plain interval normalisation of every address.
const offset = fc.integer({ min: 0, max: 40 });
const podArb = fc.record({ v4: fc.array(offset, { maxLength: 2 }), v6: fc.array(offset, { maxLength: 2 }) });

function address(family: 4 | 6, n: number): Address {
  const value = family === 4 ? 0xc6120000n + BigInt(n) : 0x20010db8n * 2n ** 96n + BigInt(n);
  return { family, ip: formatIp(family, value), value };
}

function pod(i: number, p: { v4: number[]; v6: number[] }): Pod {
  const addresses = [...p.v4.map((n) => address(4, n)), ...p.v6.map((n) => address(6, n))];
  return { namespace: 'ns', name: `p${i}`, labels: {}, nodeName: undefined, hostNetwork: false, phase: 'Running', addresses, ports: [], actionable: true, origin: { kind: 'none' } as never };
}

it('gives the exact address ranges of any pod subset, small (sorted) or large (marked)', () => {
  fc.assert(
    fc.property(fc.array(podArb, { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 60, maxLength: 60 }), fc.integer({ min: 0, max: 10 }), (specs, pick, share) => {
      const pods = specs.map((s, i) => pod(i, s));
      const table = new AddressIndex(pods);
      const all = pods.flatMap((p) => p.addresses.map((a) => a.ip));
      expect(table.sharedAddresses).toBe(new Set(all).size < all.length);
      // Twice: the marks used for large subsets must be left cleared.
      for (let round = 0; round < 2; round++) {
        const ids = pods.map((_, i) => i).filter((i) => pick[(i + round * 7) % pick.length]! < share);
        for (const family of [4, 6] as const) {
          const want = normalize(ids.flatMap((i) => pods[i]!.addresses.filter((a) => a.family === family).map((a) => [a.value, a.value] as const)));
          const got = table.podAddresses(ids);
          expect(family === 4 ? got.v4 : got.v6).toEqual(want);
        }
      }
    }),
    { numRuns: numRuns(500) },
  );
});
