import { isIPv4, isIPv6 } from 'node:net';

/** IP family of an address. */
export type Family = 4 | 6;

/** An address in canonical text form (dotted quad, or RFC 5952 compressed lower-case IPv6). */
export interface ParsedAddress {
  readonly family: Family;
  readonly text: string;
}

/**
 * The only ranges test hosts may use: 198.18.0.0/15 (RFC 2544 benchmarking, the project rule in
 * toolchain.md §6) and 2001:db8::/32 (RFC 3849 documentation). Refusing everything else means a
 * mistaken spec can never make a namespace claim, or route to, a real address.
 */

/** Allowed ranges, for messages. */
export const allowedRanges = '198.18.0.0/15 (IPv4) and 2001:db8::/32 (IPv6)';

const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const strictIPv4 = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`);

/**
 * Parses one plain address (no prefix length, no zone). IPv4 must be four decimal parts without
 * leading zeros: legacy forms such as `1.2.3` or `010.0.0.1` are rejected, not reinterpreted.
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (strictIPv4.test(text) && isIPv4(text)) return { family: 4, text };
  if (!text.includes('%') && isIPv6(text)) {
    // The WHATWG URL serializer prints IPv6 hosts in RFC 5952 form (compressed, lower case).
    const host = new URL(`http://[${text}]/`).hostname;
    return { family: 6, text: host.slice(1, -1) };
  }
  return undefined;
}

/** Whether a parsed address lies in the ranges tests may use. */
export function isAllowedTestAddress(address: ParsedAddress): boolean {
  // On canonical text: 198.18.0.0/15 is 198.18.x.x and 198.19.x.x; every 2001:db8::/32 address
  // prints as `2001:db8:…`. (node:net BlockList would also match IPv4-mapped IPv6 addresses,
  // ::ffff:198.18.0.1, against the IPv4 range.)
  return address.family === 4 ? /^198\.1[89]\./.test(address.text) : address.text.startsWith('2001:db8:');
}

/** Canonical form of an address given by a caller, or a thrown error naming `what`. */
export function canonicalAddress(text: string, what: string): ParsedAddress {
  const parsed = parseAddress(text);
  if (parsed === undefined) throw new Error(`${what}: '${text}' is not a plain IPv4 or IPv6 address`);
  return parsed;
}
