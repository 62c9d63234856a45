import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenants1763800200000 implements MigrationInterface {
  name = 'CreateTenants1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "tenants" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "slug" text NOT NULL,
        "plan" text NOT NULL DEFAULT 'standard',
        "database_strategy" text NOT NULL DEFAULT 'dedicated',
        "domain" text,
        "contact_email" text,
        "billing_address" text,
        "settings" jsonb NOT NULL DEFAULT '{}',
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "custom_plugin_repo" text,
        "admin_email" text,
        "owner_id" uuid NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "status_reason" text,
        "progress" integer NOT NULL DEFAULT 0,
        "current_step" text,
        "access_url" text,
        "current_operation_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "deleted_at" timestamptz,
        "version" integer NOT NULL,
        CONSTRAINT "tenants_status_check" CHECK (status IN ('pending', 'provisioning', 'active', 'suspended', 'stopped', 'error', 'deleting', 'deleted')),
        CONSTRAINT "tenants_plan_check" CHECK (plan IN ('free', 'standard', 'premium', 'enterprise')),
        CONSTRAINT "tenants_strategy_check" CHECK (database_strategy IN ('shared', 'dedicated')),
        CONSTRAINT "tenants_progress_check" CHECK (progress BETWEEN 0 AND 100)
      )`);
    await q.query(`CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants" ("slug")`);
    await q.query(`CREATE INDEX "tenants_owner_idx" ON "tenants" ("owner_id")`);
    await q.query(`CREATE INDEX "tenants_status_idx" ON "tenants" ("status")`);
    await q.query(`
      CREATE TABLE "tenant_secrets" (
        "tenant_id" uuid PRIMARY KEY,
        "admin_password" text NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "tenant_members" (
        "tenant_id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "role" text NOT NULL,
        "added_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("tenant_id", "user_id"),
        CONSTRAINT "tenant_members_role_check" CHECK (role IN ('owner', 'admin', 'member'))
      )`);
    await q.query(`CREATE INDEX "tenant_members_user_idx" ON "tenant_members" ("user_id")`);
    await q.query(`
      CREATE TABLE "tenant_transitions" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL,
        "from_status" text,
        "to_status" text NOT NULL,
        "reason" text,
        "actor_id" text,
        "operation_id" uuid,
        "occurred_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "tenant_transitions_tenant_idx" ON "tenant_transitions" ("tenant_id", "occurred_at")`);
    await q.query(`
      CREATE TABLE "tenant_operations" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "progress" integer NOT NULL DEFAULT 0,
        "step" text,
        "error" text,
        "retryable" boolean NOT NULL DEFAULT true,
        "reason" text,
        "requested_by" text,
        "params" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        CONSTRAINT "tenant_operations_status_check" CHECK (status IN ('pending', 'running', 'succeeded', 'failed'))
      )`);
    await q.query(`CREATE INDEX "tenant_operations_tenant_idx" ON "tenant_operations" ("tenant_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "tenant_operations"`);
    await q.query(`DROP TABLE "tenant_transitions"`);
    await q.query(`DROP TABLE "tenant_members"`);
    await q.query(`DROP TABLE "tenant_secrets"`);
    await q.query(`DROP TABLE "tenants"`);
  }
}
