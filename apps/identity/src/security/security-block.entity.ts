import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BlockTargetType } from '@saas/contracts';

/** An IP, a CIDR or an API key the gateway refuses (every replica, within a second), with who and why. */
@Entity({ name: 'security_blocks' })
@Index('security_blocks_active_idx', ['targetType', 'target'], { where: '"unblocked_at" IS NULL' })
export class SecurityBlock {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'target_type' })
  targetType!: BlockTargetType;

  /** Normalised: an address or `address/prefix` as Node prints it, or an API key id. */
  @Column('text')
  target!: string;

  @Column('text')
  reason!: string;

  @Column('uuid', { name: 'blocked_by', nullable: true })
  blockedBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'unblocked_at', nullable: true })
  unblockedAt!: Date | null;

  @Column('uuid', { name: 'unblocked_by', nullable: true })
  unblockedBy!: string | null;
}
