import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { IdentityConfig } from '../config.js';
import { MailDispatcher } from './mail-dispatcher.js';
import { FileMailer, Mailer, SmtpMailer } from './mailer.js';

@Global()
@Module({
  providers: [
    {
      provide: Mailer,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER],
      useFactory: (config: IdentityConfig, logger: Logger): Mailer =>
        config.SMTP_URL ? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM, logger) : new FileMailer(config.MAIL_LOG_DIR, config.MAIL_FROM, logger),
    },
    MailDispatcher,
  ],
  exports: [Mailer, MailDispatcher],
})
export class MailModule {}
