import { Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-tokens.js';
import { KeysController } from './keys.controller.js';
import { SigningKeysService } from './signing-keys.service.js';

@Module({ controllers: [KeysController], providers: [SigningKeysService, AccessTokenIssuer], exports: [AccessTokenIssuer] })
export class KeysModule {}
