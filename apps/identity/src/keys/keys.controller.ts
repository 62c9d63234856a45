import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { IdentityRpc, JwksRequest, RotateKeysRequest, type JwksResponse, type RotateKeysResponse } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { CallerResolver } from '../common/caller.js';
import { SigningKeysService } from './signing-keys.service.js';

@Controller()
export class KeysController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly callers: CallerResolver,
  ) {}

  @RpcHandler(IdentityRpc.jwks)
  jwks(@Payload() _req: JwksRequest): Promise<JwksResponse> {
    return this.keys.jwks();
  }

  @RpcHandler(IdentityRpc.rotateKeys)
  async rotate(@Payload() req: RotateKeysRequest): Promise<RotateKeysResponse> {
    const admin = await this.callers.requireAdmin(req.caller);
    return this.keys.rotate(admin.actor);
  }
}
