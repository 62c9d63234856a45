import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate-limit tier is plan-driven (the subscriptions a user owns); what an admin sets on a user
 * becomes an explicit override instead of a floor under the plans. The default `standard` every
 * user had is no override, so it becomes NULL; a tier an admin had raised stays, now as an
 * override that the user's view reports.
 */
export class TierOverride1764590300000 implements MigrationInterface {
  name = 'TierOverride1764590300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_plan_tier_check"`);
    await q.query(`ALTER TABLE "users" RENAME COLUMN "plan_tier" TO "tier_override"`);
    await q.query(`ALTER TABLE "users" ALTER COLUMN "tier_override" DROP NOT NULL, ALTER COLUMN "tier_override" DROP DEFAULT`);
    await q.query(`UPDATE "users" SET "tier_override" = NULL WHERE "tier_override" = 'standard'`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_tier_override_check" CHECK (tier_override IN ('standard', 'premium', 'enterprise'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_tier_override_check"`);
    await q.query(`UPDATE "users" SET "tier_override" = 'standard' WHERE "tier_override" IS NULL`);
    await q.query(`ALTER TABLE "users" ALTER COLUMN "tier_override" SET NOT NULL, ALTER COLUMN "tier_override" SET DEFAULT 'standard'`);
    await q.query(`ALTER TABLE "users" RENAME COLUMN "tier_override" TO "plan_tier"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_plan_tier_check" CHECK (plan_tier IN ('standard', 'premium', 'enterprise'))`);
  }
}
