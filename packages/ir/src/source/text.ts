import { constants, isAscii } from 'node:buffer';

/**
 * What the JSON scanners read: a string, or a {@link ByteText} for an input larger than a string
 * can hold. Offsets are code units of a string and bytes of a ByteText: the scanners look only at
 * ASCII (quotes, brackets, commas, spaces), which UTF-8 never uses inside another character.
 */
export type Text = string | ByteText;

/**
 * The longest string V8 makes (2^29 - 24 characters in Node 20). `kubectl get pods -A -o json` of
 * 100k real pods (specs and statuses of several kilobytes each) is longer than that.
 */
export const maxStringLength = constants.MAX_STRING_LENGTH;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 bytes read as text where they are needed: a character code per byte for the scanners
 * (the ASCII they look for is the same byte), searches in the bytes, and slices decoded one at a
 * time (a List item, a run of items), never the whole.
 */
export class ByteText {
  private readonly buffer: Buffer;
  /** Whether every byte is ASCII (found on first need). */
  private ascii: boolean | undefined;
  /** The last count of {@link unitsBetween}. */
  private mark = { start: -1, end: -1, units: 0 };

  /** `bytes` must be valid UTF-8 (`isUtf8` of node:buffer). */
  constructor(bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.buffer.length;
  }

  charCodeAt(index: number): number {
    // As a string answers past its end: NaN, which equals no character.
    return index >= 0 && index < this.buffer.length ? this.buffer[index]! : NaN;
  }

  indexOf(search: string, from = 0): number {
    return bytesIndexOf(this.buffer, search, from);
  }

  slice(start: number, end = this.buffer.length): string {
    return decoder.decode(this.buffer.subarray(start, end));
  }

  /**
   * Offsets of every line start (after each newline). One pass over the bytes into 32-bit
   * offsets: kubectl's indented JSON of 150k pods has some 45M lines.
   */
  lineStarts(): Uint32Array {
    const b = this.buffer;
    let starts = new Uint32Array(1024);
    let n = 1;
    for (let i = 0; i < b.length; i++) {
      if (b[i] !== 10) continue;
      if (n === starts.length) {
        const grown = new Uint32Array(n * 2);
        grown.set(starts);
        starts = grown;
      }
      starts[n++] = i + 1;
    }
    return starts.subarray(0, n);
  }

  /**
   * How many UTF-16 code units the bytes from `start` to `end` decode to (what offsets into a
   * string count), without decoding them: a line may be longer than a string may be. Bytes all
   * ASCII (the usual case) are their own count; else they are counted, on from the previous count
   * when it was for the same start and not further (diagnostics are located in file order).
   */
  unitsBetween(start: number, end: number): number {
    this.ascii ??= isAscii(this.buffer);
    if (this.ascii) return end - start;
    const mark = this.mark;
    let from = start;
    let units = 0;
    if (mark.start === start && mark.end <= end) {
      from = mark.end;
      units = mark.units;
    }
    const b = this.buffer;
    for (let i = from; i < end; i++) {
      const c = b[i]!;
      // Continuation bytes add nothing; a four-byte character is a surrogate pair.
      if (c < 0x80 || c >= 0xc0) units += c >= 0xf0 ? 2 : 1;
    }
    this.mark = { start, end, units };
    return units;
  }
}

/** Bytes searched at once: Node 20's `Buffer#indexOf` answers a match past 2 GiB as a negative int32. */
const searchWindow = 2 ** 30;

/**
 * `buffer.indexOf(search, from)`, also for matches past 2 GiB: searched in windows that overlap by
 * the search's length less one (`window`, larger than that, is for tests).
 */
export function bytesIndexOf(buffer: Buffer, search: string | number, from: number, window = searchWindow): number {
  if (buffer.length < 2 ** 31 && window === searchWindow) return buffer.indexOf(search, from);
  const overlap = typeof search === 'number' ? 0 : Buffer.byteLength(search) - 1;
  for (let start = Math.max(0, from); start < buffer.length; start += window - overlap) {
    const found = buffer.subarray(start, Math.min(buffer.length, start + window)).indexOf(search);
    if (found >= 0) return start + found;
    if (start + window >= buffer.length) break;
  }
  return -1;
}
