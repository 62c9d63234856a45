import { Module } from '@nestjs/common';
import { IntegrationsController } from './integrations.controller.js';

/** Inbound integrations: the public provider-webhook route and the admins' routes, over the webhooks service's RPCs. */
@Module({ controllers: [IntegrationsController] })
export class IntegrationsHttpModule {}
