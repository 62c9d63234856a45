import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBilling1764600000000 implements MigrationInterface {
  name = 'CreateBilling1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "subscriptions" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "tenant_name" text NOT NULL,
        "buyer_email" text,
        "billing_address" text,
        "billing_country" text,
        "plan" text NOT NULL,
        "plan_version" integer NOT NULL,
        "status" text NOT NULL,
        "billing_cycle" text NOT NULL,
        "currency" text NOT NULL,
        "max_users" integer NOT NULL,
        "payment_method_id" uuid,
        "start_date" timestamptz NOT NULL,
        "end_date" timestamptz,
        "trial_end" timestamptz,
        "current_period_start" timestamptz NOT NULL,
        "current_period_end" timestamptz NOT NULL,
        "cancel_at_period_end" boolean NOT NULL DEFAULT false,
        "canceled_at" timestamptz,
        "pending_change" jsonb,
        "accrued_lines" jsonb NOT NULL DEFAULT '[]',
        "dunning_attempts" integer NOT NULL DEFAULT 0,
        "next_retry_at" timestamptz,
        "past_due_since" timestamptz,
        "tenant_suspended" boolean NOT NULL DEFAULT false,
        "tenant_plan" text NOT NULL,
        "clock_offset_ms" bigint NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "version" integer NOT NULL,
        CONSTRAINT "subscriptions_status_check" CHECK (status IN ('trialing', 'active', 'past_due', 'unpaid', 'canceled')),
        CONSTRAINT "subscriptions_cycle_check" CHECK (billing_cycle IN ('monthly', 'annually')),
        CONSTRAINT "subscriptions_max_users_check" CHECK (max_users >= 1)
      )`);
    await q.query(`CREATE UNIQUE INDEX "subscriptions_tenant_live_key" ON "subscriptions" ("tenant_id") WHERE status <> 'canceled'`);
    await q.query(`CREATE INDEX "subscriptions_owner_idx" ON "subscriptions" ("owner_id")`);
    await q.query(`CREATE INDEX "subscriptions_period_end_idx" ON "subscriptions" ("current_period_end")`);
    await q.query(`
      CREATE TABLE "subscription_seats" (
        "subscription_id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "created_at" timestamptz NOT NULL,
        PRIMARY KEY ("subscription_id", "user_id")
      )`);
    await q.query(`
      CREATE TABLE "subscription_transitions" (
        "id" uuid PRIMARY KEY,
        "subscription_id" uuid NOT NULL,
        "from_status" text,
        "to_status" text NOT NULL,
        "reason" text,
        "at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "subscription_transitions_subscription_idx" ON "subscription_transitions" ("subscription_id", "at")`);
    await q.query(`
      CREATE TABLE "subscription_previews" (
        "id" uuid PRIMARY KEY,
        "subscription_id" uuid NOT NULL,
        "subscription_version" integer NOT NULL,
        "change" jsonb NOT NULL,
        "result" jsonb NOT NULL,
        "as_of" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "subscription_previews_subscription_idx" ON "subscription_previews" ("subscription_id")`);
    await q.query(`
      CREATE TABLE "invoices" (
        "id" uuid PRIMARY KEY,
        "number" text NOT NULL,
        "tenant_id" uuid NOT NULL,
        "subscription_id" uuid,
        "kind" text NOT NULL,
        "status" text NOT NULL,
        "currency" text NOT NULL,
        "lines" jsonb NOT NULL,
        "subtotal" integer NOT NULL,
        "tax_rate_bp" integer NOT NULL,
        "tax" integer NOT NULL,
        "total" integer NOT NULL,
        "amount_paid" integer NOT NULL DEFAULT 0,
        "period_start" timestamptz NOT NULL,
        "period_end" timestamptz NOT NULL,
        "issued_at" timestamptz NOT NULL,
        "due_date" timestamptz NOT NULL,
        "paid_at" timestamptz,
        "voided_at" timestamptz,
        "plan" text NOT NULL,
        "plan_version" integer NOT NULL,
        "buyer" jsonb NOT NULL,
        "seller" jsonb NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "invoices_status_check" CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
        CONSTRAINT "invoices_kind_check" CHECK (kind IN ('period', 'proration')),
        CONSTRAINT "invoices_amounts_check" CHECK (subtotal >= 0 AND tax >= 0 AND total = subtotal + tax AND amount_paid >= 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX "invoices_number_key" ON "invoices" ("number")`);
    await q.query(`CREATE UNIQUE INDEX "invoices_subscription_period_key" ON "invoices" ("subscription_id", "period_start") WHERE kind = 'period'`);
    await q.query(`CREATE INDEX "invoices_tenant_idx" ON "invoices" ("tenant_id", "issued_at")`);
    await q.query(`CREATE INDEX "invoices_status_idx" ON "invoices" ("status", "issued_at")`);
    await q.query(`CREATE TABLE "invoice_counters" ("year" integer PRIMARY KEY, "last" integer NOT NULL)`);
    await q.query(`
      CREATE TABLE "payment_methods" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "token" text NOT NULL,
        "brand" text NOT NULL,
        "last4" text NOT NULL,
        "exp_month" integer NOT NULL,
        "exp_year" integer NOT NULL,
        "is_default" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "payment_methods_tenant_idx" ON "payment_methods" ("tenant_id")`);
    await q.query(`CREATE UNIQUE INDEX "payment_methods_default_key" ON "payment_methods" ("tenant_id") WHERE is_default`);
    await q.query(`
      CREATE TABLE "payments" (
        "id" uuid PRIMARY KEY,
        "tenant_id" uuid NOT NULL,
        "invoice_id" uuid,
        "payment_method_id" uuid,
        "provider" text NOT NULL,
        "provider_payment_id" text,
        "idempotency_key" text NOT NULL,
        "amount" integer NOT NULL,
        "currency" text NOT NULL,
        "status" text NOT NULL,
        "decline_code" text,
        "failure_reason" text,
        "attempt" integer NOT NULL,
        "created_at" timestamptz NOT NULL,
        CONSTRAINT "payments_status_check" CHECK (status IN ('succeeded', 'failed'))
      )`);
    await q.query(`CREATE UNIQUE INDEX "payments_idempotency_key_key" ON "payments" ("idempotency_key")`);
    await q.query(`CREATE INDEX "payments_invoice_idx" ON "payments" ("invoice_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['payments', 'payment_methods', 'invoice_counters', 'invoices', 'subscription_previews', 'subscription_transitions', 'subscription_seats', 'subscriptions']) {
      await q.query(`DROP TABLE IF EXISTS "${table}"`);
    }
  }
}
