import { Module } from '@nestjs/common';
import { SecurityController } from './security.controller.js';
import { SecurityEventsService } from './security-events.service.js';

@Module({ controllers: [SecurityController], providers: [SecurityEventsService], exports: [SecurityEventsService] })
export class SecurityModule {}
