import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenantContacts1764500200000 implements MigrationInterface {
  name = 'CreateTenantContacts1764500200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook_tenant_contacts" (
        "tenant_id" uuid PRIMARY KEY,
        "owner_id" uuid NOT NULL,
        "name" text NOT NULL DEFAULT '',
        "contact_email" text,
        "as_of" timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_tenant_contacts"`);
  }
}
