import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { TenantStatus } from '@saas/contracts';

/** The history of a tenant's lifecycle: one row per transition. */
@Entity({ name: 'tenant_transitions' })
@Index('tenant_transitions_tenant_idx', ['tenantId', 'occurredAt'])
export class TenantTransition {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text', { name: 'from_status', nullable: true })
  fromStatus!: TenantStatus | null;

  @Column('text', { name: 'to_status' })
  toStatus!: TenantStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('uuid', { name: 'operation_id', nullable: true })
  operationId!: string | null;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
