import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { TestEnv } from '@saas/testing';
import { filterMatches, filterMatchesSql } from './event-filter.js';

describe('filterMatchesSql (real Postgres)', () => {
  let env: TestEnv;
  let db: pg.Client;

  beforeAll(async () => {
    env = await TestEnv.create('event_filter');
    db = await env.pg();
  });

  afterAll(async () => {
    await db.end();
    await env.cleanup();
  });

  it('takes exactly the types filterMatches takes', async () => {
    const filters = [[], ['*'], ['tenant.ready'], ['tenant.*'], ['user.created', 'tenant.*'], ['tenant.'], ['*.*'], ['tenant_.*'], ['%.*'], ['tenant.%'], ['.*']];
    const types = ['tenant.created', 'tenant.ready', 'tenant.ready_soon', 'tenants.created', 'tenant.', 'tenant', 'user.created', 'tenant_x.created', 'tenant_.created', '%.x', 'a.b.c', '.x'];
    const cases = filters.flatMap((f) => types.map((t) => ({ f, t })));
    const { rows } = await db.query<{ n: number; matches: boolean }>(
      `SELECT x.n::int AS n, ${filterMatchesSql('x.f', 'x.t')} AS matches FROM unnest($1::jsonb[], $2::text[]) WITH ORDINALITY AS x(f, t, n) ORDER BY x.n`,
      [cases.map((c) => JSON.stringify(c.f)), cases.map((c) => c.t)],
    );
    expect(rows.map((r) => r.matches)).toEqual(cases.map((c) => filterMatches(c.f, c.t)));
  });
});
