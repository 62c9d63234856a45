import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Inserts many entities of one shape in one statement with one parameter
 * (`jsonb_populate_recordset`), where TypeORM's multi-row insert builds a parameter per value and
 * copies its whole parameter map for each one: for a few hundred wide rows (a renewal batch's
 * invoices and payments) that held the event loop for a hundred milliseconds and more, and every
 * RPC on the same loop waited behind it. Columns left undefined in every row take their defaults;
 * rows that disagree on which columns they set go through TypeORM's insert instead.
 */
export async function insertRows<T extends ObjectLiteral>(tx: EntityManager, target: EntityTarget<T>, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  const metadata = tx.connection.getMetadata(target);
  const columns = metadata.columns.filter((c) => !c.isVirtual && rows[0]![c.propertyName] !== undefined);
  const sameShape = rows.every((r) => metadata.columns.every((c) => c.isVirtual || (r[c.propertyName] !== undefined) === columns.includes(c)));
  if (!sameShape) {
    await tx.getRepository(target).insert(rows as never);
    return;
  }
  const records = rows.map((row) =>
    Object.fromEntries(
      columns.map((c) => {
        const value: unknown = c.getEntityValue(row);
        return [c.databaseName, c.transformer && !Array.isArray(c.transformer) ? c.transformer.to(value) : value];
      }),
    ),
  );
  const table = [metadata.schema, metadata.tableName].filter(Boolean).map((p) => `"${p}"`).join('.');
  const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
  await tx.query(`INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(records)]);
}
