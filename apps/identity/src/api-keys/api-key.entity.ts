import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/** `sk_<prefix>_<secret>`: found by its non-secret prefix, checked against the SHA-256 of the secret. */
@Entity({ name: 'api_keys' })
@Index('api_keys_prefix_key', ['prefix'], { unique: true })
@Index('api_keys_user_id_idx', ['userId'])
export class ApiKey {
  @PrimaryColumn('uuid')
  id!: string;

  /** The 8 characters after `sk_`. */
  @Column('text')
  prefix!: string;

  @Column('text', { name: 'secret_hash' })
  secretHash!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_keys_user_id_fkey' })
  user?: User;

  @Column('uuid', { name: 'tenant_id', nullable: true })
  tenantId!: string | null;

  @Column('text')
  name!: string;

  @Column('jsonb')
  scopes!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
