/** `--output table|json`: a table of the columns given, or the JSON as the API answered it. */
export function render(data: unknown, format: 'table' | 'json', columns: string[] = []): string {
  if (format === 'json') return JSON.stringify(data, null, 2);
  const rows = Array.isArray(data) ? data : [data];
  if (rows.length === 0) return '(none)';
  const cols = columns.length ? columns : Object.keys(rows[0] as object).filter((k) => typeof (rows[0] as Record<string, unknown>)[k] !== 'object');
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const table = [cols.map((c) => c.toUpperCase()), ...rows.map((r) => cols.map((c) => cell((r as Record<string, unknown>)[c])))];
  const widths = cols.map((_, i) => Math.min(60, Math.max(...table.map((row) => row[i]!.length))));
  return table.map((row) => row.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/**
 * A live progress line for long operations: `[#########-----------]  45%  provisioning: database`.
 * On a terminal it redraws in place; elsewhere (CI logs, pipes) it prints a line per change.
 */
export class ProgressBar {
  private last = '';

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 24,
  ) {}

  update(percent: number, label: string): void {
    const p = Math.max(0, Math.min(100, Math.round(percent)));
    const filled = Math.round((p / 100) * this.width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${String(p).padStart(3)}%  ${label}`;
    if (line === this.last) return;
    this.last = line;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line}`);
    else this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
  }
}
