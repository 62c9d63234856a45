import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1763800100000 implements MigrationInterface {
  name = 'CreateUsers1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "email" text NOT NULL,
        "username" text,
        "password_hash" text NOT NULL,
        "first_name" text NOT NULL DEFAULT '',
        "last_name" text NOT NULL DEFAULT '',
        "role" text NOT NULL DEFAULT 'user',
        "plan_tier" text NOT NULL DEFAULT 'standard',
        "is_active" boolean NOT NULL DEFAULT true,
        "email_verified_at" timestamptz,
        "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "last_login" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "users_role_check" CHECK (role IN ('user', 'admin')),
        CONSTRAINT "users_plan_tier_check" CHECK (plan_tier IN ('standard', 'premium', 'enterprise'))
      )`);
    // Case-insensitive uniqueness; TypeORM cannot express expression indexes, so the entity marks it synchronize: false.
    await q.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower(email))`);
    await q.query(`CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower(username)) WHERE username IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "users"`);
  }
}
