import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SecurityFindingDto, SecurityScanStatus } from '@saas/contracts';

/** A security scan: its findings once it has run, and who asked. */
@Entity({ name: 'security_scans' })
@Index('security_scans_started_at_idx', ['startedAt'])
export class SecurityScan {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  status!: SecurityScanStatus;

  @Column('uuid', { name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('jsonb', { default: [] })
  findings!: SecurityFindingDto[];

  @Column('jsonb', { name: 'not_scanned', default: [] })
  notScanned!: string[];

  @Column('text', { nullable: true })
  error!: string | null;
}
