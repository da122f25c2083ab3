import fc from 'fast-check';
import { expect, it } from 'vitest';
import { contains, formatIp, intersect, normalize, parseCidr, parseIp, subtract, toCidrStrings, union, type IntervalSet } from '../src/index.js';
import { numRuns } from '../src/testing/index.js';

it('rejects legacy IPv4 forms that ipaddr.js accepts (semantics.md §1.2)', () => {
  for (const bad of ['1.2.3', '010.0.0.1', '0x7f.0.0.1', '1.2.3.4.5', '256.0.0.1', '1.2.3.4 ', '', '::ffff:010.0.0.1', 'fe80::1%eth0']) {
    expect(parseIp(bad), bad).toBeUndefined();
  }
  expect(parseIp('0.0.0.0')?.value).toBe(0n);
  expect(parseIp('255.255.255.255')?.value).toBe(0xffffffffn);
  expect(parseIp('2001:db8::1')?.family).toBe(6);
});

it('reads an IPv6 dotted tail as Go does, and rejects IPv4-mapped CIDRs whose family Go and the text disagree on', () => {
  // Go's net.ParseIP: `::1.2.3.4` is ::102:304 (ipaddr.js alone reads it as ::ffff:102:304).
  expect(parseIp('::1.2.3.4')).toEqual({ family: 6, value: 0x0102_0304n });
  expect(parseIp('0::1.2.3.4')).toEqual({ family: 6, value: 0x0102_0304n });
  expect(parseIp('::ffff:1.2.3.4')).toEqual({ family: 6, value: 0xffff_0102_0304n });
  expect(parseIp('1:2:3:4:5:6:1.2.3.4')?.value).toBe(parseIp('1:2:3:4:5:6:102:304')?.value);
  expect(parseIp('1:2:3:4:5:6:7:1.2.3.4')).toBeUndefined();
  // IPv4 to Go's net package (and Calico), IPv6 as written: upstream's strict validation rejects it.
  for (const mapped of ['::ffff:10.0.0.0/104', '::ffff:0.0.0.0/96', '::ffff:0:0/96', '::ffff:a00:1/128']) expect(parseCidr(mapped), mapped).toBeUndefined();
  expect(parseCidr('::fffe:0:0/96')?.family).toBe(6);
  expect(parseCidr('::/0')?.prefix).toBe(0);
});

it('reads IPv4 exactly as the strict dotted-decimal grammar does, and only canonical text', () => {
  // The oracle: Go's grammar as a regular expression, and the octets read one by one.
  const strict = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{0,4}$/));
  const text = fc.oneof(
    fc.array(octet, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
    fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'a', ' ', '-'), maxLength: 16 }),
  );
  fc.assert(
    fc.property(text, (t) => {
      const ip = parseIp(t);
      expect(ip !== undefined, t).toBe(strict.test(t));
      if (!ip) return;
      const [a, b, c, d] = t.split('.').map(Number) as [number, number, number, number];
      expect(ip).toEqual({ family: 4, value: BigInt(((a * 256 + b) * 256 + c) * 256 + d) });
      expect(formatIp(4, ip.value)).toBe(t);
    }),
    { numRuns: numRuns(2000) },
  );
});

it('parses CIDRs strictly and masks host bits', () => {
  expect(parseCidr('10.0.0.1/8')).toEqual({ family: 4, network: 0x0a000000n, prefix: 8, hadHostBits: true });
  expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  expect(parseCidr('10.0.0.0/08')).toBeUndefined();
  expect(parseCidr('10.0.0.0')).toBeUndefined();
  expect(parseCidr('::/0')).toEqual({ family: 6, network: 0n, prefix: 0, hadHostBits: false });
});

it('formats IPv6 canonically (RFC 5952)', () => {
  expect(formatIp(6, parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!.value)).toBe('2001:db8::1');
  expect(formatIp(4, 0xc6120a01n)).toBe('198.18.10.1');
});

it('covers a range with the minimal CIDR list', () => {
  const v = (ip: string): bigint => parseIp(ip)!.value;
  expect(toCidrStrings([[v('10.0.0.0'), v('10.0.0.255')]], 4)).toEqual(['10.0.0.0/24']);
  expect(toCidrStrings([[v('10.0.0.1'), v('10.0.0.6')]], 4)).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  expect(toCidrStrings([[0n, 0xffffffffn]], 4)).toEqual(['0.0.0.0/0']);
  expect(toCidrStrings([[0n, (1n << 128n) - 1n]], 6)).toEqual(['::/0']);
});

// Interval arithmetic against naive sets of small numbers.
const rangesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 })), { maxLength: 6 }).map((rs) => normalize(rs.map(([a, b]) => [BigInt(Math.min(a, b)), BigInt(Math.max(a, b))] as const)));
const members = (s: IntervalSet<bigint>): Set<number> => {
  const out = new Set<number>();
  for (const [a, b] of s) for (let i = Number(a); i <= Number(b); i++) out.add(i);
  return out;
};

it('union, intersection and difference agree with naive sets, and stay normalised', () => {
  fc.assert(
    fc.property(rangesArb, rangesArb, (a, b) => {
      const A = members(a);
      const B = members(b);
      expect(members(union(a, b))).toEqual(new Set([...A, ...B]));
      expect(members(intersect(a, b))).toEqual(new Set([...A].filter((x) => B.has(x))));
      expect(members(subtract(a, b))).toEqual(new Set([...A].filter((x) => !B.has(x))));
      for (const s of [union(a, b), intersect(a, b), subtract(a, b)]) {
        expect(normalize(s)).toEqual(s);
        for (let i = 0; i < 64; i++) expect(contains(s, BigInt(i))).toBe(members(s).has(i));
      }
    }),
    { numRuns: numRuns(200) },
  );
});

it('the CIDR cover of a set is exact and minimal per range', () => {
  fc.assert(
    fc.property(rangesArb, (a) => {
      const cidrs = toCidrStrings(a.map(([x, y]) => [x + 0xc6120000n, y + 0xc6120000n] as const), 4);
      const back = normalize(cidrs.map((c) => {
        const p = parseCidr(c)!;
        return [p.network - 0xc6120000n, p.network - 0xc6120000n + (1n << BigInt(32 - p.prefix)) - 1n] as const;
      }));
      expect(back).toEqual(a);
    }),
    { numRuns: numRuns(200) },
  );
});
