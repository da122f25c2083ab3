import type { Diagnostic, Location } from '@netpolc/ir';

/** Text form: `file:line:col: severity code: message` and a one-line code frame. */
export function formatDiagnostic(d: Diagnostic, loc: Location | undefined, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sev = d.severity === 'error' ? paint('31;1', 'error') : d.severity === 'warning' ? paint('33;1', 'warning') : paint('36', 'info');
  const where = loc ? `${loc.file}:${loc.line}:${loc.column}: ` : '';
  let out = `${where}${sev} ${d.code}: ${d.message}\n`;
  if (loc && loc.lineText.length > 0 && loc.lineText.length < 400) {
    const gutter = String(loc.line);
    const width = loc.endLine === loc.line ? Math.max(1, loc.endColumn - loc.column) : Math.max(1, loc.lineText.length - loc.column + 1);
    out += `  ${gutter} | ${loc.lineText}\n`;
    out += `  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, loc.column - 1))}${paint('31', '^'.repeat(Math.min(width, 80)))}\n`;
  }
  return out;
}

/** JSON form for `--diagnostics-format json`: stable keys. */
export function diagnosticJson(d: Diagnostic, loc: Location | undefined): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: loc?.file ?? null,
    line: loc?.line ?? null,
    column: loc?.column ?? null,
    endLine: loc?.endLine ?? null,
    endColumn: loc?.endColumn ?? null,
  };
}
