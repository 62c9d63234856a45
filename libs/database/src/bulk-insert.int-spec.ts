import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { TEST_PG_ADMIN_URL } from '@saas/testing';
import { insertRows } from './bulk-insert.js';
import { createServiceDataSource } from './data-source.js';

@Entity({ name: 'things' })
class Thing {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'display_name' }) displayName!: string;
  @Column('jsonb') tags!: unknown;
  @Column('timestamptz', { name: 'seen_at' }) seenAt!: Date;
  @Column('integer', { default: 7 }) n?: number;
  @Column('text', { nullable: true }) note!: string | null;
}

const schema = `bulk_insert_${process.pid}`;

describe('insertRows', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = createServiceDataSource({ schema, url: TEST_PG_ADMIN_URL, entities: [Thing], migrations: [], poolSize: 2 });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await ds.query(`CREATE TABLE ${schema}.things (id uuid PRIMARY KEY, display_name text NOT NULL, tags jsonb NOT NULL, seen_at timestamptz NOT NULL, n integer NOT NULL DEFAULT 7, note text)`);
  });

  afterAll(async () => {
    await ds.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await ds.destroy();
  });

  it('writes rows of one shape in one statement: column names, JSON, times, NULLs, and defaults for what no row sets', async () => {
    const at = new Date('2026-03-01T12:34:56.789Z');
    const rows: Thing[] = [
      { id: '00000000-0000-4000-8000-000000000001', displayName: 'one', tags: { a: [1, 2], b: 'x' }, seenAt: at, note: null },
      { id: '00000000-0000-4000-8000-000000000002', displayName: "it's two", tags: ['y'], seenAt: at, note: 'n' },
    ];
    await ds.transaction((tx) => insertRows(tx, Thing, rows));
    expect(await ds.query(`SELECT id, display_name, tags, seen_at, n, note FROM things ORDER BY id`)).toEqual([
      { id: rows[0]!.id, display_name: 'one', tags: { a: [1, 2], b: 'x' }, seen_at: at, n: 7, note: null },
      { id: rows[1]!.id, display_name: "it's two", tags: ['y'], seen_at: at, n: 7, note: 'n' },
    ]);
  });

  it('falls back to TypeORM’s insert when the rows disagree on the columns they set (a default must not become NULL)', async () => {
    const at = new Date();
    await ds.transaction((tx) =>
      insertRows(tx, Thing, [
        { id: '00000000-0000-4000-8000-000000000003', displayName: 'three', tags: {}, seenAt: at, n: 3, note: null },
        { id: '00000000-0000-4000-8000-000000000004', displayName: 'four', tags: {}, seenAt: at, note: null },
      ]),
    );
    expect(await ds.query(`SELECT display_name, n FROM things WHERE id IN ($1, $2) ORDER BY id`, ['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'])).toEqual([
      { display_name: 'three', n: 3 },
      { display_name: 'four', n: 7 },
    ]);
  });
});
