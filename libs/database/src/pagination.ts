import type { FindOptionsOrder, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainException } from '@saas/errors';
import { type ListQueryDto, type ListResult, parseOrdering } from '@saas/contracts';

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
  const parsed = parseOrdering(query.ordering, Object.keys(spec.orderable), spec.defaultOrder);
  if (!parsed.ok) {
    throw DomainException.validation([
      { field: 'ordering', message: `cannot order by "${parsed.field}"; allowed: ${Object.keys(spec.orderable).join(', ')}` },
    ]);
  }
  const alias = qb.alias;
  let first = true;
  for (const [field, dir] of Object.entries(parsed.order)) {
    const column = `${alias}.${spec.orderable[field] ?? field}`;
    if (first) qb.orderBy(column, dir);
    else qb.addOrderBy(column, dir);
    first = false;
  }
  for (const column of spec.tieBreaker ?? ['id']) qb.addOrderBy(`${alias}.${column}`, 'ASC'); // stable pages when values tie
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

/** `%term%` for `ILIKE`, with the pattern's own wildcards in `term` escaped (a search for `50%` finds "50%"). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}
