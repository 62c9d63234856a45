import { DomainException } from '@saas/errors';

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Headers the platform sets itself, or that would change how the request is framed or routed. */
const RESERVED = new Set(['host', 'content-type', 'content-length', 'content-encoding', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'cookie']);

/** Checks an endpoint's custom headers; names are stored lower case. */
export function checkCustomHeaders(headers: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(headers);
  const fail = (message: string) => DomainException.validation([{ field: 'headers', message }]);
  if (entries.length > 20) throw fail('at most 20 headers');
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw fail(`"${name}" is not a valid header name`);
    if (RESERVED.has(lower) || lower.startsWith('webhook-') || lower.startsWith('proxy-')) throw fail(`"${name}" is set by the platform`);
    if (typeof value !== 'string' || value.length > 1000 || /[\r\n\0]/.test(value)) throw fail(`"${name}" must be a string of at most 1000 characters on one line`);
    out[lower] = value;
  }
  return out;
}
