import { BlockList } from 'node:net';
import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IdentityRpc, type CallerDto, type SecurityBlockView, type ThreatsResponse } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { ApiProblems } from '../http/openapi.js';
import { SecurityBlocks } from './security-blocks.js';
import { ThreatActionBody, ThreatsQuery } from './threats.dto.js';
import { ApiResult } from '../http/api-result.js';
import { SecurityBlockViewDto, ThreatsResponseDto } from '../identity/dto/views.js';

/** `security/threats` (admins): what the security events show, and blocks every gateway replica enforces. */
@ApiTags('security')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/security/threats')
export class ThreatsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly blocks: SecurityBlocks,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Threats detected from the security events (credential stuffing, token reuse, signature-failure bursts, 429 storms) and the blocks in force.',
    operationId: 'security.threats.list',
  })
  @ApiResult(ThreatsResponseDto, { description: '`{ window_start, window_end, threats: [...], blocks: [...] }`' })
  list(@Query() query: ThreatsQuery, @Caller() caller: CallerDto): Promise<ThreatsResponse> {
    return this.rpc.call(IdentityRpc.securityThreats, { ...query, caller });
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Block or unblock an IP, a CIDR or an API key; every gateway replica enforces it within a second.', operationId: 'security.threats.act' })
  @ApiProblems(404, 409)
  @ApiResult(SecurityBlockViewDto, { description: 'The block, with who blocked it, why and until when.' })
  async act(@Body() body: ThreatActionBody, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<SecurityBlockView> {
    if (body.action === 'block' && this.wouldBlockCaller(body.target_type, body.target, request, caller)) {
      throw DomainException.validation([{ field: 'target', message: 'that would block your own address or key' }]);
    }
    const block = await this.rpc.call(IdentityRpc.securityThreatAction, { ...body, caller });
    // This replica at once; the others at their next read (within a second).
    await this.blocks.refresh();
    return block;
  }

  private wouldBlockCaller(type: string, target: string, request: FastifyRequest, caller: CallerDto): boolean {
    if (type === 'api_key') return request.principal?.apiKeyId === target.trim().toLowerCase();
    if (type === 'ip') return request.ip === target.trim().toLowerCase();
    return caller.actor.ip !== undefined && caller.actor.ip !== null && cidrHas(target.trim(), caller.actor.ip);
  }
}

function cidrHas(cidr: string, ip: string): boolean {
  try {
    const list = new BlockList();
    const [address, bits] = cidr.split('/');
    const v6 = address!.includes(':');
    list.addSubnet(address!, Number(bits), v6 ? 'ipv6' : 'ipv4');
    return list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  } catch {
    return false; // not a valid CIDR: identity refuses it with a clear error
  }
}
