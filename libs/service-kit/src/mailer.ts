import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { MailConfig } from '@saas/config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** What the mail is for (file names, metrics); never its secret content. */
  kind: string;
}

/** Sends one mail (a port: swapped in tests; chosen at boot from SMTP_URL by `createMailer`). */
export abstract class Mailer {
  abstract send(mail: OutgoingMail): Promise<void>;
}

/** Real delivery through an SMTP server (SMTP_URL, e.g. `smtps://user:pass@smtp.example.com:465`). */
export class SmtpMailer extends Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
    private readonly logger: Logger,
  ) {
    super();
    this.transport = nodemailer.createTransport(url);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
    this.logger.debug({ to: mail.to, subject: mail.subject, kind: mail.kind }, 'mail sent');
  }
}

/**
 * Development delivery (no SMTP_URL): each mail becomes a file under MAIL_LOG_DIR, and one log line
 * names the recipient, subject and file, never the content (which may hold a token).
 */
export class FileMailer extends Mailer {
  constructor(
    private readonly dir: string,
    private readonly from: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  async send(mail: OutgoingMail): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.dir, `${stamp}-${mail.kind}-${randomBytes(3).toString('hex')}.eml`);
    const body = `From: ${this.from}\nTo: ${mail.to}\nSubject: ${mail.subject}\nContent-Type: text/plain; charset=utf-8\n\n${mail.text}\n`;
    await writeFile(file, body, { mode: 0o600 });
    this.logger.info({ to: mail.to, subject: mail.subject, file }, 'mail written to file (no SMTP_URL set)');
  }
}

/** The mailer a service's mail configuration asks for: SMTP when SMTP_URL is set, else files under MAIL_LOG_DIR. */
export function createMailer(config: MailConfig, logger: Logger): Mailer {
  return config.SMTP_URL ? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM, logger) : new FileMailer(config.MAIL_LOG_DIR, config.MAIL_FROM, logger);
}
