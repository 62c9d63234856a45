import { Global, Module } from '@nestjs/common';
import { SecurityBlocks } from './security-blocks.js';
import { SecurityScansController } from './scans.controller.js';
import { ThreatsController } from './threats.controller.js';

/** Threats and blocks (the enforcing hook is in the HTTP pipeline). */
@Global()
@Module({ controllers: [ThreatsController, SecurityScansController], providers: [SecurityBlocks], exports: [SecurityBlocks] })
export class SecurityHttpModule {}
