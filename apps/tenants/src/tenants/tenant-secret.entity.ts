import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The instance admin password, sealed with SecretBox, in a table of its own: saving a Tenant can
 * never touch it, and only TenantsService.credentials (internal RPC) reads it.
 */
@Entity({ name: 'tenant_secrets' })
export class TenantSecret {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text', { name: 'admin_password' })
  adminPassword!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
