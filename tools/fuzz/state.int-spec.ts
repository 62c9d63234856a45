import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { TestEnv } from '@saas/testing';
import { changedTables, StateProbe } from './state.js';

describe('StateProbe', () => {
  let env: TestEnv;
  let client: pg.Client;
  let probe: StateProbe;

  beforeAll(async () => {
    env = await TestEnv.create('fuzz_state');
    client = await env.pg();
    await client.query('CREATE SCHEMA svc; CREATE TABLE svc.things (id int PRIMARY KEY, name text); CREATE TABLE svc.other (id int); INSERT INTO svc.things VALUES (1, $$a$$)');
    probe = await StateProbe.connect(env.databaseUrl);
  });

  afterAll(async () => {
    await probe?.close();
    await client?.end();
    await env?.cleanup();
  });

  it('sees rows added, changed and removed, in the table they were', async () => {
    const s0 = await probe.snapshot();
    expect(changedTables(s0, await probe.snapshot())).toEqual([]);
    await client.query('UPDATE svc.things SET name = $$b$$ WHERE id = 1');
    const s1 = await probe.snapshot();
    expect(changedTables(s0, s1)).toEqual(['svc.things']);
    await client.query('INSERT INTO svc.other VALUES (1)');
    expect(changedTables(s1, await probe.snapshot())).toEqual(['svc.other']);
    expect(changedTables(s1, await probe.snapshot(), new Set(['svc.other']))).toEqual([]);
  });
});
