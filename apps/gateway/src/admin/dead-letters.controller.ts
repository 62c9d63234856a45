import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ServiceNames, type DeadLetterReplayResult } from '@saas/contracts';
import { ApiAuth, Roles } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { DeadLettersService } from './dead-letters.service.js';
import { DeadLetterListQuery, DeadLetterStatuses } from './dto/dead-letter-list.query.js';
import { ReplayParams } from './dto/replay-params.js';
import { ApiResult } from '../http/api-result.js';
import { DeadLetterPageDto, DeadLetterReplayResultDto } from './dto/dead-letter.views.js';

@ApiTags('admin')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/admin/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLettersService,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'admin.deadLetters.list', summary: 'Events parked as dead letters, per service or merged.' })
  @ApiListQuery()
  @ApiQuery({ name: 'service', required: false, enum: ServiceNames, description: 'One service; all of them when absent.' })
  @ApiQuery({ name: 'status', required: false, enum: DeadLetterStatuses })
  @ApiResult(DeadLetterPageDto, { description: 'A page of dead letters, newest first. `unavailable` lists services that did not answer a merged listing.' })
  async list(@Query() query: DeadLetterListQuery, @Req() request: FastifyRequest): Promise<DeadLetterPageDto> {
    const { unavailable, ...result } = await this.deadLetters.list(query.service, query.status, query);
    const page = this.paginator.toPage(result, query, request);
    return unavailable ? { ...page, unavailable } : page;
  }

  @Post(':service/:id/replay')
  @ApiOperation({ operationId: 'admin.deadLetters.replay', summary: 'Handle a dead letter again.' })
  @HttpCode(200)
  @ApiParam({ name: 'service', enum: ServiceNames })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProblems(404)
  @ApiResult(DeadLetterReplayResultDto, { description: 'Handled again: `replayed`, or still `parked` with the new error.' })
  replay(@Param() params: ReplayParams): Promise<DeadLetterReplayResult> {
    return this.deadLetters.replay(params.service, params.id);
  }
}
