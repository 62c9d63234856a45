import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JwksResponse } from '@saas/contracts';
import { Public } from '../auth/auth.decorators.js';
import { JwksCache } from '../auth/jwks.cache.js';
import { ApiProblems } from '../http/openapi.js';
import { ApiResult } from '../http/api-result.js';
import { JwksResponseDto } from './dto/views.js';

/** `GET /.well-known/jwks.json`: identity's public signing keys, for anyone verifying access tokens. */
@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly jwks: JwksCache) {}

  @Get('jwks.json')
  @Public()
  @Header('cache-control', 'public, max-age=300, stale-while-revalidate=60')
  @ApiOperation({ operationId: 'auth.jwks.get', summary: 'JSON Web Key Set (RFC 7517) of the access tokens’ signing keys (RS256).' })
  @ApiResult(JwksResponseDto, { description: '`{ keys: [{ kty: "RSA", kid, alg: "RS256", use: "sig", n, e }] }`' })
  @ApiProblems(503, 504)
  keys(): Promise<JwksResponse> {
    return this.jwks.document();
  }
}
