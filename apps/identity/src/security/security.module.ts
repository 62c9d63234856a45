import { Module } from '@nestjs/common';
import { SecurityController } from './security.controller.js';
import { SecurityEventsService } from './security-events.service.js';
import { SecurityScansService } from './security-scans.service.js';
import { ThreatsService } from './threats.service.js';

@Module({ controllers: [SecurityController], providers: [SecurityEventsService, ThreatsService, SecurityScansService], exports: [SecurityEventsService] })
export class SecurityModule {}
