import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IdentityRpc, type ApiKeyView, type CallerDto, type CreatedApiKeyView, type Page } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { CredentialRevocations } from '../auth/revocations.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { CreateApiKeyBody, IdParams, ListApiKeysQuery } from './dto/users.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { ApiKeyViewDto, CreatedApiKeyViewDto } from './dto/views.js';

/** `/api/v1/api-keys`: the caller's API keys (`sk_…`, usable as `Authorization: Bearer` or `X-API-Key`). */
@ApiTags('api-keys')
@ApiAuth()
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
    private readonly revocations: CredentialRevocations,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s API keys (admins: `user_id=` for another user’s).' })
  @ApiListQuery({ ordering: ['created_at', 'last_used_at', 'name'] })
  @ApiQuery({ name: 'user_id', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiPageResponse(ApiKeyViewDto, 'A page of keys (never the secret).')
  async list(@Query() query: ListApiKeysQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<ApiKeyView>> {
    return this.paginator.toPage(await this.rpc.call(IdentityRpc.apiKeysList, { ...query, caller }), query, request);
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a key. The answer carries the key itself, this once.' })
  @ApiResult(CreatedApiKeyViewDto, { description: 'The key, with `key`.' })
  @ApiProblems(404)
  create(@Body() body: CreateApiKeyBody, @Caller() caller: CallerDto): Promise<CreatedApiKeyView> {
    return this.rpc.call(IdentityRpc.apiKeysCreate, { ...body, caller });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Revoke a key: refused at once by this gateway, by the others within about a second (README § Revocation).' })
  @ApiResult(ApiKeyViewDto, { description: 'The revoked key.' })
  @ApiProblems(404)
  async revoke(@Param() params: IdParams, @Caller() caller: CallerDto): Promise<ApiKeyView> {
    const revoked = await this.rpc.call(IdentityRpc.apiKeysRevoke, { id: params.id, caller });
    // Fixed (issue 15): the next request with the key used to be served from the key cache (200).
    this.revocations.revokeApiKey(revoked.id ?? params.id);
    return revoked;
  }
}
