import type { FuzzReport } from './runner.js';

/** The run in a few lines: requests sent (the number CI shows), statuses, what was skipped, every failure. */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `fuzz: seed ${report.seed}, ${report.operations} operations, ${report.requests} requests sent (${report.replayed} of them refused requests replayed around a state check)`,
    `fuzz: statuses ${Object.entries(report.byStatus)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
    `fuzz: stored state ${report.stateChecked ? `compared around every refused request${report.unsettled.length ? ` (tables that kept moving on their own, left out: ${report.unsettled.join(', ')})` : ''}` : 'not checked (no database URL)'}`,
    ...report.skipped.map((s) => `fuzz: skipped ${s.operation}: ${s.reason}`),
    ...Object.entries(report.unserved).map(([key, n]) => `fuzz: 503 SERVICE_UNAVAILABLE ×${n} from ${key} (that service answers no RPC in this build yet)`),
    `fuzz: ${report.failures.length} failure(s)`,
  ];
  for (const f of report.failures) {
    lines.push(`  ✗ ${f.operation} as ${f.principal} — ${f.label}: ${f.problems.join('; ')}`, `      ${f.request}`, `      → ${f.status} ${f.response.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return lines.join('\n');
}
