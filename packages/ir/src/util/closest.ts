import { compareValues } from './compare.js';

/**
 * The candidate nearest to `word` (case-insensitive edit distance), if one is near enough to be
 * a likely typo: at most max(2, a third of the word's length) edits away.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    // The distance is at least the difference in length: most candidates end here.
    if (Math.abs(c.length - word.length) >= bestDistance) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance (case-sensitive). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * What a name that matched nothing may have meant, for a message: the nearest candidate, else the
 * candidates themselves (the first 12 in order, with their count when there are more).
 */
export function nearNames(word: string, candidates: readonly string[], noun: string): string {
  const near = closest(word, candidates);
  if (near !== undefined) return `did you mean ${near}?`;
  if (candidates.length === 0) return `there is no ${noun}`;
  const shown = [...candidates].sort(compareValues).slice(0, 12).join(', ');
  return candidates.length > 12 ? `${candidates.length} ${noun}s, among them ${shown}` : `known: ${shown}`;
}
