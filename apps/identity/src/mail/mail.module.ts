import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { createMailer, Mailer, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { IdentityConfig } from '../config.js';
import { MailDispatcher } from './mail-dispatcher.js';

@Global()
@Module({
  providers: [
    {
      provide: Mailer,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER],
      useFactory: (config: IdentityConfig, logger: Logger): Mailer => createMailer(config, logger),
    },
    MailDispatcher,
  ],
  exports: [Mailer, MailDispatcher],
})
export class MailModule {}
