import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller.js';
import { AuditController, SecurityController } from './audit.controller.js';
import { AuthController } from './auth.controller.js';
import { JwksController } from './jwks.controller.js';
import { AdminUsersController, UsersController } from './users.controller.js';

/** The identity service's public routes: thin controllers mapping 1:1 onto its RPCs. */
@Module({ controllers: [AuthController, JwksController, UsersController, AdminUsersController, ApiKeysController, AuditController, SecurityController] })
export class IdentityModule {}
