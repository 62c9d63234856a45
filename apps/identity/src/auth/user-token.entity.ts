import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

export type UserTokenPurpose = 'email_verification' | 'password_reset';

/** A single-use, expiring token mailed to a user (stored as its SHA-256). */
@Entity({ name: 'user_tokens' })
@Check('user_tokens_purpose_check', `purpose IN ('email_verification', 'password_reset')`)
@Index('user_tokens_token_hash_key', ['tokenHash'], { unique: true })
@Index('user_tokens_user_id_idx', ['userId', 'purpose'])
export class UserToken {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_tokens_user_id_fkey' })
  user?: User;

  @Column('text')
  purpose!: UserTokenPurpose;

  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt!: Date | null;
}
