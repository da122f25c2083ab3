import { hash } from 'node:crypto';

/**
 * SHA-256 of a text (UTF-8), as lower-case hex. The one-shot `crypto.hash` (Node ≥ 20.12; the
 * project needs 20.19) is about three times faster than `createHash` per call, and chain, set and
 * peer set names are hashed tens of thousands of times per compile.
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
