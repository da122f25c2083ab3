import { allowedPorts, allowedPortsMatrix, appendAll, isEmptyPortSet, podAllowed, portSetKey, reachabilityMatrix, selectPodsOf, type ConnectionProtocol, type Family, type PortSet, type Protocol, type ResolvedProgram } from '@netpolc/ir';

/** A computed truth table, ready to render. */
export interface MatrixView {
  readonly title: string;
  readonly labels: readonly string[];
  /** '.' allowed, 'X' denied, '~' some ports (port-less mode). */
  readonly cells: readonly (readonly string[])[];
  /** Port-less mode: allowed ports per source and destination. */
  readonly ports: readonly (readonly string[])[] | undefined;
  readonly legend: string;
}

function restrict(set: PortSet, protocol: Protocol | undefined): PortSet {
  if (!protocol || set.kind === 'any') return set;
  return { kind: 'ports', TCP: [], UDP: [], SCTP: [], [protocol]: set[protocol] };
}

/** How a pair's allowed ports show in a port-less table: the cell and the ports text. */
interface PortCell {
  readonly cell: string;
  readonly ports: string;
}

/** Describes port sets for a port-less table (over one protocol, or all when undefined). */
function portCells(only: Protocol | undefined): (set: PortSet) => PortCell {
  const full = (p: PortSet): boolean => p.kind === 'any' || (only !== undefined && p[only].length === 1 && p[only][0]![0] === 0 && p[only][0]![1] === 65535);
  // The matrix shares its port set objects: describe each once.
  const described = new Map<PortSet, PortCell>();
  return (set) => {
    let d = described.get(set);
    if (!d) {
      const p = restrict(set, only);
      described.set(set, (d = { cell: isEmptyPortSet(p) ? 'X' : full(p) ? '.' : '~', ports: isEmptyPortSet(p) ? '' : portSetKey(p) }));
    }
    return d;
  };
}

/**
 * Builds the view on one port, or over all ports (cells '.', '~', 'X') when port is undefined;
 * over `family` only when given (pairs without it are denied), else IPv4 where both pods have it.
 */
export function buildMatrix(r: ResolvedProgram, protocol: ConnectionProtocol, port: number | undefined, anyProtocol: boolean, namespaces: readonly string[], family?: Family): MatrixView {
  const over = family ? ` over IPv${family}` : '';
  if (port !== undefined || protocol === 'ICMP') {
    const m = reachabilityMatrix(r, { protocol, port: port ?? 0, namespaces, ...(family ? { family } : {}) });
    return {
      title: `${protocol === 'ICMP' ? 'ICMP echo' : `${protocol}/${port}`}${over}`,
      labels: labelsOf(r, m.pods),
      cells: m.allowed.map((row) => row.map((a) => (a ? '.' : 'X'))),
      ports: undefined,
      legend: '. allowed   X denied   (rows: source, columns: destination)',
    };
  }
  const pods = selectPodsOf(r, namespaces);
  const ports = allowedPortsMatrix(r, pods, family).map((row) => row.map(portCells(anyProtocol ? undefined : protocol)));
  return {
    title: (anyProtocol ? 'all ports, all protocols' : `all ${protocol} ports`) + over,
    labels: labelsOf(r, pods),
    cells: ports.map((row) => row.map((p) => p.cell)),
    ports: ports.map((row) => row.map((p) => p.ports)),
    legend: '. all ports allowed   ~ some ports allowed   X denied   (rows: source, columns: destination)',
  };
}

function labelsOf(r: ResolvedProgram, pods: readonly number[]): string[] {
  return pods.map((i) => `${r.pods[i]!.namespace}/${r.pods[i]!.name}`);
}

/**
 * Each pod's cell with itself decided without the "a pod can always reach itself" rule, for
 * grouping: only the diagonal depends on that rule, so it alone is decided again.
 */
export function selflessDiagonal(r: ResolvedProgram, protocol: ConnectionProtocol, port: number | undefined, anyProtocol: boolean, namespaces: readonly string[], family?: Family): string[] {
  const selfless: ResolvedProgram = { ...r, program: { ...r.program, semantics: { ...r.program.semantics, allowSelf: false } } };
  if (port !== undefined || protocol === 'ICMP') return selectPodsOf(r, namespaces).map((p) => (podAllowed(selfless, p, p, protocol, port ?? 0, false, family) ? '.' : 'X'));
  const describe = portCells(anyProtocol ? undefined : protocol);
  return selectPodsOf(r, namespaces).map((p) => describe(allowedPorts(selfless, p, p, family)).cell);
}

/** Groups pods whose rows and columns are identical (the diagonal decided without the self rule). */
export function groupPods(view: MatrixView, selflessDiagonal: readonly string[]): number[][] {
  const n = view.labels.length;
  // One byte per cell, row-major: 25 MB for 5 000 pods, read sequentially below.
  const codes = new Uint8Array(n * n);
  const code = (c: string): number => (c === '.' ? 0 : c === 'X' ? 1 : 2);
  for (let i = 0; i < n; i++) {
    const row = view.cells[i]!;
    for (let j = 0; j < n; j++) codes[i * n + j] = code(i === j ? selflessDiagonal[i]! : row[j]!);
  }
  const rows = equalityClasses(n, (line, position) => line * n + position, codes);
  const cols = equalityClasses(n, (line, position) => position * n + line, codes);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = `${rows[i]}|${cols[i]}|${view.ports ? view.ports[i]!.join(',') : ''}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  }
  return [...groups.values()];
}

/**
 * Classes of equal lines (line i = the cells at(i, 0..n-1)) by partition refinement, one position
 * at a time: O(n²) byte reads, where building each line as a key string made a 5 000-pod table
 * spend most of its time in string building and garbage collection.
 */
function equalityClasses(n: number, at: (line: number, position: number) => number, codes: Uint8Array): Int32Array {
  let classes = new Int32Array(n);
  let next = new Int32Array(n);
  const split = new Int32Array(n * 3).fill(-1);
  for (let position = 0; position < n; position++) {
    let count = 0;
    for (let line = 0; line < n; line++) {
      const slot = classes[line]! * 3 + codes[at(line, position)]!;
      if (split[slot] === -1) split[slot] = count++;
      next[line] = split[slot]!;
    }
    for (let line = 0; line < n; line++) split[classes[line]! * 3 + codes[at(line, position)]!] = -1;
    [classes, next] = [next, classes];
  }
  return classes;
}

/** Plain-text table in the style of upstream Kubernetes truth tables, line by line. */
export function tableLines(view: MatrixView, groups: number[][] | undefined): string[] {
  const out: string[] = [`${view.title}: ${view.legend}`];
  if (!groups) {
    appendAll(out, grid(view.labels, columnLabels(view.labels), (i, j) => view.cells[i]![j]!));
    return out;
  }
  const names = groups.map((_, i) => `G${i + 1}`);
  appendAll(out, grid(names, names, (a, b) => aggregate(groups[a]!, groups[b]!, view)));
  out.push('', 'groups (pods with identical rows and columns):');
  groups.forEach((g, i) => out.push(`  G${i + 1} (${g.length}): ${g.map((p) => view.labels[p]).join(', ')}`));
  out.push('a pod can always reach itself; cells inside a group show pod-to-other-pod traffic');
  return out;
}

/**
 * The cell shared by every pair of two groups, or '~'. A group against itself shows its
 * pod-to-other-pod cells; a single pod, its own cell.
 */
function aggregate(src: readonly number[], dst: readonly number[], view: MatrixView): string {
  let first: string | undefined;
  for (const s of src) {
    const row = view.cells[s]!;
    for (const d of dst) {
      if (s === d && src.length !== 1) continue;
      const c = row[d]!;
      if (first === undefined) first = c;
      else if (c !== first) return '~';
    }
  }
  return first ?? '~';
}

/** Full names as column heads when they fit in 120 columns, else numbers that rows repeat. */
function columnLabels(labels: readonly string[]): readonly string[] {
  const width = Math.max(0, ...labels.map((l) => l.length)) + labels.reduce((n, l) => n + l.length + 2, 0);
  return width <= 120 ? labels : labels.map((_, i) => String(i + 1));
}

function grid(rows: readonly string[] | string[], cols: readonly string[], cell: (i: number, j: number) => string): string[] {
  if (cols[0] !== undefined && cols[0] !== rows[0] && /^\d+$/.test(cols[0])) rows = rows.map((r, i) => `${String(i + 1).padStart(String(rows.length).length)} ${r}`);
  const first = Math.max(1, ...rows.map((r) => r.length));
  const widths = cols.map((c) => Math.max(1, c.length));
  const lines = [[''.padEnd(first), ...cols.map((c, j) => c.padEnd(widths[j]!))].join('  ').trimEnd()];
  rows.forEach((r, i) => lines.push([r.padEnd(first), ...cols.map((_, j) => cell(i, j).padEnd(widths[j]!))].join('  ').trimEnd()));
  return lines;
}

/**
 * Markdown table (✓ allowed, ✗ denied, ~ some ports), line by line. With groups, as the plain
 * table: one row and column per group, then the groups' pods as a second table.
 */
export function markdownLines(view: MatrixView, groups?: number[][]): string[] {
  const sym = (c: string): string => (c === '.' ? '✓' : c === 'X' ? '✗' : '~');
  const lines = [`**${view.title}** — rows: source, columns: destination`, ''];
  if (!groups) {
    lines.push(`| src \\ dst | ${view.labels.map((l) => `\`${l}\``).join(' | ')} |`, `|---|${view.labels.map(() => ':-:').join('|')}|`);
    view.labels.forEach((l, i) => lines.push(`| \`${l}\` | ${view.cells[i]!.map(sym).join(' | ')} |`));
    return lines;
  }
  const names = groups.map((_, i) => `G${i + 1}`);
  lines.push(`| src \\ dst | ${names.join(' | ')} |`, `|---|${names.map(() => ':-:').join('|')}|`);
  names.forEach((name, a) => lines.push(`| ${name} | ${groups.map((_, b) => sym(aggregate(groups[a]!, groups[b]!, view))).join(' | ')} |`));
  lines.push('', 'Groups (pods with identical rows and columns):', '', '| group | pods |', '|---|---|');
  groups.forEach((g, i) => lines.push(`| ${names[i]} (${g.length}) | ${g.map((p) => `\`${view.labels[p]}\``).join(', ')} |`));
  lines.push('', 'A pod can always reach itself; cells inside a group show pod-to-other-pod traffic.');
  return lines;
}

/**
 * The JSON form (`allowed` maps every pod to the pods it can reach), in pieces: for a few
 * thousand pods the text passes V8's largest string (about 512 MB), so it is never built whole.
 * Joined, byte-identical to `JSON.stringify(body, null, 2)`.
 */
export function* jsonChunks(view: MatrixView, protocol: ConnectionProtocol | null, port: number | null): Generator<string> {
  const labels = view.labels;
  let nAllowed = 0;
  // Each pod's list is built only when written (and counted for the summary that follows).
  const rows = (pick: (cell: string) => boolean, count: boolean): [string, () => unknown][] =>
    labels.map((src, i) => [
      src,
      () => {
        const list = labels.filter((_, j) => pick(view.cells[i]![j]!));
        if (count) nAllowed += list.length;
        return list;
      },
    ]);
  const fields: [string, () => Iterable<string>][] = [
    ['protocol', () => [JSON.stringify(protocol)]],
    ['port', () => [JSON.stringify(port)]],
    ['pods', () => [indented(labels, 1)]],
    ['allowed', () => mapChunks(1, rows((c) => c !== 'X', true))],
    ['denied', () => mapChunks(1, rows((c) => c === 'X', false))],
    ['summary', () => [indented({ pods: labels.length, allowed: nAllowed, denied: labels.length ** 2 - nAllowed }, 1)]],
  ];
  const ports = view.ports;
  if (ports) {
    const portRows = labels.map((src, i): [string, () => unknown] => [
      src,
      () => {
        const row: Record<string, string> = {};
        labels.forEach((dst, j) => {
          if (ports[i]![j]) row[dst] = ports[i]![j]!;
        });
        return row;
      },
    ]);
    fields.push(['ports', () => mapChunks(1, portRows)]);
  }
  for (let i = 0; i < fields.length; i++) {
    const [key, value] = fields[i]!;
    yield `${i === 0 ? '{\n' : ',\n'}  ${JSON.stringify(key)}: `;
    yield* value();
  }
  yield '\n}\n';
}

/** A value as `JSON.stringify(value, null, 2)` prints it at this nesting level. */
function indented(value: unknown, level: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(level)}`);
}

/** An object as `JSON.stringify` prints it, one entry at a time (values computed when reached). */
function* mapChunks(level: number, entries: Iterable<[string, () => unknown]>): Generator<string> {
  let first = true;
  for (const [key, value] of entries) {
    yield `${first ? '{\n' : ',\n'}${'  '.repeat(level + 1)}${JSON.stringify(key)}: ${indented(value(), level + 1)}`;
    first = false;
  }
  yield first ? '{}' : `\n${'  '.repeat(level)}}`;
}
