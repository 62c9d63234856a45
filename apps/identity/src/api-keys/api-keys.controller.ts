import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateApiKeyRequest,
  IdentityRpc,
  ListApiKeysRequest,
  RevokeApiKeyRequest,
  VerifyApiKeyRequest,
  type ApiKeyPrincipal,
  type ApiKeyView,
  type CreatedApiKeyView,
  type ListResult,
} from '@saas/contracts';
import { ApiKeysService } from './api-keys.service.js';

@Controller()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @MessagePattern(IdentityRpc.apiKeysCreate)
  create(@Payload() req: CreateApiKeyRequest): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(req);
  }

  @MessagePattern(IdentityRpc.apiKeysList)
  list(@Payload() req: ListApiKeysRequest): Promise<ListResult<ApiKeyView>> {
    return this.apiKeys.list(req);
  }

  @MessagePattern(IdentityRpc.apiKeysRevoke)
  revoke(@Payload() req: RevokeApiKeyRequest): Promise<ApiKeyView> {
    return this.apiKeys.revoke(req);
  }

  @MessagePattern(IdentityRpc.apiKeysVerify)
  verify(@Payload() req: VerifyApiKeyRequest): Promise<ApiKeyPrincipal> {
    return this.apiKeys.verify(req);
  }
}
