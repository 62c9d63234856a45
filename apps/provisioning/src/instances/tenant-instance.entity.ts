import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Where a tenant's data lives (no password: that is sealed in `database_password`). */
export interface StoredDatabaseRef {
  strategy: 'shared' | 'dedicated';
  host: string;
  port: number;
  database: string;
  schema: string;
  role: string;
}

/** What provisioning has made for a tenant: its database and the instance the runtime runs. */
@Entity({ name: 'tenant_instances' })
@Index('tenant_instances_slug_key', ['slug'], { unique: true })
export class TenantInstance {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  runtime!: string;

  @Column('text')
  plan!: string;

  @Column('jsonb', { nullable: true })
  database!: StoredDatabaseRef | null;

  /** SecretBox-sealed password of the tenant's database role. */
  @Column('text', { name: 'database_password', nullable: true })
  databasePassword!: string | null;

  /** What the operators asked for; the runtime converges on it. */
  @Column('text', { name: 'desired_state', default: 'running' })
  desiredState!: 'running' | 'stopped' | 'deleted';

  @Column('text', { name: 'access_url', nullable: true })
  accessUrl!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
