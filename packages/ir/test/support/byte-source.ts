import fc from 'fast-check';
import type { ByteSource } from '../../src/source/text.js';
import { byteWindows } from '../../src/source/text.js';

/** A source over bytes in memory that gives at most `most` bytes per read; it keeps the largest read asked for. */
export function byteSource(bytes: Uint8Array, most = Infinity): ByteSource & { largest: number } {
  return {
    size: bytes.length,
    largest: 0,
    read(into, position) {
      this.largest = Math.max(this.largest, into.length);
      const n = Math.max(0, Math.min(into.length, most, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
  };
}

/** Windows of a few bytes (down to less than a List separator), so that every text spans many. */
export const windowsArb = fc.record({ windowBytes: fc.integer({ min: 1, max: 200 }), behindBytes: fc.integer({ min: 0, max: 60 }), most: fc.integer({ min: 1, max: 300 }), lineBlockBytes: fc.integer({ min: 1, max: 90 }) });

/** Runs `f` with the windows given, then puts the defaults back. */
export function withWindows<T>(windows: { windowBytes: number; behindBytes: number; lineBlockBytes?: number }, f: () => T): T {
  const defaults = { ...byteWindows };
  Object.assign(byteWindows, { windowBytes: windows.windowBytes, behindBytes: windows.behindBytes, lineBlockBytes: windows.lineBlockBytes ?? defaults.lineBlockBytes });
  try {
    return f();
  } finally {
    Object.assign(byteWindows, defaults);
  }
}
