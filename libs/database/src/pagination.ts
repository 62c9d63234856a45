import type { EntityManager, EntityTarget, FindOptionsOrder, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainException } from '@saas/errors';
import { type ListQueryDto, type ListResult, parseOrdering } from '@saas/contracts';
import { entityFromRow, tableOf } from './row-reader.js';

export interface ListSpec {
  /** Fields `ordering=` may name (snake_case, as clients see them) mapped to entity property names. */
  orderable: Record<string, string>;
  defaultOrder: Record<string, 'ASC' | 'DESC'>;
  /** Unique column(s) that make the order total, so pages never overlap; default `id`. */
  tieBreaker?: string[];
}

/**
 * The API.md list conventions applied to a query builder: page/page_size, ordering over an allow-list.
 * Filters and `search` stay with the caller, which knows its columns.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  query: Pick<ListQueryDto, 'page' | 'page_size' | 'ordering'>,
  spec: ListSpec,
): Promise<ListResult<T>> {
  const alias = qb.alias;
  orderOf(query, spec).forEach(([property, dir], i) => {
    if (i === 0) qb.orderBy(`${alias}.${property}`, dir);
    else qb.addOrderBy(`${alias}.${property}`, dir);
  });
  // Without joins a row is an entity, so count(*) is the count; TypeORM's getManyAndCount always
  // sends COUNT(DISTINCT id), which sorts every id of the table (the invoice list, 10,000+ rows).
  if (qb.expressionMap.joinAttributes.length === 0) {
    const counted = qb.clone().orderBy().select('COUNT(*)', 'count');
    const results = await qb.offset((query.page - 1) * query.page_size).limit(query.page_size).getMany();
    const count = Number((await counted.getRawOne<{ count: string }>())?.count ?? 0);
    return { count, results };
  }
  const [results, count] = await qb
    .skip((query.page - 1) * query.page_size)
    .take(query.page_size)
    .getManyAndCount();
  return { count, results };
}

export type { FindOptionsOrder };

/**
 * The order of a page as entity properties: `ordering=` over the allow-list (or the default), then
 * the tie-breaker, ascending, so pages never overlap. An ordering outside the allow-list is a 400.
 */
function orderOf(query: Pick<ListQueryDto, 'ordering'>, spec: ListSpec): Array<[property: string, dir: 'ASC' | 'DESC']> {
  const parsed = parseOrdering(query.ordering, Object.keys(spec.orderable), spec.defaultOrder);
  if (!parsed.ok) {
    throw DomainException.validation([
      { field: 'ordering', message: `cannot order by "${parsed.field}"; allowed: ${Object.keys(spec.orderable).join(', ')}` },
    ]);
  }
  return [
    ...Object.entries(parsed.order).map(([field, dir]): [string, 'ASC' | 'DESC'] => [spec.orderable[field] ?? field, dir]),
    ...(spec.tieBreaker ?? ['id']).map((property): [string, 'ASC'] => [property, 'ASC']),
  ];
}

/** `%term%` for `ILIKE`, with the pattern's own wildcards in `term` escaped (a search for `50%` finds "50%"). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}

/** A list query in plain SQL: the table (aliased), its conditions and their parameters (`$1`…). */
export interface SqlListQuery<T extends ObjectLiteral> {
  entity: EntityTarget<T>;
  /** The alias of the entity's table in `where` and `select` (`t`). */
  alias: string;
  /** Conditions, ANDed; they number their parameters from `$1` in `params` order. */
  where: string[];
  params: unknown[];
  /** More select expressions beside the entity's columns, e.g. `EXISTS (…) AS has_password`. */
  select?: string[];
}

/**
 * `paginate` for hot lists, in plain SQL (issue 9): the page and its count in one statement, with
 * none of the query builder's SQL building and alias mapping, which cost more CPU than Postgres
 * spent answering a page of twenty. Rows come back as entities (`entityFromRow`) with the extra selected values
 * beside them. Ordering follows `spec` like `paginate`, over the entity's own columns.
 */
export async function paginateSql<T extends ObjectLiteral>(
  manager: EntityManager,
  list: SqlListQuery<T>,
  query: Pick<ListQueryDto, 'page' | 'page_size' | 'ordering'>,
  spec: ListSpec,
): Promise<{ count: number; results: Array<{ entity: T; row: Record<string, unknown> }> }> {
  const metadata = manager.connection.getMetadata(list.entity);
  const order = orderOf(query, spec)
    .map(([property, dir]) => `${list.alias}."${metadata.findColumnWithPropertyName(property)?.databaseName ?? property}" ${dir}`)
    .join(', ');
  const from = `FROM ${tableOf(manager, list.entity)} ${list.alias}${list.where.length ? ` WHERE ${list.where.map((w) => `(${w})`).join(' AND ')}` : ''}`;
  const n = list.params.length;
  // The count and the page in one statement (one round trip, one backend woken: issue 9). The page
  // is joined to the count, so a page past the end still answers the count, in a row whose page
  // columns are null (no `__listed` marker).
  const rows: Array<Record<string, unknown> & { __count: number; __listed: number | null }> = await manager.query(
    `SELECT page.*, counted.__count
       FROM (SELECT count(*)::int AS __count ${from}) counted
       LEFT JOIN LATERAL (SELECT ${[`${list.alias}.*`, ...(list.select ?? []), '1 AS __listed'].join(', ')} ${from} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}) page ON true`,
    [...list.params, query.page_size, (query.page - 1) * query.page_size],
  );
  const results = rows.filter((row) => row.__listed !== null).map(({ __count: _count, __listed: _listed, ...row }) => ({ entity: entityFromRow(manager, list.entity, row), row }));
  return { count: rows[0]?.__count ?? 0, results };
}
