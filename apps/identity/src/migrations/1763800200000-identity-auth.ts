import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions and tokens, signing keys, API keys, throttling, security events, audit log, projections. */
export class IdentityAuth1763800200000 implements MigrationInterface {
  name = 'IdentityAuth1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD "requested_tenant" jsonb`);

    await q.query(`
      CREATE TABLE "sessions" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        "revoked_reason" text,
        "ip" text,
        "user_agent" text,
        CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "sessions_user_id_idx" ON "sessions" ("user_id")`);

    await q.query(`
      CREATE TABLE "refresh_tokens" (
        "id" uuid PRIMARY KEY,
        "session_id" uuid NOT NULL,
        "token_hash" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "refresh_tokens_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens" ("token_hash")`);
    await q.query(`CREATE INDEX "refresh_tokens_session_id_idx" ON "refresh_tokens" ("session_id")`);

    await q.query(`
      CREATE TABLE "user_tokens" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid NOT NULL,
        "purpose" text NOT NULL,
        "token_hash" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "user_tokens_purpose_check" CHECK (purpose IN ('email_verification', 'password_reset')),
        CONSTRAINT "user_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "user_tokens_token_hash_key" ON "user_tokens" ("token_hash")`);
    await q.query(`CREATE INDEX "user_tokens_user_id_idx" ON "user_tokens" ("user_id", "purpose")`);

    await q.query(`
      CREATE TABLE "login_throttles" (
        "subject" text NOT NULL,
        "client" text NOT NULL,
        "failures" integer NOT NULL DEFAULT 0,
        "last_failure_at" timestamptz,
        "locked_until" timestamptz,
        "last_success_at" timestamptz,
        PRIMARY KEY ("subject", "client")
      )`);

    await q.query(`
      CREATE TABLE "signing_keys" (
        "kid" text PRIMARY KEY,
        "algorithm" text NOT NULL,
        "public_jwk" jsonb NOT NULL,
        "private_key_enc" text NOT NULL,
        "status" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "retired_at" timestamptz,
        CONSTRAINT "signing_keys_status_check" CHECK (status IN ('active', 'retired'))
      )`);

    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid PRIMARY KEY,
        "prefix" text NOT NULL,
        "secret_hash" text NOT NULL,
        "user_id" uuid NOT NULL,
        "tenant_id" uuid,
        "name" text NOT NULL,
        "scopes" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz,
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys" ("prefix")`);
    await q.query(`CREATE INDEX "api_keys_user_id_idx" ON "api_keys" ("user_id")`);

    await q.query(`
      CREATE TABLE "security_events" (
        "id" uuid PRIMARY KEY,
        "type" text NOT NULL,
        "user_id" uuid,
        "subject" text,
        "ip" text,
        "user_agent" text,
        "details" jsonb NOT NULL,
        "occurred_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "security_events_type_time_idx" ON "security_events" ("type", "occurred_at")`);

    await q.query(`
      CREATE TABLE "audit_logs" (
        "id" uuid PRIMARY KEY,
        "event_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "action" text NOT NULL,
        "resource_type" text NOT NULL,
        "resource_id" text,
        "tenant_id" uuid,
        "actor_type" text NOT NULL,
        "actor_id" text,
        "ip" text,
        "user_agent" text,
        "old_values" jsonb,
        "new_values" jsonb,
        "correlation_id" text,
        "occurred_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX "audit_logs_event_id_key" ON "audit_logs" ("event_id")`);
    await q.query(`CREATE INDEX "audit_logs_occurred_at_idx" ON "audit_logs" ("occurred_at")`);
    await q.query(`CREATE INDEX "audit_logs_tenant_id_idx" ON "audit_logs" ("tenant_id", "occurred_at")`);
    await q.query(`CREATE INDEX "audit_logs_actor_id_idx" ON "audit_logs" ("actor_id", "occurred_at")`);

    await q.query(`
      CREATE TABLE "user_tenants" (
        "user_id" uuid NOT NULL,
        "tenant_id" uuid NOT NULL,
        "role" text NOT NULL,
        "tenant_name" text,
        "tenant_domain" text,
        "is_active" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        PRIMARY KEY ("user_id", "tenant_id")
      )`);
    await q.query(`CREATE INDEX "user_tenants_tenant_id_idx" ON "user_tenants" ("tenant_id")`);

    await q.query(`
      CREATE TABLE "user_subscriptions" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid,
        "tenant_id" uuid,
        "plan" text,
        "status" text,
        "is_active" boolean NOT NULL DEFAULT true,
        "start_date" timestamptz,
        "end_date" timestamptz,
        "updated_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "user_subscriptions_user_id_idx" ON "user_subscriptions" ("user_id")`);
    await q.query(`CREATE INDEX "user_subscriptions_tenant_id_idx" ON "user_subscriptions" ("tenant_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'user_subscriptions',
      'user_tenants',
      'audit_logs',
      'security_events',
      'api_keys',
      'signing_keys',
      'login_throttles',
      'user_tokens',
      'refresh_tokens',
      'sessions',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
    await q.query(`ALTER TABLE "users" DROP COLUMN "requested_tenant"`);
  }
}
