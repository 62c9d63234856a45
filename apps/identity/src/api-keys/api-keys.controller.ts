import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
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
import { RpcHandler } from '@saas/messaging';
import { ApiKeysService } from './api-keys.service.js';

@Controller()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @RpcHandler(IdentityRpc.apiKeysCreate)
  create(@Payload() req: CreateApiKeyRequest): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(req);
  }

  @RpcHandler(IdentityRpc.apiKeysList)
  list(@Payload() req: ListApiKeysRequest): Promise<ListResult<ApiKeyView>> {
    return this.apiKeys.list(req);
  }

  @RpcHandler(IdentityRpc.apiKeysRevoke)
  revoke(@Payload() req: RevokeApiKeyRequest): Promise<ApiKeyView> {
    return this.apiKeys.revoke(req);
  }

  @RpcHandler(IdentityRpc.apiKeysVerify)
  verify(@Payload() req: VerifyApiKeyRequest): Promise<ApiKeyPrincipal> {
    return this.apiKeys.verify(req);
  }
}
