import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BackupsRpc, type BackupView, type CallerDto, type DrillAccepted, type DrillView, type Page } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { AdminListBackupsQuery, BackupDrillParams, BackupPageDoc, BackupParams, DrillAcceptedDoc, DrillDoc } from './dto/backups.dto.js';

/**
 * Platform admins' view of backups: every tenant's, deleted tenants' final backups among them (a
 * deleted tenant is recovered with `POST tenants/{id}/backups/{backup_id}/restore`, target
 * `new_tenant`), and restore drills of any backup on demand.
 */
@ApiTags('admin')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 404, 409, 429, 503, 504)
@Controller('api/v1/admin/backups')
export class AdminBackupsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'admin.backups.list', summary: 'Every tenant’s backups, newest first (filters: tenant_id, type — `pre_deletion` for final backups —, status, date_from, date_to).' })
  @ApiListQuery({ ordering: ['created_at', 'completed_at', 'size_bytes'] })
  @ApiOkResponse({ type: BackupPageDoc })
  async list(@Query() query: AdminListBackupsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<BackupView>> {
    return this.paginator.toPage(await this.rpc.call(BackupsRpc.adminList, { ...query, caller }), query, request);
  }

  @Post(':backup_id/drills')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    operationId: 'admin.backups.drill',
    summary: 'Run a restore drill of a completed backup now: 202; it is restored into a scratch database, its tables and row counts compared with its manifest, and the scratch database dropped.',
  })
  @ApiAcceptedResponse({ type: DrillAcceptedDoc })
  drill(@Param() params: BackupParams, @Caller() caller: CallerDto): Promise<DrillAccepted> {
    return this.rpc.call(BackupsRpc.drill, { backup_id: params.backup_id, caller });
  }

  @Get(':backup_id/drills/:drill_id')
  @ApiOperation({ operationId: 'admin.backups.drills.get', summary: 'One restore drill: status, step, restore time, every table’s recorded and restored rows, the error.' })
  @ApiOkResponse({ type: DrillDoc })
  getDrill(@Param() params: BackupDrillParams, @Caller() caller: CallerDto): Promise<DrillView> {
    return this.rpc.call(BackupsRpc.drillGet, { backup_id: params.backup_id, drill_id: params.drill_id, caller });
  }
}
