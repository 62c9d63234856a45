import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './test-env.js';

/** A mail as the SMTP catcher received it, its body decoded. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

function decodeQuotedPrintable(body: string): string {
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  let body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) body = decodeQuotedPrintable(body);
  if (/base64/i.test(header('Content-Transfer-Encoding'))) body = Buffer.from(body, 'base64').toString('utf8');
  return { to, subject: header('Subject'), text: body };
}

/**
 * A real SMTP server on a free local port that keeps every mail it is sent (point a service's
 * SMTP_URL at `url`). For services whose mails go over SMTP; `readMailDir` reads MAIL_LOG_DIR's files.
 */
export class SmtpCatcher {
  readonly mails: ReceivedMail[] = [];
  url = '';
  private server?: SMTPServer;

  static async start(): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          catcher.mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    catcher.server = server;
    catcher.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return catcher;
  }

  /** The first mail to `to` whose subject matches, among those received after the first `after`. */
  waitForMail(to: string, subject: RegExp, after = 0): Promise<ReceivedMail> {
    return waitFor(() => this.mails.slice(after).find((m) => m.to.includes(to) && subject.test(m.subject)), `a mail "${subject}" to ${to}`);
  }

  close(): Promise<void> {
    const server = this.server;
    return server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
  }
}

/** The `token=` of a verification or reset link in a mail. */
export function mailToken(mail: { text: string }): string {
  const m = /token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!m) throw new Error(`no token in mail: ${mail.text}`);
  return m[1]!;
}
