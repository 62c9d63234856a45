import { randomBytes } from 'node:crypto';
import type { Principal } from './runner.js';

/**
 * Operations the fuzzer does not send, and why: by design they end the caller's session, which
 * would turn every later request of that principal into a 401 and hide what it should find.
 */
export const SKIPPED_BY_DESIGN: ReadonlyMap<string, string> = new Map([
  ['auth.logout', 'ends the calling session (every later request of the principal would be a 401)'],
  ['admin.maintenance.set', 'a valid body switches the whole API to 503 MAINTENANCE_MODE (its bad input is tested in maintenance.int-spec)'],
]);

export interface FuzzWorld {
  principals: Principal[];
  /** Ids that exist: a user and a tenant made for the run, which the fuzzer may change or delete. */
  knownIds: string[];
  tenantIds: string[];
}

async function call(baseUrl: string, method: string, path: string, token: string | undefined, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // kept empty: the status says what happened
  }
  return { status: res.status, json };
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await call(baseUrl, 'POST', '/api/v1/auth/login', undefined, { email, password });
  if (res.status !== 200 || typeof res.json.access_token !== 'string') throw new Error(`login of ${email} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json.access_token;
}

/**
 * Signs the admin in and makes what the run needs: a user (the "user" principal, `tier` for its
 * rate limit), and a user and a tenant whose ids the fuzzer may use in paths (and so may change or
 * delete). Principals: anonymous, the user, the admin.
 */
export async function prepareWorld(baseUrl: string, admin: { email: string; password: string }, options: { tier?: string; runId?: string } = {}): Promise<FuzzWorld> {
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const adminToken = await login(baseUrl, admin.email, admin.password);
  const password = `Fuzz-${randomBytes(12).toString('base64url')}-1a`;
  const make = async (who: string) => {
    const res = await call(baseUrl, 'POST', '/api/v1/users', adminToken, { email: `fuzz-${who}-${runId}@example.com`, password, full_name: `Fuzz ${who}`, tier: options.tier ?? 'enterprise', email_verified: true });
    if (res.status !== 201) throw new Error(`creating the ${who} user answered ${res.status}: ${JSON.stringify(res.json)}`);
    return res.json.id as string;
  };
  await make('user');
  const victimId = await make('victim');
  const userToken = await login(baseUrl, `fuzz-user-${runId}@example.com`, password);
  const tenant = await call(baseUrl, 'POST', '/api/v1/tenants', userToken, { name: `Fuzz ${runId}`, subdomain: `fuzz-${runId}`, database_strategy: 'shared' });
  if (tenant.status !== 202) throw new Error(`creating the tenant answered ${tenant.status}: ${JSON.stringify(tenant.json)}`);
  const tenantId = tenant.json.id as string;
  return {
    principals: [
      { name: 'anonymous', headers: {}, anonymous: true },
      { name: 'user', headers: { authorization: `Bearer ${userToken}` } },
      { name: 'admin', headers: { authorization: `Bearer ${adminToken}` } },
    ],
    knownIds: [victimId, tenantId],
    tenantIds: [tenantId],
  };
}
