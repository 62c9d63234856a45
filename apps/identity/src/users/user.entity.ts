import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type UserRole = 'user' | 'admin';
export type PlanTier = 'standard' | 'premium' | 'enterprise';

/** A tenant the user asked for at registration; the tenants service creates it from `user.created`. */
export interface RequestedTenant {
  name: string;
  domain: string | null;
}

/** A person (or robot) who can sign in. Email is unique case-insensitively (lower(email) index). */
@Entity({ name: 'users' })
@Check('users_role_check', `role IN ('user', 'admin')`)
@Check('users_tier_override_check', `tier_override IN ('standard', 'premium', 'enterprise')`)
@Index('users_email_lower_key', { synchronize: false })
@Index('users_username_lower_key', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  email!: string;

  @Column('text', { nullable: true })
  username!: string | null;

  @Column('text', { name: 'password_hash', select: false })
  passwordHash!: string;

  @Column('text', { name: 'first_name', default: '' })
  firstName!: string;

  @Column('text', { name: 'last_name', default: '' })
  lastName!: string;

  @Column('text', { default: 'user' })
  role!: UserRole;

  /**
   * An admin's explicit override of the rate-limit tier (API.md § Rate limits); NULL = plan-driven,
   * from the subscriptions the user owns (effective-plan-tier.ts).
   */
  @Column('text', { name: 'tier_override', nullable: true })
  tierOverride!: PlanTier | null;

  @Column('boolean', { name: 'is_active', default: true })
  isActive!: boolean;

  @Column('timestamptz', { name: 'email_verified_at', nullable: true })
  emailVerifiedAt!: Date | null;

  @Column('jsonb', { default: {} })
  metadata!: Record<string, unknown>;

  @Column('timestamptz', { name: 'last_login', nullable: true })
  lastLogin!: Date | null;

  /** Recorded at registration (`tenant_name` + `tenant_domain`) and announced in `user.created`. */
  @Column('jsonb', { name: 'requested_tenant', nullable: true })
  requestedTenant!: RequestedTenant | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  get fullName(): string {
    return [this.firstName, this.lastName].filter(Boolean).join(' ');
  }
}
