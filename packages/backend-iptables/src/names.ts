import { policyId, sha256Hex, type Policy } from '@netpolc/ir';
import type { Family } from './model.js';

/** Prefix of every chain netpolc owns; nothing else in the table is touched. */
export const chainPrefix = 'NETPOLC-';

/** Prefix of every ipset netpolc owns (`netpolc4-…`, `netpolc6-…`). */
export const setPrefix = 'netpolc';

/**
 * The temporary set an `ipset restore` fills before swapping it in for a set of `family` whose
 * `maxelem` is 2^k (`netpolc4-t10` for 1,024). One name per family and size, shared by every set
 * of that shape: the file fills, swaps and destroys it set by set, so a short name keeps each of
 * the millions of `add` lines short, and a temporary left behind by an interrupted load has the
 * parameters its name says (its `create -exist` still succeeds).
 */
export function tmpSetName(family: Family, maxelem: number): string {
  return `${setPrefix}${family}-t${Math.log2(maxelem)}`;
}

/** Fixed chain names. */
export const chains = {
  forward: 'NETPOLC-FORWARD',
  pod: 'NETPOLC-POD',
  egress: 'NETPOLC-EGRESS',
  ingress: 'NETPOLC-INGRESS',
  reject: 'NETPOLC-REJECT',
  input: 'NETPOLC-INPUT',
  inputPod: 'NETPOLC-INPUT-POD',
  prerouting: 'NETPOLC-PREROUTING',
} as const;

/** Comment on the hook rules in FORWARD and INPUT: the reload procedure finds the hooks by it. */
export const hookComment = 'netpolc:hook';

/** Longest chain name: XT_EXTENSION_MAXNAMELEN is 29 bytes including the NUL. */
export const maxChainName = 28;
/** Longest set name: IPSET_MAXNAMELEN is 32 bytes including the NUL. */
export const maxSetName = 31;
/** Longest comment: XT_MAX_COMMENT_LEN is 256 bytes including the NUL. */
export const maxComment = 255;
/** Longest LOG prefix the kernel keeps (semantics.md §5.1). */
export const maxLogPrefix = 29;

/** First `length` hex digits of SHA-256 of `text`. */
export function shortHash(text: string, length: number): string {
  return sha256Hex(text).slice(0, length);
}

/** Name of the ipset holding `members` (canonical, sorted) of `family`: stable, content-addressed. */
export function setName(family: Family, members: readonly string[]): string {
  return `${setPrefix}${family}-${shortHash(`${family}|${members.join(',')}`, 16)}`;
}

/** Length of the id in LOG prefixes: `netpolc ALLOW-E 0123456789 ` is 27 characters. */
export const logIdLength = 10;

/**
 * The short id of a policy in LOG prefixes: the first 10 hex digits of SHA-256 of
 * `namespace/name`, extended to 12 digits for policies whose 10-digit ids collide in this program,
 * so every id names exactly one policy (`printf %s ns/name | sha256sum | cut -c1-10`).
 */
export function policyLogIds(policies: readonly Policy[]): string[] {
  const short = policies.map((p) => shortHash(policyId(p), logIdLength));
  const count = new Map<string, number>();
  for (const id of short) count.set(id, (count.get(id) ?? 0) + 1);
  return policies.map((p, i) => ((count.get(short[i]!) ?? 0) > 1 ? shortHash(policyId(p), logIdLength + 2) : short[i]!));
}

/** Id of a set of isolating policies in DENY prefixes: the policy's own id when there is one. */
export function denyLogId(policyIds: readonly string[]): string {
  if (policyIds.length === 1) return policyIds[0]!;
  return shortHash(`deny|${[...policyIds].sort().join(',')}`, logIdLength);
}

const unsafe = /["'\\\n\r]/;

/**
 * Makes free text safe inside a double-quoted iptables comment and within the kernel limit. A
 * text cut short ends with a digest of the whole, so two long pod names with a common prefix
 * keep distinct comments (they were cut to the same 252 characters and `...`).
 */
export function commentText(text: string): string {
  if (text.length <= maxComment && !unsafe.test(text)) return text;
  const clean = text.replace(/["'\\\n\r]/g, '_');
  if (clean.length <= maxComment) return clean;
  const tag = `~${shortHash(text, 10)}`;
  return clean.slice(0, maxComment - tag.length) + tag;
}
