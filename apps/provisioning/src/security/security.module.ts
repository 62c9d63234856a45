import { Module } from '@nestjs/common';
import { SecurityFindingsController } from './security-findings.controller.js';

/** The provisioning service's part of `POST security/scan`. */
@Module({ controllers: [SecurityFindingsController] })
export class SecurityModule {}
