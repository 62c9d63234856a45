import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  BackupsRpc,
  TenantsRpc,
  type BackupAccepted,
  type BackupScheduleView,
  type BackupView,
  type CallerDto,
  type Page,
  type RestoreAccepted,
  type RestoreView,
  type TenantAccess,
  type TenantMemberRole } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { TenantParams } from '../tenants/dto/tenants.dto.js';
import {
  BackupAcceptedDoc,
  BackupDoc,
  BackupPageDoc,
  BackupScheduleDoc,
  CreateBackupBody,
  ListBackupsQuery,
  PutBackupScheduleBody,
  RestoreAcceptedDoc,
  RestoreBackupBody,
  RestoreDoc,
  TenantBackupParams,
  TenantRestoreParams,
} from './dto/backups.dto.js';

/**
 * A tenant's backups and restores. The tenants service authorizes the caller for the tenant first
 * (someone else's tenant is a 404; members may look, owners and admins back up, delete and
 * restore, in place or into a new tenant of their own); the backups service then scopes every id by
 * that tenant. A deleted tenant's backups (its final backup) are the platform admins' only: to its
 * former members it is not found.
 */
@ApiTags('backups')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 409, 429, 503, 504)
@Controller('api/v1/tenants/:id')
export class BackupsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  private async authorize(caller: CallerDto, id: string, role: TenantMemberRole): Promise<TenantAccess> {
    const access = await this.rpc.call(TenantsRpc.access, { id, role, caller });
    if (access.status === 'deleted' && access.role !== 'platform_admin') throw new DomainException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
    return access;
  }

  @Get('backups')
  @ApiOperation({ summary: 'The tenant’s backups, newest first (filters: type, status, date_from, date_to).', operationId: 'backups.backups.list' })
  @ApiListQuery({ ordering: ['created_at', 'completed_at', 'size_bytes'] })
  @ApiOkResponse({ type: BackupPageDoc })
  async list(@Param() params: TenantParams, @Query() query: ListBackupsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<BackupView>> {
    await this.authorize(caller, params.id, 'member');
    const result = await this.rpc.call(BackupsRpc.list, { ...query, tenant_id: params.id, caller });
    return this.paginator.toPage(result, query, request);
  }

  @Post('backups')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({ summary: 'Back the tenant up now (owner or admin): 202, it runs in the background (follow `status_url`).', operationId: 'backups.backups.create' })
  @ApiAcceptedResponse({ type: BackupAcceptedDoc })
  async create(@Param() params: TenantParams, @Body() body: CreateBackupBody, @Caller() caller: CallerDto): Promise<BackupAccepted> {
    await this.authorize(caller, params.id, 'admin');
    return this.rpc.call(BackupsRpc.create, { ...body, tenant_id: params.id, caller });
  }

  @Get('backups/:backup_id')
  @ApiOperation({ summary: 'One backup: status, progress, step, parts with their sha256, size, expiry, error.', operationId: 'backups.backups.get' })
  @ApiOkResponse({ type: BackupDoc })
  async get(@Param() params: TenantBackupParams, @Caller() caller: CallerDto): Promise<BackupView> {
    await this.authorize(caller, params.id, 'member');
    return this.rpc.call(BackupsRpc.get, { tenant_id: params.id, backup_id: params.backup_id, caller });
  }

  @Delete('backups/:backup_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a manual backup and its stored archive (owner or admin); other types follow their retention (409).', operationId: 'backups.backups.delete' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async delete(@Param() params: TenantBackupParams, @Caller() caller: CallerDto): Promise<void> {
    await this.authorize(caller, params.id, 'admin');
    await this.rpc.call(BackupsRpc.delete, { tenant_id: params.id, backup_id: params.backup_id, caller });
  }

  @Post('backups/:backup_id/restore')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    summary:
      'Restore the tenant from a backup (owner or admin): 202; validated, a safety backup taken, then swapped in; rolled back on any failure. With `{ "target": "new_tenant", "subdomain" }`: a new tenant of yours is signed up and provisioned, then the backup restored into it (a clone; how a deleted tenant’s final backup is recovered, by an admin).',
    operationId: 'backups.backups.restore',
  })
  @ApiAcceptedResponse({ type: RestoreAcceptedDoc })
  @ApiProblems(422)
  async restore(@Param() params: TenantBackupParams, @Body() body: RestoreBackupBody, @Caller() caller: CallerDto): Promise<RestoreAccepted> {
    await this.authorize(caller, params.id, 'admin');
    return this.rpc.call(BackupsRpc.restore, { ...body, tenant_id: params.id, backup_id: params.backup_id, caller });
  }

  @Get('restores/:restore_id')
  @ApiOperation({ summary: 'One restore: status, progress, step, safety backup, error and whether it was rolled back.', operationId: 'backups.restores.get' })
  @ApiOkResponse({ type: RestoreDoc })
  async getRestore(@Param() params: TenantRestoreParams, @Caller() caller: CallerDto): Promise<RestoreView> {
    await this.authorize(caller, params.id, 'member');
    return this.rpc.call(BackupsRpc.restoreGet, { tenant_id: params.id, restore_id: params.restore_id, caller });
  }

  @Get('backup-schedule')
  @ApiOperation({ summary: 'The tenant’s backup schedule (or its plan’s default while none is set), with the plan’s retention caps.', operationId: 'backups.schedule.get' })
  @ApiOkResponse({ type: BackupScheduleDoc })
  async getSchedule(@Param() params: TenantParams, @Caller() caller: CallerDto): Promise<BackupScheduleView> {
    await this.authorize(caller, params.id, 'member');
    return this.rpc.call(BackupsRpc.scheduleGet, { tenant_id: params.id, caller });
  }

  @Put('backup-schedule')
  @ApiOperation({ summary: 'Set the backup schedule (owner or admin): cron or preset, time zone, enabled, keep-last and/or keep-days.', operationId: 'backups.schedule.put' })
  @ApiOkResponse({ type: BackupScheduleDoc })
  async putSchedule(@Param() params: TenantParams, @Body() body: PutBackupScheduleBody, @Caller() caller: CallerDto): Promise<BackupScheduleView> {
    await this.authorize(caller, params.id, 'admin');
    return this.rpc.call(BackupsRpc.schedulePut, { ...body, tenant_id: params.id, caller });
  }
}
