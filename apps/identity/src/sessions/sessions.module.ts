import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module.js';
import { SessionsService } from './sessions.service.js';

@Module({ imports: [SecurityModule], providers: [SessionsService], exports: [SessionsService] })
export class SessionsModule {}
