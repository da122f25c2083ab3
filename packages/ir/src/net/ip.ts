import ipaddr from 'ipaddr.js';

/** Address family of an IP or CIDR. */
export type Family = 4 | 6;

/** A parsed IP address: family and its value as an unsigned integer. */
export interface ParsedIp {
  readonly family: Family;
  readonly value: bigint;
}

/** A parsed CIDR, normalised to its network address. */
export interface ParsedCidr {
  readonly family: Family;
  readonly network: bigint;
  readonly prefix: number;
  /** True when the text had host bits set (`10.0.0.1/8`): upstream parsing masks them. */
  readonly hadHostBits: boolean;
}

/** Number of address bits of a family. */
export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

/**
 * Whether `inner` lies strictly within `outer`: same family, longer prefix, same leading bits
 * (what upstream ValidateIPBlock asks of each ipBlock except).
 */
export function strictlyWithin(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const shift = BigInt(familyBits(outer.family) - outer.prefix);
  return inner.network >> shift === outer.network >> shift;
}

/** Largest address of a family. */
export function familyMax(family: Family): bigint {
  return family === 4 ? 0xffff_ffffn : (1n << 128n) - 1n;
}

/**
 * Parses an IP the way Go's `net.ParseIP` does: four-part decimal IPv4 without leading zeros,
 * or IPv6 (no zone). ipaddr.js alone accepts `1.2.3` and `010.0.0.1` (see toolchain.md §4), so
 * IPv4 text is checked first.
 */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes('%')) return undefined;
  if (!text.includes(':')) {
    const v4 = parseIpv4(text);
    return v4 === undefined ? undefined : { family: 4, value: BigInt(v4) };
  }
  // A dotted tail must itself be strict decimal; it is handed to ipaddr.js as its two hex groups,
  // because ipaddr.js 2.5 reads `::1.2.3.4` as `::ffff:1.2.3.4` (Go: `::102:304`).
  const colon = text.lastIndexOf(':');
  const tail = text.slice(colon + 1);
  let hex = text;
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (v4 === undefined) return undefined;
    hex = `${text.slice(0, colon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  if (!ipaddr.IPv6.isValid(hex)) return undefined;
  return { family: 6, value: bytesToBigint(ipaddr.IPv6.parse(hex).toByteArray()) };
}

/** Whether an IPv6 address is IPv4-mapped (`::ffff:a.b.c.d`, within ::ffff:0:0/96). */
export function isIpv4Mapped(ip: ParsedIp): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn;
}

/**
 * A pod, node or endpoint address as Kubernetes reads it: {@link parseIp}, and an IPv4-mapped
 * IPv6 address (`::ffff:198.18.0.1`) is its IPv4 address (Go's `net.ParseIP` gives a 16-byte
 * address whose `To4()` is the IPv4 one, and the API's family checks call it IPv4), whose
 * packets are IPv4. CIDRs are not read so: upstream refuses mapped ones in ipBlocks.
 */
export function parseAddress(text: string): ParsedIp | undefined {
  const ip = parseIp(text);
  return ip && isIpv4Mapped(ip) ? { family: 4, value: ip.value & 0xffff_ffffn } : ip;
}

/**
 * Strict dotted-decimal IPv4 (four octets 0-255 without leading zeros, as Go's `net.ParseIP`) as
 * a number, read in one pass: an inventory holds one address per pod, and a regular expression, a
 * split and four conversions per address showed in the load profile of 150k pods. Text it accepts
 * is already canonical.
 */
export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || parts === 4) return undefined;
      value = value * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros: Go reads them as an error, ipaddr.js as octal.
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return undefined;
      digits++;
    } else return undefined;
  }
  return parts === 4 ? value : undefined;
}

/** Parses `addr/prefix` with the same strictness as {@link parseIp}. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  // An IPv4-mapped IPv6 CIDR is IPv4 to Go's net package (and so to Calico and the API server's
  // lenient parsing, which warns) but IPv6 to anything reading the text as written; upstream's
  // strict CIDR validation rejects it (netutils ParseCIDR: "must not have an IPv4-mapped IPv6
  // address"), as netpolc does, so the family is never guessed.
  if (!ip || isIpv4Mapped(ip) || !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = familyBits(ip.family);
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const network = ip.value & ~hostMask & familyMax(ip.family);
  return { family: ip.family, network, prefix, hadHostBits: network !== ip.value };
}

/** First and last address of a CIDR. */
export function cidrBounds(cidr: ParsedCidr): [bigint, bigint] {
  const hostMask = (1n << BigInt(familyBits(cidr.family) - cidr.prefix)) - 1n;
  return [cidr.network, cidr.network | hostMask];
}

function bytesToBigint(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Formats an address value in its canonical text form (RFC 5952 for IPv6). */
export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Formats a CIDR in canonical form. */
export function formatCidr(family: Family, network: bigint, prefix: number): string {
  return `${formatIp(family, network)}/${prefix}`;
}

/** Canonical text of an IP, or undefined when it does not parse strictly. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseAddress(text);
  return ip ? formatIp(ip.family, ip.value) : undefined;
}
