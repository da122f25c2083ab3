/**
 * Index of the last of `count` ascending values that is at most `v` (`valueAt(i)` reads value
 * i), or 0 when none is: the line holding an offset, the document holding it.
 */
export function lastAtMost<T extends number | bigint>(count: number, valueAt: (i: number) => T, v: T): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valueAt(mid) <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
