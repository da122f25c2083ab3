import { sha256Hex, type Direction } from '@netpolc/ir';
import type { Family } from './model.js';

// Limits measured with nft 1.0.6 on Linux 6.18 (`nft -c -f`): chain and set names up to 255
// bytes (NFT_NAME_MAXLEN 256 with the NUL), log prefixes up to 127 (Linux commit 5ce6b04ce968),
// comments up to 128 ("comment too long, 128 characters maximum allowed").
const maxName = 255;
const maxLogPrefix = 127;
const maxComment = 128;

/** Short stable hex digest of a text. */
export function digest(text: string, length = 16): string {
  return sha256Hex(text).slice(0, length);
}

/**
 * Cuts `text` to `max` bytes, replacing the tail with a digest of the whole text so that two
 * long texts with a common prefix stay distinct. Texts here are ASCII (Kubernetes names).
 */
function fit(text: string, max: number, separator: string): string {
  if (text.length <= max) return text;
  const tag = `${separator}${digest(text, 10)}`;
  return text.slice(0, max - tag.length) + tag;
}

// nft identifiers are `[A-Za-z_.][A-Za-z0-9/_.-]*` (nftables src/scanner.l `string`). Every name
// below starts with a fixed lower-case word and continues with characters of Kubernetes names
// (RFC 1123 labels and subdomains: `a-z0-9-.`), joined by `/`, so no name is a bare keyword
// (a chain named `fwd` fails: `syntax error, unexpected fwd`).

/** Chain holding one pod's allow rules for one direction: `ingress/<ns>/<pod>`. */
export function podChainName(direction: Direction, namespace: string, pod: string): string {
  // join gives a flat string; a template literal gives a rope that every later comparison,
  // hash and copy walks piece by piece (this name is sorted, printed and looked up per node).
  return fit([direction, namespace, pod].join('/'), maxName, '.');
}

/** Chain that logs (rate-limited) a connection a policy allowed: `allow/ingress/<ns>/<policy>`. */
export function allowLogChainName(direction: Direction, namespace: string, policy: string): string {
  return fit(`allow/${direction}/${namespace}/${policy}`, maxName, '.');
}

/** Named sets of a peer address set, per family: `peer4-<digest>`, `peer6-<digest>`. */
export function peerSetNames(key: string): Record<Family, string> {
  const d = digest(key);
  return { 4: `peer4-${d}`, 6: `peer6-${d}` };
}

/** Named concatenated set (address . protocol . port) of a rule with named ports. */
export function peerPortSetName(family: Family, key: string): string {
  return `peerport${family}-${digest(key)}`;
}

/** Set of the node's local pod addresses, per family. */
export function podsSetName(family: Family): string {
  return `pods${family}`;
}

/** Set of (source . destination) pairs of a local pod's own addresses, per family. */
export function selfSetName(family: Family): string {
  return `self${family}`;
}

/** Verdict map from a local pod address to its chain for one direction and family. */
export function dispatchMapName(direction: Direction, family: Family): string {
  return `${direction}${family}`;
}

/** Log prefix, at most 127 bytes: `netpolc deny ingress x/a: `. */
export function logPrefix(action: 'deny' | 'allow', direction: Direction, subject: string): string {
  const head = `netpolc ${action} ${direction} `;
  return `${head}${fit(subject, maxLogPrefix - head.length - 2, '~')}: `;
}

/** A rule or set comment: printable ASCII without double quotes, at most 128 bytes. */
export function commentText(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]|"/g, '_');
  return fit(clean, maxComment, '~');
}
