import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Projection of tenant membership (tenant.created owner, tenant.member_added/removed, tenant.deleted). */
@Entity({ name: 'user_tenants' })
@Index('user_tenants_tenant_id_idx', ['tenantId'])
export class UserTenant {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** `owner`, or the member role the tenants service reported. */
  @Column('text')
  role!: string;

  @Column('text', { name: 'tenant_name', nullable: true })
  tenantName!: string | null;

  @Column('text', { name: 'tenant_domain', nullable: true })
  tenantDomain!: string | null;

  @Column('boolean', { name: 'is_active', default: true })
  isActive!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
