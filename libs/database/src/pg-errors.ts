/** SQLSTATE of a unique (or primary key) constraint refusing a row. */
export const UNIQUE_VIOLATION = '23505';

/**
 * A Postgres unique violation (a concurrent insert of the same email, a slug taken meanwhile),
 * whether it comes straight from `pg` or wrapped in TypeORM's QueryFailedError; with `constraint`,
 * only a violation of that constraint. One check for every service, so none matches the code by hand.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } } | null | undefined;
  const code = e?.driverError?.code ?? e?.code;
  const name = e?.driverError?.constraint ?? e?.constraint;
  return code === UNIQUE_VIOLATION && (!constraint || name === constraint);
}
