import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Who to tell about a tenant's endpoints: its owner and billing contact as the tenant events last
 * said them (a projection of `tenant.*`; the tenants service's schema is never read).
 */
@Entity({ name: 'webhook_tenant_contacts' })
export class TenantContact {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'owner_id' })
  ownerId!: string;

  @Column('text', { default: '' })
  name!: string;

  @Column('text', { name: 'contact_email', nullable: true })
  contactEmail!: string | null;

  /** `occurred_at` of the event the row was last written from: an older event never overwrites a newer one. */
  @Column('timestamptz', { name: 'as_of' })
  asOf!: Date;
}
