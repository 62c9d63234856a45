import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit entries spell their action as seed 002 does (`create`, `update`, `delete`, `login`, `logout`)
 * instead of the event verb (`created` …); rows written before are rewritten the same way. No schema
 * change. The filter accepts both spellings, so a client that asked for `action=created` still works.
 */
export class AuditSeedActions1764590000000 implements MigrationInterface {
  name = 'AuditSeedActions1764590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "audit_logs" SET "action" = CASE "action"
         WHEN 'created' THEN 'create' WHEN 'updated' THEN 'update' WHEN 'deleted' THEN 'delete'
         WHEN 'logged_in' THEN 'login' WHEN 'logged_out' THEN 'logout' END
       WHERE "action" IN ('created', 'updated', 'deleted', 'logged_in', 'logged_out')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "audit_logs" SET "action" = CASE "action"
         WHEN 'create' THEN 'created' WHEN 'update' THEN 'updated' WHEN 'delete' THEN 'deleted'
         WHEN 'login' THEN 'logged_in' WHEN 'logout' THEN 'logged_out' END
       WHERE "action" IN ('create', 'update', 'delete', 'login', 'logout')`,
    );
  }
}
