import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallerDto } from '@saas/contracts';
import { Clock } from '@saas/service-kit';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { ApiResult } from '../http/api-result.js';
import { ApiProblems } from '../http/openapi.js';
import { MaintenanceBody, MaintenanceView } from './maintenance.dto.js';
import { MaintenanceException } from './maintenance.exception.js';
import { MaintenanceStore } from './maintenance.store.js';

/** `admin/maintenance`: the switch every gateway replica honours (seed 000). */
@ApiTags('admin')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 429, 503)
@Controller('api/v1/admin/maintenance')
export class MaintenanceController {
  constructor(
    private readonly store: MaintenanceStore,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether the platform is in maintenance mode, why and until when.', operationId: 'admin.maintenance.get' })
  @ApiResult(MaintenanceView)
  get(): MaintenanceView {
    return this.store.current(this.clock.now().getTime());
  }

  @Put()
  @ApiOperation({ summary: 'Switch maintenance mode on (with a message and an optional end) or off; every replica follows within a second.', operationId: 'admin.maintenance.set' })
  @ApiResult(MaintenanceView)
  async set(@Body() body: MaintenanceBody, @Caller() caller: CallerDto): Promise<MaintenanceView> {
    const now = this.clock.now();
    if (body.ends_at && Date.parse(body.ends_at) <= now.getTime()) throw MaintenanceException.endInPast();
    const before = this.store.current(now.getTime());
    return this.store.set(
      body.enabled
        ? {
            enabled: true,
            message: body.message ?? null,
            started_at: before.enabled ? before.started_at : now.toISOString(),
            ends_at: body.ends_at ? new Date(body.ends_at).toISOString() : null,
            updated_by: caller.actor.id,
            updated_at: now.toISOString(),
          }
        : { enabled: false, message: null, started_at: null, ends_at: null, updated_by: caller.actor.id, updated_at: now.toISOString() },
    );
  }
}
