/**
 * What the JSON scanners read: a string, or a {@link ByteText} for an input larger than a string
 * can hold. Offsets are code units of a string and bytes of a ByteText: the scanners look only at
 * ASCII (quotes, brackets, commas, spaces), which UTF-8 never uses inside another character.
 */
export type Text = string | ByteText;

/**
 * The longest string V8 makes (`buffer.constants.MAX_STRING_LENGTH`, 2^29 - 24 characters in
 * Node 20). `kubectl get pods -A -o json` of 100k real pods (specs and statuses of several
 * kilobytes each) is longer than that.
 */
export const maxStringLength = 2 ** 29 - 24;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 bytes read as text where they are needed: a character code per byte for the scanners
 * (the ASCII they look for is the same byte), searches in the bytes, and slices decoded one at a
 * time (a List item, a run of items), never the whole.
 */
export class ByteText {
  private readonly buffer: Buffer;

  /** `bytes` must be valid UTF-8 (`isUtf8` of node:buffer). */
  constructor(readonly bytes: Uint8Array) {
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

  /** Offsets of every line start (after each newline), found by the native search. */
  lineStarts(): number[] {
    const starts = [0];
    for (let i = bytesIndexOf(this.buffer, 10, 0); i >= 0; i = bytesIndexOf(this.buffer, 10, i + 1)) starts.push(i + 1);
    return starts;
  }
}

/** Bytes searched at once: Node 20's `Buffer#indexOf` answers a match past 2 GiB as a negative int32. */
const searchWindow = 2 ** 30;

/**
 * `buffer.indexOf(search, from)`, also for matches past 2 GiB: searched in windows that overlap by
 * the search's length less one (`window`, larger than that, is for tests).
 */
export function bytesIndexOf(buffer: Buffer, search: string | number, from: number, window = searchWindow): number {
  const overlap = typeof search === 'number' ? 0 : Buffer.byteLength(search) - 1;
  for (let start = Math.max(0, from); start < buffer.length; start += window - overlap) {
    const found = buffer.subarray(start, Math.min(buffer.length, start + window)).indexOf(search);
    if (found >= 0) return start + found;
    if (start + window >= buffer.length) break;
  }
  return -1;
}
