import { Global, Module } from '@nestjs/common';
import { SecurityBlocks } from './security-blocks.js';
import { ThreatsController } from './threats.controller.js';

/** Threats and blocks (the enforcing hook is in the HTTP pipeline). */
@Global()
@Module({ controllers: [ThreatsController], providers: [SecurityBlocks], exports: [SecurityBlocks] })
export class SecurityHttpModule {}
