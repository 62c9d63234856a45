import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed-login bookkeeping. One row per (subject, client IP) and one per subject with client '*'
 * (the global ceiling). The subject is the account (`user:<id>`), or for unknown identifiers a hash
 * of what was typed, so unknown accounts lock exactly like real ones.
 */
@Entity({ name: 'login_throttles' })
export class LoginThrottle {
  @PrimaryColumn('text')
  subject!: string;

  @PrimaryColumn('text')
  client!: string;

  @Column('int', { default: 0 })
  failures!: number;

  @Column('timestamptz', { name: 'last_failure_at', nullable: true })
  lastFailureAt!: Date | null;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  @Column('timestamptz', { name: 'last_success_at', nullable: true })
  lastSuccessAt!: Date | null;
}
