import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * An entity from a row of a plain SQL query (`SELECT t.* …`), for hot reads (issue 9): TypeORM's
 * query builder spends more CPU building the SQL and its aliases than Postgres spends answering a
 * one-row lookup (about a fifth of the tenants service's busy time on `GET tenants/{id}`). The row's
 * columns are mapped with the entity's own metadata and the driver's hydration (types, transformers),
 * so the entity is the one `findOne` would give; columns the entity does not have are left out.
 */
export function entityFromRow<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!(column.databaseName in row)) continue;
    column.setEntityValue(entity, manager.connection.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}

/** The schema-qualified, quoted table of an entity, for plain SQL (`FROM ${tableOf(…)} t`). */
export function tableOf(manager: EntityManager, target: EntityTarget<ObjectLiteral>): string {
  return manager.connection
    .getMetadata(target)
    .tablePath.split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
