/** One hunk of a unified diff. */
export interface Hunk {
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  /** Lines prefixed with ' ', '-' or '+'. */
  readonly lines: readonly string[];
}

type Op = readonly [' ' | '-' | '+', string];

/**
 * Line diff by Myers' O((N+M)D) algorithm (E. Myers, "An O(ND) Difference Algorithm and Its
 * Variations", 1986): fast when the files are large and the change is small, which is the case
 * for deterministic compiler output.
 */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  // Common prefix and suffix are cheap to strip and keep the search small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[max + k - 1]! < v[max + k + 1]!) ? v[max + k + 1]! : v[max + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[start + x] === b[start + y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace backwards to recover the edit script.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[max + k - 1]! < vd[max + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[max + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push([' ', a[start + x]!]);
    }
    if (d > 0) {
      if (x === prevX) {
        y--;
        ops.push(['+', b[start + y]!]);
      } else {
        x--;
        ops.push(['-', a[start + x]!]);
      }
    }
  }
  ops.reverse();
  return [...a.slice(0, start).map((l) => [' ', l] as const), ...ops, ...a.slice(endA).map((l) => [' ', l] as const)];
}

/** Unified-diff hunks between two texts, with `context` lines around each change. */
export function unifiedHunks(oldText: string, newText: string, context = 3): Hunk[] {
  const split = (t: string): string[] => (t === '' ? [] : t.replace(/\n$/, '').split('\n'));
  const ops = diffLines(split(oldText), split(newText));
  const hunks: Hunk[] = [];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  const positions = ops.map((op) => {
    const p = { op, oldLine, newLine };
    if (op[0] !== '+') oldLine++;
    if (op[0] !== '-') newLine++;
    return p;
  });
  while (i < positions.length) {
    if (positions[i]!.op[0] === ' ') {
      i++;
      continue;
    }
    const from = Math.max(0, i - context);
    let to = i;
    // Extend while changes are within 2*context lines of each other.
    for (let j = i; j < positions.length; j++) {
      if (positions[j]!.op[0] !== ' ') to = j;
      else if (j - to > 2 * context) break;
    }
    const end = Math.min(positions.length, to + context + 1);
    const slice = positions.slice(from, end);
    const first = slice[0]!;
    hunks.push({
      oldStart: first.oldLine,
      oldLines: slice.filter((p) => p.op[0] !== '+').length,
      newStart: first.newLine,
      newLines: slice.filter((p) => p.op[0] !== '-').length,
      lines: slice.map((p) => `${p.op[0]}${p.op[1]}`),
    });
    i = end;
  }
  return hunks;
}

/** A complete unified diff text (`--- a/path`, `+++ b/path`, hunks), empty when equal. */
export function unifiedDiff(path: string, oldText: string | undefined, newText: string | undefined): string {
  if (oldText === newText) return '';
  const hunks = unifiedHunks(oldText ?? '', newText ?? '');
  const head = `--- ${oldText === undefined ? '/dev/null' : `a/${path}`}\n+++ ${newText === undefined ? '/dev/null' : `b/${path}`}\n`;
  return head + hunks.map((h) => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@\n${h.lines.join('\n')}\n`).join('');
}

/** Added and removed line counts of a diff text. */
export function countChanges(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { added, removed };
}
