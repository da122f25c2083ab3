// The diff as Markdown for a pull-request comment, within a size a comment can take.
import { describeEndpoints, portsText } from './group.js';
import { artifactSummary, changedLines, namespacesOf, type DiffReport } from './render.js';

/**
 * What GitHub accepts in one comment: "Body is too long (maximum is 65536 characters)". Counted
 * in UTF-16 units, which are never fewer than characters, so a text within it is always accepted.
 */
export const githubCommentLimit = 65_536;

const escapeCell = (s: string): string => s.replace(/\|/g, '\\|');

/** Room kept for the closing note that says what was left out. */
const noteRoom = 400;

/**
 * A summary table (always whole), pods that were not compared, then collapsible tables of the
 * changed connections and the artifact diffs, as many rows and file diffs as fit in `limit`
 * characters (0: no limit); what does not fit is counted in a closing note.
 */
export function renderMarkdown(r: DiffReport, limit = githubCommentLimit): string {
  const { added, removed } = r.connectivity;
  const out = [
    `### netpolc diff (${r.scope})`,
    '',
    '| change | connections | namespaces |',
    '|---|---:|---|',
    `| added | ${added.length} | ${namespacesOf(added).join(', ') || '-'} |`,
    `| removed | ${removed.length} | ${namespacesOf(removed).join(', ') || '-'} |`,
  ];
  if (r.artifacts.length > 0) {
    out.push('', '| backend | files changed | lines |', '|---|---:|---|');
    for (const a of r.artifacts) {
      const { plus, minus } = changedLines(a);
      out.push(a.errors ? `| ${a.backend} | - | could not compile ${a.errors.side} |` : `| ${a.backend} | ${a.files.length} | +${plus} −${minus} |`);
    }
  }
  for (const side of ['Base', 'Head'] as const) {
    const pods = side === 'Base' ? r.connectivity.podsOnlyInBase : r.connectivity.podsOnlyInHead;
    if (pods.length === 0) continue;
    const shown = pods.slice(0, 50).join(', ');
    out.push('', `**${side} only (not compared):** ${shown}${pods.length > 50 ? ` and ${pods.length - 50} more` : ''}`);
  }
  // Characters of lines once joined with newlines (and the final one).
  const length = (lines: readonly string[]): number => lines.reduce((n, l) => n + l.length + 1, 0);
  let size = length(out);
  const budget = limit > 0 ? limit - noteRoom : Infinity;
  const fits = (lines: readonly string[]): boolean => size + length(lines) <= budget;
  const push = (lines: readonly string[]): void => {
    out.push(...lines);
    size += length(lines);
  };
  let rowsLeft = 0;
  for (const change of ['added', 'removed'] as const) {
    const groups = r.groups.filter((g) => g.change === change);
    if (groups.length === 0) continue;
    const program = change === 'added' ? r.head : r.base;
    const open = ['', `<details><summary>${change === 'added' ? 'Added' : 'Removed'} connections (${change === 'added' ? added.length : removed.length} in ${groups.length} group${groups.length === 1 ? '' : 's'})</summary>`, '', '| from | to | ports | why |', '|---|---|---|---|'];
    const close = ['', '</details>'];
    if (!fits([...open, ...close])) {
      rowsLeft += groups.length;
      continue;
    }
    push(open);
    let shown = 0;
    for (const g of groups) {
      const why = [...g.head.map((l) => `head: ${l}`), ...g.base.map((l) => `base: ${l}`)].map(escapeCell).join('<br>');
      const row = `| ${escapeCell(describeEndpoints(g.from, program))} | ${escapeCell(describeEndpoints(g.to, program))} | ${escapeCell(portsText(g.ports))}${g.family ? ` (IPv${g.family})` : ''} | ${why} |`;
      // Rows stop at the first that does not fit: a table keeps its order, with no holes.
      if (!fits([row, ...close])) break;
      push([row]);
      shown++;
    }
    rowsLeft += groups.length - shown;
    push(close);
  }
  let filesLeft = 0;
  for (const a of r.artifacts) {
    if (a.files.length === 0) continue;
    const block = ['', `<details><summary>${artifactSummary(a)}</summary>`, '', '```diff', ...a.files.map((f) => f.diff.replace(/\n$/, '')), '```', '', '</details>'];
    if (fits(block)) push(block);
    else filesLeft += a.files.length;
  }
  if (rowsLeft > 0 || filesLeft > 0) {
    const parts = [rowsLeft > 0 ? `${rowsLeft} group${rowsLeft === 1 ? '' : 's'} of connections` : '', filesLeft > 0 ? `the diffs of ${filesLeft} compiled file${filesLeft === 1 ? '' : 's'}` : ''].filter((p) => p !== '');
    out.push('', `_Omitted to fit a comment of ${limit} characters: ${parts.join(' and ')}. \`netpolc diff --format text\` or \`--format json\` shows everything._`);
  }
  return out.join('\n') + '\n';
}
