import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Mailer, SERVICE_LOGGER, type OutgoingMail } from '@saas/service-kit';

/**
 * Sends mail in the background, after the request answered. Requests that send a mail for one
 * email and none (or another) for the next — register, forgot-password — must not differ in time by
 * the SMTP round trip, or the answer time would tell which addresses have accounts.
 */
@Injectable()
export class MailDispatcher implements OnApplicationShutdown {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly mailer: Mailer,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  dispatch(mail: OutgoingMail): void {
    const sending = this.mailer
      .send(mail)
      .catch((err: unknown) => this.logger.error({ err, to: mail.to, kind: mail.kind }, 'sending mail failed'))
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  /** Resolves when every mail dispatched so far was handed over (or failed). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.idle();
  }
}
