import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller.js';

/** The webhooks service's public routes: thin controllers mapping onto its RPCs. */
@Module({ controllers: [WebhooksController] })
export class WebhooksHttpModule {}
