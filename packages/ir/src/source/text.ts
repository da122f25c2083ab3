import { constants, isAscii, isUtf8 } from 'node:buffer';

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

/**
 * Bytes read where they are needed, for an input too large to hold whole (a file the CLI reads
 * window by window: a 1.8 GB `kubectl -o json` then costs one window of memory, not 1.8 GB).
 * Reads must be repeatable: the same position gives the same bytes for as long as the load's
 * result is used (diagnostics are located, `netpolc diff` loads it again).
 */
export interface ByteSource {
  readonly size: number;
  /** Fills `into` from `position` on, as far as the source goes; returns the bytes read. */
  read(into: Uint8Array, position: number): number;
}

/** Tuning of the windows a {@link ByteSource} is read in; mutable for tests only. */
export const byteWindows = {
  /** Bytes read at once. */
  windowBytes: 64 << 20,
  /**
   * How far a window reaches back before the offset that needed it: the item reading looks
   * ahead for the next separator, then decodes from the item's start, behind it.
   */
  behindBytes: 1 << 20,
  /**
   * Bytes per block of the line index ({@link ByteText.lineAt}): a line is counted within its
   * block (70k entries for 4.5 GB).
   */
  lineBlockBytes: 64 << 10,
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Per block of a text, the newlines before it and the start of the line it begins in. */
interface LineIndex {
  readonly blockBytes: number;
  readonly before: Float64Array;
  readonly lastStart: Float64Array;
  /** The last answer. */
  last: { readonly offset: number; readonly line: number; readonly start: number } | undefined;
}

/** Bytes of `source` from `base` on, and how long they are. */
interface Backing {
  readonly source: ByteSource;
  readonly base: number;
  readonly length: number;
}

/**
 * UTF-8 bytes read as text where they are needed: a character code per byte for the scanners
 * (the ASCII they look for is the same byte), searches in the bytes, and slices decoded one at a
 * time (a List item, a run of items), never the whole. The bytes are held whole, or read from a
 * {@link ByteSource} one window at a time.
 */
export class ByteText {
  readonly length: number;
  /** The bytes at hand: all of them, or the window read last. */
  private window: Buffer;
  /** Offset of the window's first byte. */
  private start = 0;
  private readonly backing: Backing | undefined;
  /** The buffer windows are read into (one for all of them). */
  private scratch: Buffer | undefined;
  /** Whether every byte is ASCII (found on first need). */
  private ascii: boolean | undefined;
  /** The last count of {@link unitsBetween}. */
  private mark = { start: -1, end: -1, units: 0 };
  /** The index of {@link lineAt} (made on first use). */
  private lines: LineIndex | undefined;

  /**
   * Bytes held whole, or those of a source from `base` on (after a byte order mark). Either
   * must be valid UTF-8 without NUL bytes ({@link checkSource} checks a source, and tells
   * `ascii`, which is otherwise found on first need).
   */
  constructor(bytes: Uint8Array | ByteSource, base = 0, ascii?: boolean) {
    this.ascii = ascii;
    if (bytes instanceof Uint8Array) {
      this.window = Buffer.from(bytes.buffer, bytes.byteOffset + base, bytes.byteLength - base);
      this.length = this.window.length;
    } else {
      this.backing = { source: bytes, base, length: bytes.size - base };
      this.length = this.backing.length;
      this.window = Buffer.alloc(0);
    }
  }

  charCodeAt(index: number): number {
    const at = index - this.start;
    if (at >= 0 && at < this.window.length) return this.window[at]!;
    // As a string answers past its end: NaN, which equals no character.
    if (index < 0 || index >= this.length || !this.backing) return NaN;
    this.windowAt(index, 1);
    return this.window[index - this.start]!;
  }

  indexOf(search: string, from = 0): number {
    // From before the start is from the start, as for a string (a Buffer counts it from the end).
    if (!this.backing) return bytesIndexOf(this.window, search, Math.max(0, from));
    const size = Buffer.byteLength(search);
    for (let at = Math.max(0, from); at + size <= this.length; ) {
      if (at < this.start || at + size > this.start + this.window.length) this.windowAt(at, size);
      const found = this.window.indexOf(search, at - this.start);
      if (found >= 0) return this.start + found;
      const end = this.start + this.window.length;
      if (end >= this.length) break;
      // Every match starting up to end - size was looked at.
      at = end - size + 1;
    }
    return -1;
  }

  slice(start: number, end = this.length): string {
    // Offsets outside the text are clamped to it, as substring does (the scanners give none).
    start = Math.max(0, start);
    end = Math.min(end, this.length);
    if (end <= start) return '';
    if (start < this.start || end > this.start + this.window.length) this.windowAt(start, end - start);
    return decoder.decode(this.window.subarray(start - this.start, end - this.start));
  }

  /** Whether every byte is ASCII (checked once, over every window for a source). */
  isAscii(): boolean {
    if (this.ascii === undefined) {
      let ascii = true;
      this.eachChunk(0, this.length, (b) => (ascii &&= isAscii(b)));
      this.ascii = ascii;
    }
    return this.ascii;
  }

  /**
   * The line holding `offset`: its number (from 0), its start, and the start of the next line
   * (the length plus one after the last). Lines are counted from an index of the newlines before
   * each block of `lineBlockBytes` (a megabyte for gigabytes, where a list of every line start
   * took 175 MB for kubectl's 1.8 GB of indented JSON), then within the block.
   */
  lineAt(offset: number): { line: number; start: number; end: number } {
    const index = (this.lines ??= this.lineIndex(byteWindows.lineBlockBytes));
    const { blockBytes } = index;
    offset = Math.min(Math.max(0, offset), this.length);
    const block = Math.min(Math.floor(offset / blockBytes), index.before.length - 1);
    let from = block * blockBytes;
    let line = index.before[block]!;
    let start = index.lastStart[block]!;
    // Diagnostics are located in file order, and each offset about three times: on from the
    // last answer when it is in the same block and not further.
    const last = index.last;
    if (last && last.offset <= offset && last.offset >= from) ({ offset: from, line, start } = last);
    this.eachChunk(from, offset, (b, at) => {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) {
        line++;
        start = at + i + 1;
      }
    });
    index.last = { offset, line, start };
    const next = offset < this.length ? this.indexOf('\n', offset) : -1;
    return { line, start, end: next < 0 ? this.length + 1 : next + 1 };
  }

  /** Per block, the newlines before it and the start of the line it begins in: one pass. */
  private lineIndex(blockBytes: number): LineIndex {
    const blocks = Math.floor(this.length / blockBytes) + 1;
    const before = new Float64Array(blocks);
    const lastStart = new Float64Array(blocks);
    let lines = 0;
    let start = 0;
    for (let block = 0; block < blocks; block++) {
      before[block] = lines;
      lastStart[block] = start;
      this.eachChunk(block * blockBytes, Math.min((block + 1) * blockBytes, this.length), (b, at) => {
        for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) {
          lines++;
          start = at + i + 1;
        }
      });
    }
    return { blockBytes, before, lastStart, last: undefined };
  }

  /**
   * How many UTF-16 code units the bytes from `start` to `end` decode to (what offsets into a
   * string count), without decoding them: a line may be longer than a string may be. Bytes all
   * ASCII (the usual case) are their own count; else they are counted, on from the previous count
   * when it was for the same start and not further (diagnostics are located in file order).
   */
  unitsBetween(start: number, end: number): number {
    if (this.isAscii()) return end - start;
    const mark = this.mark;
    let from = start;
    let units = 0;
    if (mark.start === start && mark.end <= end) {
      from = mark.end;
      units = mark.units;
    }
    this.eachChunk(from, end, (b) => {
      for (let i = 0; i < b.length; i++) {
        const c = b[i]!;
        // Continuation bytes add nothing; a four-byte character is a surrogate pair.
        if (c < 0x80 || c >= 0xc0) units += c >= 0xf0 ? 2 : 1;
      }
    });
    this.mark = { start, end, units };
    return units;
  }

  /** Calls `each` with the bytes from `from` to `to`, in order, a window at a time. */
  private eachChunk(from: number, to: number, each: (bytes: Buffer, offset: number) => void): void {
    if (!this.backing) {
      each(this.window.subarray(from, to), from);
      return;
    }
    for (let at = from; at < to; ) {
      if (at < this.start || at >= this.start + this.window.length) this.readWindow(at, 1);
      const end = Math.min(to, this.start + this.window.length);
      each(this.window.subarray(at - this.start, end - this.start), at);
      at = end;
    }
  }

  /** Reads a window holding the `size` bytes at `index`, and some before them. */
  private windowAt(index: number, size: number): void {
    const { behindBytes, windowBytes } = byteWindows;
    const from = Math.max(0, index - Math.min(behindBytes, windowBytes >> 1));
    this.readWindow(from, index - from + size);
  }

  /**
   * Reads the window from `at` on: a window's length, or `atLeast` when more (an item longer
   * than a window), into the buffer of the windows before when it is large enough.
   */
  private readWindow(at: number, atLeast: number): void {
    const backing = this.backing!;
    const size = Math.min(backing.length - at, Math.max(byteWindows.windowBytes, atLeast));
    if (!this.scratch || this.scratch.length < size) this.scratch = Buffer.allocUnsafe(size);
    const window = this.scratch.subarray(0, size);
    readFully(backing.source, window, backing.base + at);
    this.window = window;
    this.start = at;
  }
}

/**
 * Fills `into` with the source's bytes from `position` on. A source that ends before its size (a
 * file that shrank while read) breaks the load's premise: an internal error, not a diagnostic.
 */
export function readFully(source: ByteSource, into: Uint8Array, position: number): void {
  for (let n = 0; n < into.length; ) {
    const got = source.read(into.subarray(n), position + n);
    if (got <= 0) throw new Error(`input ended at byte ${position + n} of ${source.size}`);
    n += got;
  }
}

/**
 * Why a source is no text, as a whole reading of its bytes says it (invalid UTF-8 first, then NUL
 * bytes), or whether it is all ASCII (for {@link ByteText}). Checked a window at a time: a window
 * ends before the last character it holds, which may be cut, and the next one starts with it.
 */
export function checkSource(source: ByteSource): { error: string } | { ascii: boolean } {
  // At least two characters of four bytes, so that a window always ends past its start.
  const window = Buffer.allocUnsafe(Math.min(Math.max(byteWindows.windowBytes, 8), source.size));
  let nul = false;
  let ascii = true;
  for (let at = 0; at < source.size; ) {
    const want = Math.min(window.length, source.size - at);
    readFully(source, window.subarray(0, want), at);
    let end = want;
    if (at + want < source.size) {
      // Back to the first byte of the last character: continuation bytes are 10xxxxxx.
      end = want - 1;
      while (end > want - 4 && (window[end]! & 0xc0) === 0x80) end--;
    }
    const bytes = window.subarray(0, end);
    if (!isUtf8(bytes)) return { error: 'invalid UTF-8' };
    nul ||= bytes.indexOf(0) >= 0;
    ascii &&= isAscii(bytes);
    at += end;
  }
  return nul ? { error: 'contains NUL bytes' } : { ascii };
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
