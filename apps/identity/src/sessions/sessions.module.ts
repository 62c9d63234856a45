import { Module } from '@nestjs/common';
import { IdentityHousekeeping } from './housekeeping.service.js';
import { SecurityModule } from '../security/security.module.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';

@Module({ imports: [SecurityModule], controllers: [SessionsController], providers: [SessionsService, IdentityHousekeeping], exports: [SessionsService, IdentityHousekeeping] })
export class SessionsModule {}
