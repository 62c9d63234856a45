import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type BackupScheduleRefRequest, type BackupScheduleView, type PutBackupScheduleRequest } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { BackupsService } from '../backups/backups.service.js';
import { BackupSchedule } from './backup-schedule.entity.js';
import { retentionLimits, type RetentionLimits } from './plan-retention.js';
import { emitScheduleChanged } from './schedule-events.js';
import { assertTimezone, InvalidSchedule, nextRun, toCron } from './schedule-expression.js';

/** `GET/PUT tenants/{id}/backup-schedule`: a tenant's schedule, checked against its subscription plan's caps. */
@Injectable()
export class BackupSchedulesService {
  constructor(
    private readonly ds: DataSource,
    private readonly backups: BackupsService,
    private readonly outbox: EventOutbox,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async get(req: BackupScheduleRefRequest): Promise<BackupScheduleView> {
    const limits = await this.limitsOf(req.tenant_id);
    const stored = await this.ds.getRepository(BackupSchedule).findOneBy({ tenantId: req.tenant_id });
    if (stored) return this.view(stored, limits, true);
    return {
      tenant_id: req.tenant_id,
      schedule: limits.default_schedule,
      cron: toCron(limits.default_schedule),
      timezone: 'UTC',
      enabled: false,
      keep_last: limits.default_keep_last,
      keep_days: limits.default_keep_days,
      next_run_at: null,
      last_run_at: null,
      configured: false,
      limits: { max_keep_last: limits.max_keep_last, max_keep_days: limits.max_keep_days },
    };
  }

  async put(req: PutBackupScheduleRequest): Promise<BackupScheduleView> {
    const limits = await this.limitsOf(req.tenant_id);
    const timezone = req.timezone ?? 'UTC';
    let cron: string;
    try {
      cron = toCron(req.schedule);
      assertTimezone(timezone);
    } catch (err) {
      if (err instanceof InvalidSchedule) throw DomainException.validation([{ field: err.message.includes('time zone') ? 'timezone' : 'schedule', message: err.message }]);
      throw err;
    }
    const keepLast = req.keep_last === undefined ? limits.default_keep_last : req.keep_last;
    const keepDays = req.keep_days === undefined ? limits.default_keep_days : req.keep_days;
    const errors = [];
    if (keepLast === null && keepDays === null) errors.push({ field: 'keep_last', message: 'set keep_last, keep_days or both: scheduled backups cannot be kept forever' });
    if (keepLast !== null && keepLast > limits.max_keep_last) errors.push({ field: 'keep_last', message: `the ${limits.plan} plan keeps at most ${limits.max_keep_last} scheduled backups` });
    if (keepDays !== null && keepDays > limits.max_keep_days) errors.push({ field: 'keep_days', message: `the ${limits.plan} plan keeps scheduled backups at most ${limits.max_keep_days} days` });
    if (errors.length) throw DomainException.validation(errors);
    const enabled = req.enabled ?? true;
    const row = this.ds.getRepository(BackupSchedule).create({
      tenantId: req.tenant_id,
      schedule: req.schedule.trim(),
      cron,
      timezone,
      enabled,
      keepLast,
      keepDays,
      nextRunAt: enabled ? nextRun(cron, timezone, this.clock.now()) : null,
    });
    const saved = await this.ds.transaction(async (tx) => {
      await tx.getRepository(BackupSchedule).save(row);
      const s = await tx.getRepository(BackupSchedule).findOneByOrFail({ tenantId: req.tenant_id });
      await emitScheduleChanged(this.outbox, tx, s);
      return s;
    });
    return this.view(saved, limits, true);
  }

  private async limitsOf(tenantId: string): Promise<RetentionLimits> {
    const location = await this.backups.locate(tenantId);
    return retentionLimits(this.ds.manager, tenantId, location.plan);
  }

  private view(s: BackupSchedule, limits: { max_keep_last: number; max_keep_days: number }, configured: boolean): BackupScheduleView {
    return {
      tenant_id: s.tenantId,
      schedule: s.schedule,
      cron: s.cron,
      timezone: s.timezone,
      enabled: s.enabled,
      keep_last: s.keepLast,
      keep_days: s.keepDays,
      next_run_at: s.nextRunAt?.toISOString() ?? null,
      last_run_at: s.lastRunAt?.toISOString() ?? null,
      configured,
      limits: { max_keep_last: limits.max_keep_last, max_keep_days: limits.max_keep_days },
    };
  }
}
