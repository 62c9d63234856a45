/** What a response may not look like, whatever the request was. */

/** A V8 stack frame (`at fn (/path/file.js:12:34)`) or a source location of ours. */
const STACK_TRACE = /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+\)?|\bnode_modules\/|\.(?:ts|js):\d+:\d+/;
/** Text Postgres, pg or TypeORM put in errors. */
const SQL_TEXT =
  /syntax error at or near|QueryFailedError|EntityNotFound|violates (?:not-null|unique|foreign key|check) constraint|duplicate key value|relation \\?"[^"\\]+\\?" does not exist|column \\?"[^"\\]+\\?" (?:of relation \\?"[^"\\]+\\?" )?does not exist|invalid input syntax for (?:type )?|out of range for type|value too long for type|\bSELECT\b.{1,300}?\bFROM\s+[\\"]*\w+[\\"]*\.[\\"]*\w+|\bINSERT INTO\s+"?\w+|\bUPDATE\s+"?\w+"?\."?\w+"?\s+SET\b|\bDELETE FROM\s+"?\w+/i;

export interface Verdict {
  ok: boolean;
  problems: string[];
}

/**
 * Judges one response: no 5xx; every 4xx is application/problem+json with an upper-case `code` and
 * the same `status`; no body carries a stack trace or SQL.
 */
export function judge(status: number, contentType: string | undefined, body: string): Verdict {
  const problems: string[] = [];
  if (status === 0) problems.push('no answer');
  if (status >= 500) problems.push(`answered ${status}`);
  if (status >= 400 && status < 500) {
    if (!/^application\/problem\+json\b/.test(contentType ?? '')) problems.push(`${status} is ${contentType ?? 'without Content-Type'}, not application/problem+json`);
    let parsed: { code?: unknown; status?: unknown } | undefined;
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      problems.push(`${status} body is not JSON`);
    }
    if (parsed) {
      if (typeof parsed.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(parsed.code)) problems.push(`${status} problem has no upper-case code (${JSON.stringify(parsed.code)})`);
      if (parsed.status !== status) problems.push(`${status} problem says status ${JSON.stringify(parsed.status)}`);
    }
  }
  if (STACK_TRACE.test(body)) problems.push('body carries a stack trace');
  if (SQL_TEXT.test(body)) problems.push('body carries SQL or a database error');
  return { ok: problems.length === 0, problems };
}
