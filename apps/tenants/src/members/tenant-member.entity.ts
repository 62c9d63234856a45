import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TenantMemberRole } from '@saas/contracts';

@Entity({ name: 'tenant_members' })
@Index('tenant_members_user_idx', ['userId'])
@Check('tenant_members_role_check', `role IN ('owner', 'admin', 'member')`)
export class TenantMember {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  role!: TenantMemberRole;

  @Column('uuid', { name: 'added_by', nullable: true })
  addedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
