import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { DomainException } from '@saas/errors';
import { TEST_PG_ADMIN_URL } from '@saas/testing';
import { createServiceDataSource } from './data-source.js';
import { paginate, paginateSql } from './pagination.js';

@Entity({ name: 'items' })
class Item {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'owner_ref' }) ownerRef!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

const schema = `pagination_${process.pid}`;
const spec = { orderable: { created_at: 'createdAt', name: 'name' }, defaultOrder: { created_at: 'DESC' as const } };

describe('paginateSql', () => {
  let ds: DataSource;
  const items: Item[] = Array.from({ length: 7 }, (_, i) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    name: `item ${i % 3}`,
    ownerRef: i % 2 === 0 ? 'even' : 'odd',
    // Two share a time: the id breaks the tie, so pages never overlap.
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i === 4 ? 3 : i)),
  }));

  beforeAll(async () => {
    ds = createServiceDataSource({ schema, url: TEST_PG_ADMIN_URL, entities: [Item], migrations: [], poolSize: 2 });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await ds.query(`CREATE TABLE ${schema}.items (id uuid PRIMARY KEY, name text NOT NULL, owner_ref text NOT NULL, created_at timestamptz NOT NULL)`);
    await ds.getRepository(Item).insert(items);
  });

  afterAll(async () => {
    await ds.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await ds.destroy();
  });

  const viaBuilder = async (where: string | undefined, query: { page: number; page_size: number; ordering?: string }) => {
    const qb = ds.getRepository(Item).createQueryBuilder('t');
    if (where) qb.where('t.owner_ref = :o', { o: where });
    return paginate(qb, query, spec);
  };
  const viaSql = async (where: string | undefined, query: { page: number; page_size: number; ordering?: string }) => {
    const page = await paginateSql(ds.manager, { entity: Item, alias: 't', where: where ? ['t.owner_ref = $1'] : [], params: where ? [where] : [] }, query, spec);
    return { count: page.count, results: page.results.map((r) => r.entity) };
  };

  it('gives the pages and counts the query builder gives, for every page (past the end too), filter (matching nothing too) and ordering', async () => {
    for (const where of [undefined, 'even', 'odd', 'nobody']) {
      for (const ordering of [undefined, 'name', '-name,created_at', 'created_at']) {
        for (const page of [1, 2, 3, 5]) {
          const query = { page, page_size: 2, ...(ordering ? { ordering } : {}) };
          expect(await viaSql(where, query)).toEqual(await viaBuilder(where, query));
        }
      }
    }
  });

  it('hydrates entities (dates as Dates) and returns the extra selected values beside them', async () => {
    const page = await paginateSql(ds.manager, { entity: Item, alias: 't', where: [], params: [], select: [`upper(t.name) AS shout`] }, { page: 1, page_size: 1 }, spec);
    expect(page.count).toBe(7);
    expect(page.results[0]!.entity).toBeInstanceOf(Item);
    expect(page.results[0]!.entity.createdAt).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 0, 6)));
    expect(page.results[0]!.row.shout).toBe('ITEM 0');
  });

  it('refuses an ordering outside the allow-list with VALIDATION_FAILED', async () => {
    const err = await paginateSql(ds.manager, { entity: Item, alias: 't', where: [], params: [] }, { page: 1, page_size: 2, ordering: 'owner_ref' }, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect((err as DomainException).errors).toEqual([{ field: 'ordering', message: 'cannot order by "owner_ref"; allowed: created_at, name' }]);
  });
});
